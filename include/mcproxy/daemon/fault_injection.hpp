// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief A fault that tests inject into a running daemon: an instance's
/// event loop handler that throws, as a bug would. The supervisor's answer
/// to it (restart the instance, or exit so that systemd restarts mcproxy)
/// cannot be shown any other way from outside the process.
#pragma once

#include <string>

namespace mcproxy::daemon {

/// @brief The environment variable: `MCPROXY_FAULT=loop-throw:NAME` makes
/// the next timer handler of instance NAME throw, once per process;
/// `loop-throw-always:NAME` does it after every start of that instance.
/// Unset (as in every deployment) nothing happens.
inline constexpr const char* fault_variable = "MCPROXY_FAULT";

/// @brief Whether the instance `name` that is starting now gets the fault
/// (consumes the once-per-process one).
bool take_loop_fault(const std::string& name);

}  // namespace mcproxy::daemon
