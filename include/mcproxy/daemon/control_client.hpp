// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The client side of the control socket: `mcproxyctl`'s command
/// line, one request/reply exchange, and the program itself.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mcproxy/daemon/control_protocol.hpp"
#include "mcproxy/daemon/options.hpp"

namespace mcproxy::daemon {

/// @brief Exit statuses of mcproxyctl.
enum ctl_exit : int {
    ctl_ok = 0,             ///< the daemon answered OK
    ctl_daemon_error = 1,   ///< the daemon answered with an error
    ctl_usage_error = 2,    ///< the command line is wrong
    ctl_no_connection = 3,  ///< the daemon could not be reached, or the connection failed
};

/// @brief What the user asked mcproxyctl for.
struct ctl_options {
    std::string socket_path = default_control_socket;  ///< -u PATH, --socket PATH
    bool help = false;        ///< -h, --help, or the command `help`
    bool version = false;     ///< --version (of mcproxyctl itself)
    /// Seconds to wait for the daemon (-t, --timeout).
    std::chrono::milliseconds timeout{15000};
    control_request request;  ///< the request to send (unless help/version)
};

/// @brief Parses mcproxyctl's argv (argv[0] is the program name).
std::variant<ctl_options, usage_error> parse_ctl_command_line(const std::vector<std::string>& args);

/// @brief The text of `mcproxyctl --help`.
std::string ctl_help_text();

/// @brief Why an exchange failed before a reply arrived.
struct exchange_failure {
    bool connected = false;  ///< false: connect() failed
    int err = 0;             ///< errno of the failure, 0 for protocol problems
    std::string message;     ///< one line, names the socket path
};

/// @brief Connects to `path`, sends `request_line` (a newline is added),
/// and reads one reply, all within `timeout`.
std::variant<control_reply, exchange_failure> exchange(const std::string& path, const std::string& request_line,
                                                       std::chrono::milliseconds timeout);

/// @brief The whole mcproxyctl program; returns its exit status.
int ctl_main(int argc, char** argv);

}  // namespace mcproxy::daemon
