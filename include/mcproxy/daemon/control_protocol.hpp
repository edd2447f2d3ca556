// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The control socket protocol shared by the daemon and mcproxyctl:
/// request lines and length-framed replies (doc/control-protocol.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mcproxy/daemon/status_format.hpp"

namespace mcproxy::daemon {

/// @brief Default path of the control socket.
inline constexpr const char* default_control_socket = "/run/mcproxy.sock";
/// @brief Longest request line accepted, newline included.
inline constexpr std::size_t max_request_length = 1024;
/// @brief Longest reply body a client accepts.
inline constexpr std::size_t max_reply_length = 64 * 1024 * 1024;

/// @brief What a request asks for.
enum class command_kind : std::uint8_t {
    show,     ///< show VIEW [--json]
    reload,   ///< reload: re-read the configuration (same path as SIGHUP)
    version,  ///< version [--json]
    help,     ///< help: the list of requests
};

/// @brief A parsed request.
struct control_request {
    command_kind command = command_kind::help;  ///< what is asked for
    status_view view = status_view::status;  ///< for show
    bool json = false;                       ///< --json given
    /// @brief The canonical request line without newline, e.g. "show groups --json".
    std::string to_line() const;
    friend bool operator==(const control_request&, const control_request&) = default;
};

/// @brief Parses one request line (without the newline; a trailing CR is
/// ignored). Returns the request or a one-line error message.
std::variant<control_request, std::string> parse_request(std::string_view line);

/// @brief The text of the `help` request.
std::string request_help();

/// @brief A reply: success with a body, or an error with a message.
struct control_reply {
    bool ok = true;    ///< OK or ERR
    std::string body;  ///< for errors a one-line message
    /// @brief A success reply.
    static control_reply success(std::string body) { return {true, std::move(body)}; }
    /// @brief An error reply (a newline is added if missing).
    static control_reply error(std::string message);
    friend bool operator==(const control_reply&, const control_reply&) = default;
};

/// @brief The reply to a `show` request: `instances` formatted as text or
/// JSON for the request's view.
control_reply status_reply(const control_request& request, const std::vector<instance_status>& instances);

/// @brief The reply to `version` (the server answers it itself).
control_reply version_reply(const control_request& request);

/// @brief "OK <n>\n<body>" or "ERR <n>\n<body>".
std::string encode_reply(const control_reply& r);

/// @brief Incremental decoder of one reply (client side).
class reply_decoder {
public:
    /// @brief Result of feed().
    enum class state : std::uint8_t { need_more, done, bad };
    /// @brief Adds received bytes; bytes after the reply stay unused.
    /// Returns done once the reply is complete, bad on a framing error.
    state feed(std::string_view bytes);
    /// @brief The reply (valid after done).
    const control_reply& reply() const { return reply_; }
    /// @brief What was wrong (after bad).
    const std::string& error() const { return error_; }

private:
    std::string header_;
    bool have_header_ = false;
    std::size_t length_ = 0;
    control_reply reply_;
    std::string error_;
    state state_ = state::need_more;
};

}  // namespace mcproxy::daemon
