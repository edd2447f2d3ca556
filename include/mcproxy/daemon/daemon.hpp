// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The running daemon: configuration, instances, interface
/// monitoring, policy rules, rp_filter, signals.
#pragma once

#include "mcproxy/daemon/log.hpp"
#include "mcproxy/daemon/options.hpp"

namespace mcproxy::daemon {

/// @brief Runs the proxy until SIGTERM or SIGINT; returns the exit status
/// (0 after a clean shutdown, 1 when it could not start).
int run_daemon(const options& opt, logger& log);

/// @brief `mcproxy -t`: parses and checks the file, prints a summary and
/// warnings (missing interfaces too); returns the exit status.
int test_config(const options& opt);

/// @brief `mcproxy -c`: the kernel feature check; returns the exit status.
int check_kernel();

}  // namespace mcproxy::daemon
