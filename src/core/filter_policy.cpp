// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/filter_policy.hpp"

#include <algorithm>

namespace mcproxy::core {

filter_policy::filter_policy(filter_settings settings, std::vector<if_index> upstreams,
                             std::vector<if_index> downstreams)
    : settings_(std::move(settings)), upstreams_(std::move(upstreams)), downstreams_(std::move(downstreams)) {
    std::sort(downstreams_.begin(), downstreams_.end());
    for (if_index u : upstreams_) has_peering_ = has_peering_ || is_downstream(u);
    for (const auto* side : {&settings_.upstream, &settings_.downstream})
        for (const auto& [i, f] : *side) has_filters_ = has_filters_ || f.in.bound() || f.out.bound();
    for (const auto& [i, f] : settings_.downstream) has_downstream_out_ = has_downstream_out_ || f.out.bound();
}

const source_filter& filter_policy::pick(const std::map<if_index, interface_filters>& m, if_index i, bool in) const {
    auto it = m.find(i);
    if (it == m.end()) return allow_all_;
    return in ? it->second.in : it->second.out;
}

const source_filter& filter_policy::upstream_in(if_index u) const { return pick(settings_.upstream, u, true); }
const source_filter& filter_policy::upstream_out(if_index u) const { return pick(settings_.upstream, u, false); }
const source_filter& filter_policy::downstream_in(if_index d) const { return pick(settings_.downstream, d, true); }
const source_filter& filter_policy::downstream_out(if_index d) const { return pick(settings_.downstream, d, false); }

bool filter_policy::is_upstream(if_index i) const {
    return std::find(upstreams_.begin(), upstreams_.end(), i) != upstreams_.end();
}

bool filter_policy::is_downstream(if_index i) const {
    return std::binary_search(downstreams_.begin(), downstreams_.end(), i);
}

bool filter_policy::allow_output(const route_key& key, if_index input, if_index output) const {
    const auto& [s, g] = key;
    // Data entering: an upstream accepts what its `in` filter allows, a
    // downstream what its `in` filter allows; a peering interface both.
    if (is_upstream(input) && !upstream_in(input).allows(s, g, input)) return false;
    if (is_downstream(input) && !downstream_in(input).allows(s, g, input)) return false;
    // Data leaving: to a downstream through its `out` filter; to an upstream
    // (only downstream-sourced data goes there) through its `out` filter.
    if (is_downstream(output) && !downstream_out(output).allows(s, g, input)) return false;
    const bool local = is_downstream(input) && !is_upstream(input);
    if (is_upstream(output) && local && !upstream_out(output).allows(s, g, input)) return false;
    return true;
}

membership filter_policy::downstream_view(if_index d, const net::address& group, const membership& m,
                                          if_index u) const {
    // Peering split horizon: what a peer asked for on a peering link is never
    // reported on a peering link (not back to it, not on to another peer), so
    // memberships cannot circle between peers.
    if (is_peering(d) && is_peering(u)) return {};
    return downstream_out(d).apply(group, m, u);
}

membership filter_policy::upstream_view(if_index u, const net::address& group, const membership& m) const {
    return upstream_in(u).apply(group, m, u);
}

}  // namespace mcproxy::core
