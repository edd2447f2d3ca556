// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The filters of one instance by interface role and direction, and
/// what they mean for routes and memberships (doc/filters.md), including the
/// split-horizon rules of peering interfaces.
#pragma once

#include <map>
#include <vector>

#include "mcproxy/core/source_filter.hpp"
#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief `upstream * in rulematching`: where a membership is reported.
enum class upstream_in_matching : std::uint8_t {
    all,    ///< on every upstream whose `in` filter allows it
    first,  ///< only on the first such upstream, per (S,G)
    mutex,  ///< on all until data arrives on one, then only there
};
/// @brief `upstream * out rulematching`: where downstream-sourced data goes.
enum class upstream_out_matching : std::uint8_t {
    all,    ///< every upstream whose `out` filter allows it
    first,  ///< only the first such upstream
};

/// @brief The `in` and `out` filters of one interface in one role.
struct interface_filters {
    source_filter in;   ///< default: no binding, all allowed
    source_filter out;  ///< default: no binding, all allowed
};

/// @brief Filters and rule matching of one instance, by core interface id.
struct filter_settings {
    std::map<if_index, interface_filters> upstream;    ///< by upstream id
    std::map<if_index, interface_filters> downstream;  ///< by downstream id
    /// Core default `all` (what the instance did before filters existed);
    /// the configuration default `first` is set by the daemon's filter bridge.
    upstream_in_matching in_matching = upstream_in_matching::all;
    /// Mutex timeout: without data for this long, report on all again.
    duration mutex_timeout{0};
    /// Downstream-sourced data to every allowed upstream, or to the first.
    upstream_out_matching out_matching = upstream_out_matching::all;
};

/// @brief Answers the filter questions of one instance.
///
/// Directions (doc/filters.md), with the arrival interface of data for
/// interface-qualified rules:
///   - upstream `in` of U: (S,G) arriving on U is accepted; memberships
///     reported on U are transformed with arrival U;
///   - upstream `out` of U: downstream-sourced (S,G) arriving on a
///     downstream D is forwarded to U (arrival D);
///   - downstream `in` of D: data sourced on D is accepted (arrival D);
///   - downstream `out` of D: (S,G) arriving on I is forwarded to D
///     (arrival I); D's membership counts in the merge reported on upstream
///     U as transformed with arrival U.
/// A peering interface P (both roles) has all four filters; data arriving
/// on P must pass both `in` filters, data forwarded to P must pass its
/// downstream `out` filter and, when the data is downstream-sourced, its
/// upstream `out` filter too.
class filter_policy {
public:
    /// @brief Filters for the given interfaces (upstreams in configuration order).
    filter_policy(filter_settings settings, std::vector<if_index> upstreams, std::vector<if_index> downstreams);

    /// @brief Upstream `in` filter of `u` (allow-all if none).
    const source_filter& upstream_in(if_index u) const;
    /// @brief Upstream `out` filter of `u`.
    const source_filter& upstream_out(if_index u) const;
    /// @brief Downstream `in` filter of `d`.
    const source_filter& downstream_in(if_index d) const;
    /// @brief Downstream `out` filter of `d`.
    const source_filter& downstream_out(if_index d) const;

    /// @brief Whether `i` is an upstream of the instance.
    bool is_upstream(if_index i) const;
    /// @brief Whether `i` is a downstream of the instance.
    bool is_downstream(if_index i) const;
    /// @brief Whether `i` is both (a peering interface).
    bool is_peering(if_index i) const { return is_upstream(i) && is_downstream(i); }
    /// @brief Whether any interface is a peering interface.
    bool has_peering() const { return has_peering_; }
    /// @brief Whether any filter is bound at all.
    bool has_filters() const { return has_filters_; }
    /// @brief Whether any downstream has an `out` filter (the merge then
    /// differs per upstream).
    bool has_downstream_out() const { return has_downstream_out_; }

    /// @brief Whether (S,G) arriving on `input` may leave on `output`
    /// (both `in` filters of the input, the `out` filters of the output).
    bool allow_output(const route_key& key, if_index input, if_index output) const;
    /// @brief Downstream `d`'s membership `m` of `group` as it counts in
    /// the merge reported on upstream `u` (peering split horizon included).
    membership downstream_view(if_index d, const net::address& group, const membership& m, if_index u) const;
    /// @brief The merged state `m` of `group` as upstream `u` may report it.
    membership upstream_view(if_index u, const net::address& group, const membership& m) const;

    /// @brief Settings as given.
    const filter_settings& settings() const { return settings_; }

private:
    const source_filter& pick(const std::map<if_index, interface_filters>& m, if_index i, bool in) const;

    filter_settings settings_;
    std::vector<if_index> upstreams_;
    std::vector<if_index> downstreams_;  ///< sorted
    bool has_peering_ = false;
    bool has_filters_ = false;
    bool has_downstream_out_ = false;
    source_filter allow_all_;
};

}  // namespace mcproxy::core
