// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Status snapshots as human-readable tables (`mcproxy -s`,
/// `mcproxyctl show ...`) and as JSON (`--json`, schema in
/// doc/control-protocol.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcproxy/daemon/status.hpp"

namespace mcproxy::daemon {

/// @brief Which part of the status to show.
enum class status_view : std::uint8_t {
    status,      ///< everything: interfaces, groups with sources, upstream reports, routes, counter totals
    interfaces,  ///< interfaces with role, state, address and querier role
    groups,      ///< downstream groups, tracked hosts, upstream reports
    sources,     ///< one row per source record with its timer
    routes,      ///< kernel routes with packet and byte counters
    stats,       ///< counters
};
/// @brief "status", "interfaces", ...
const char* to_string(status_view v);
/// @brief Parses a view name; nullopt if unknown.
std::optional<status_view> parse_status_view(std::string_view name);

/// @brief Version of the JSON schema; raised only on incompatible changes
/// (fields are only ever added within one version).
inline constexpr unsigned status_schema_version = 1;

/// @brief "12.5s", "1m05.0s", or "-" for nullopt (timer stopped).
std::string format_duration(std::optional<core::duration> d);

/// @brief Human-readable tables of `instances` for `view`; ends with a newline.
std::string format_text(const std::vector<instance_status>& instances, status_view view);

/// @brief The JSON document of `instances` for `view` (see
/// doc/control-protocol.md); `indent` spaces per level, 0 for one line.
std::string format_json(const std::vector<instance_status>& instances, status_view view, unsigned indent = 2);

}  // namespace mcproxy::daemon
