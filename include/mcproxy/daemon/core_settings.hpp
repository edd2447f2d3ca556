// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Translation of a configured instance into the core's settings and
/// the stable interface ids the core knows interfaces by.
#pragma once

#include <cstdint>
#include <vector>

#include "mcproxy/config/model.hpp"
#include "mcproxy/core/instance.hpp"
#include "mcproxy/daemon/interface_table.hpp"

namespace mcproxy::daemon {

/// @brief The wire version of a configured protocol.
wire::version to_wire(config::protocol_version p);

/// @brief The interfaces of `inst` with ids 1..N: upstreams in configured
/// order, then downstreams; a peering interface (both sides) has one id.
/// Each downstream carries its intake policy (intake_policy_of()).
std::vector<configured_interface> number_interfaces(const config::instance& inst);

/// @brief The intake checks configured for downstream `d`
/// (accept-off-link-reports switches the on-link source check off).
intake_policy intake_policy_of(const config::downstream& d);

/// @brief The core settings of `inst` for interfaces numbered by number_interfaces().
core::instance_settings core_settings(const config::instance& inst, const std::vector<configured_interface>& ids,
                                      std::uint64_t seed);

}  // namespace mcproxy::daemon
