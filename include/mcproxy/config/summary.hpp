// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Human-readable summary of a resolved configuration (`mcproxy -t`).
#pragma once

#include <string>

#include "mcproxy/config/model.hpp"

namespace mcproxy::config {

/// @brief A few lines per instance: protocol, table, upstreams, downstreams,
/// peering, rule matching, non-default tuning and bound filters.
std::string summarize(const model& m);

}  // namespace mcproxy::config
