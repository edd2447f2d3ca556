// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Translates the filter bindings and rule matching of a configured
/// instance into the core's filter settings (doc/filters.md).
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "mcproxy/config/model.hpp"
#include "mcproxy/core/filter_policy.hpp"

namespace mcproxy::daemon {

/// @brief Maps an interface name to its core id (nullopt: not an interface
/// of the instance).
using interface_id_of = std::function<std::optional<core::if_index>(std::string_view name)>;

/// @brief The core form of one configured filter: rules in table order,
/// interface qualifiers as core ids. A rule qualified with an interface
/// that has no id can never match and is left out (the configuration
/// reader warns about it).
core::source_filter to_core(const config::filter& f, const interface_id_of& id_of);

/// @brief The core filter settings of `inst`: `in`/`out` filters of every
/// upstream and downstream by id (the `*` bindings are already copied into
/// each interface by the configuration reader), the `in` rule matching
/// with the mutex timeout, and the `out` rule matching. A peering interface
/// gets its upstream filters in `upstream` and its downstream filters in
/// `downstream` under its one id.
core::filter_settings to_core_filters(const config::instance& inst, const interface_id_of& id_of);

}  // namespace mcproxy::daemon
