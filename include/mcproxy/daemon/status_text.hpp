// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Human-readable log lines: an interface's state, a message.
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

/// @brief "interface dn1 (downstream, ifindex 4): up, address 203.0.113.1".
std::string describe(const interface_state& st);
/// @brief "IGMPv3 report (2 records)", "MLDv2 query for ff05::1", ...
std::string describe(const wire::message& m);


}  // namespace mcproxy::daemon
