// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The daemon's entry point.
#pragma once

namespace mcproxy::daemon {

/// @brief Parses the command line and runs mcproxy; returns the exit status.
int run_main(int argc, char** argv);

}  // namespace mcproxy::daemon
