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

}  // namespace mcproxy::daemon
