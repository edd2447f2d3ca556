// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The control socket: a UNIX stream socket on the daemon's main
/// Boost.Asio loop that answers `mcproxyctl` (doc/control-protocol.md).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "mcproxy/core/types.hpp"
#include "mcproxy/daemon/control_protocol.hpp"

namespace mcproxy::daemon {

/// @brief The socket cannot be set up; what() names the path and the cause.
class control_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// @brief Settings of the control socket.
struct control_server_settings {
    std::string path = default_control_socket;  ///< socket file
    mode_t mode = 0660;                  ///< permissions of the socket file
    std::optional<gid_t> group;          ///< group of the socket file (default: the daemon's)
    std::size_t max_clients = 16;        ///< connections served at once; more are refused
    std::size_t max_request_length = daemon::max_request_length;  ///< bytes per request line
    /// A connection that does not complete a request within this time after
    /// connecting or after its last reply is closed (slow or hanging client).
    std::chrono::milliseconds idle_timeout{10000};
    /// A reply the client does not read within this time closes the connection.
    std::chrono::milliseconds write_timeout{5000};
    /// The daemon's handler must answer within this time, else the client
    /// gets an error reply (a late answer is dropped).
    std::chrono::milliseconds handler_timeout{10000};
    /// Where the server reports refused clients and socket errors (optional).
    std::function<void(core::log_level, const std::string&)> log;
};

/// @brief Answers a request; callable from any thread, at most once
/// (later calls are ignored, as are calls after the client went away or
/// the handler timeout). It posts to the server's io_context, so it must
/// not be called after that io_context is destroyed.
using reply_callback = std::function<void(control_reply)>;

/// @brief The daemon's part: called on the io_context's thread for `show`
/// and `reload` (the server answers `help` and `version` itself). It may
/// reply at once or later, e.g. after asking instance threads.
using request_handler = std::function<void(const control_request&, reply_callback)>;

/// @brief Credentials of a connecting process (SO_PEERCRED).
struct peer_credentials {
    pid_t pid = 0;  ///< process id (0 if unknown)
    uid_t uid = 0;  ///< effective user id
    gid_t gid = 0;  ///< effective (primary) group id
};

/// @brief Whether a peer may use the socket: root, the socket's owner, or a
/// member (primary or supplementary) of the socket's group. This is checked
/// in addition to the file mode, which the kernel checks at connect().
bool peer_allowed(const peer_credentials& peer, uid_t owner, gid_t group, const std::vector<gid_t>& supplementary);

/// @brief Supplementary groups of a process (from /proc/PID/status); empty
/// if they cannot be read.
std::vector<gid_t> supplementary_groups(pid_t pid);

/// @brief The control socket server.
///
/// The constructor creates the socket file: a stale one left by a crashed
/// run (nobody accepts on it) is replaced; a live one (another daemon
/// answers) or a path that is not a socket is an error. All work runs on
/// `io`; a client that hangs, floods or stops reading only loses its own
/// connection. The destructor closes every connection and removes the file.
class control_server {
public:
    /// @brief Binds and listens; throws control_error on failure.
    control_server(boost::asio::io_context& io, control_server_settings settings, request_handler handler);
    ~control_server();
    control_server(const control_server&) = delete;
    control_server& operator=(const control_server&) = delete;

    /// @brief Closes the socket and every connection and removes the file
    /// (idempotent; call it on the io_context's thread).
    void stop();
    /// @brief The socket path.
    const std::string& path() const;
    /// @brief Connections currently served (io_context's thread only).
    std::size_t client_count() const;

    struct impl;

private:
    std::shared_ptr<impl> impl_;
};

}  // namespace mcproxy::daemon
