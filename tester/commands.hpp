// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The three subcommands of mcproxy-tester. Each returns the exit
/// status (0 success, 1 failure) and throws tester_error for failures.
#pragma once

#include "options.hpp"

namespace mcproxy::tester {

/// @brief `join`: hold a membership until a signal or the duration ends.
int run_join(const tester_options& o);
/// @brief `send`: send the numbered, timestamped stream.
int run_send(const tester_options& o);
/// @brief `receive`: join, receive, print the statistics.
int run_receive(const tester_options& o);

}  // namespace mcproxy::tester
