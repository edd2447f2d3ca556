// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Human-readable lines for the log: an interface's state, a message,
/// and the periodic status of an instance (`mcproxy -s`).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mcproxy/config/model.hpp"
#include "mcproxy/core/instance.hpp"
#include "mcproxy/daemon/interface_table.hpp"
#include "mcproxy/kernel/mroute_types.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::daemon {

struct instance_counters;

/// @brief A kernel route with its counters (nullopt: not readable).
struct route_line {
    core::route_key key;                       ///< (S,G)
    core::if_index input = 0;                  ///< core id of the input
    std::vector<core::if_index> outputs;       ///< core ids of the outputs
    std::optional<kernel::sg_counters> counters;  ///< kernel packet counters
};

/// @brief "interface dn1 (downstream, ifindex 4): up, address 203.0.113.1".
std::string describe(const interface_state& st);
/// @brief "IGMPv3 report (2 records)", "MLDv2 query for ff05::1", ...
std::string describe(const wire::message& m);

/// @brief The multi-line status of one instance: interfaces, querier role
/// per downstream, groups with filter mode, sources and timers, reported
/// state per upstream, routes with counters, message counters.
std::string status_text(const config::instance& conf, const interface_table& ifaces, const core::instance& core,
                        const std::vector<route_line>& routes, const instance_counters& counters,
                        core::time_point now);

}  // namespace mcproxy::daemon
