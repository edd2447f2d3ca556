// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The command line: classic mcproxy options plus long forms.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mcproxy/daemon/control_protocol.hpp"

namespace mcproxy::daemon {

/// @brief Default configuration file when `-f` is not given.
inline constexpr const char* default_config_path = "/etc/mcproxy.conf";

/// @brief What the user asked for on the command line.
struct options {
    bool help = false;             ///< -h, --help
    bool version = false;          ///< --version
    bool check_kernel = false;     ///< -c, --check-kernel
    bool test_config = false;      ///< -t, --test-config
    bool reset_rp_filter = false;  ///< -r, --reset-rp-filter
    bool debug = false;            ///< -d, --debug
    bool print_status = false;     ///< -s, --status
    unsigned verbosity = 0;        ///< -v, -vv (--verbose, repeatable)
    std::string config_path = default_config_path;  ///< -f FILE, --config FILE
    bool config_given = false;     ///< whether -f/--config was used
    std::string control_socket = default_control_socket;  ///< -u PATH, --control-socket PATH
    std::optional<std::string> user;  ///< -U USER, --user USER: run as USER after opening sockets
    bool keep_root = false;        ///< --keep-root: do not drop privileges
};

/// @brief A command line that cannot be understood: exit status 2.
struct usage_error {
    std::string message;  ///< one line, e.g. "unknown option '-x'"
};

/// @brief Parses argv (argv[0] is the program name).
std::variant<options, usage_error> parse_command_line(const std::vector<std::string>& args);

/// @brief The text of `mcproxy --help`.
std::string help_text(const std::string& program);

}  // namespace mcproxy::daemon
