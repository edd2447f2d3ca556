// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief What a reload changes: old and new configuration of an instance
/// compared by value (config::instance_settings and the settings structs it
/// holds compare with defaulted operator==; source locations never count).
#pragma once

#include "mcproxy/config/model.hpp"

namespace mcproxy::daemon {

/// @brief Whether `a` and `b` run identically: protocol, table, interfaces
/// in order with their tuning and filters (every rule), rule matching, timers.
bool same_settings(const config::instance& a, const config::instance& b);

/// @brief Whether two downstreams run identically: name, tuning, filters.
bool same_settings(const config::downstream& a, const config::downstream& b);

/// @brief Whether `after` differs from `before` only in its downstream
/// interfaces and neither has filters or peering interfaces: then a reload
/// adds and removes those downstreams in the running instance, and
/// everything else keeps its state.
bool reconfigurable_in_place(const config::instance& before, const config::instance& after);

}  // namespace mcproxy::daemon
