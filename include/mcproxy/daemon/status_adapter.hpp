// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Glue from the daemon's own bookkeeping (configuration, interface
/// table) to the status model.
#pragma once

#include <vector>

#include "mcproxy/config/model.hpp"
#include "mcproxy/daemon/intake.hpp"
#include "mcproxy/daemon/interface_table.hpp"
#include "mcproxy/daemon/status.hpp"

namespace mcproxy::daemon {

/// @brief The interfaces of an instance as the status shows them, in id
/// (= configuration) order: role from the configuration; state `missing`
/// without an ifindex, `up` when usable, else `down`; the send address.
std::vector<interface_info> interface_infos(const interface_table& ifaces);

/// @brief Name, protocol, table and interfaces of an instance; the caller
/// adds the routes (route_book) and counters.
instance_info instance_info_of(const config::instance& conf, const interface_table& ifaces);


}  // namespace mcproxy::daemon
