// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief What a reload changes: a canonical text of everything in an
/// instance's configuration that affects how it runs, to compare old and new.
#pragma once

#include <string>

#include "mcproxy/config/model.hpp"

namespace mcproxy::daemon {

/// @brief Canonical description of `inst`: protocol, table, interfaces in
/// order with their tuning and filters (every rule), rule matching, timers.
/// Two instances with the same fingerprint run identically.
std::string fingerprint(const config::instance& inst);

/// @brief The part of the fingerprint that belongs to one downstream.
std::string downstream_fingerprint(const config::downstream& d);

/// @brief Whether `after` differs from `before` only in its downstream
/// interfaces and neither has filters or peering interfaces: then a reload
/// adds and removes those downstreams in the running instance, and
/// everything else keeps its state.
bool reconfigurable_in_place(const config::instance& before, const config::instance& after);

}  // namespace mcproxy::daemon
