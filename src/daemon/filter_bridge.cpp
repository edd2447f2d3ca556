// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/filter_bridge.hpp"

namespace mcproxy::daemon {

core::source_filter to_core(const config::filter& f, const interface_id_of& id_of) {
    std::vector<core::filter_rule> rules;
    rules.reserve(f.rules.size());
    for (const auto& r : f.rules.rules()) {
        core::filter_rule c{std::nullopt, {r.group.first, r.group.last}, {r.source.first, r.source.last}};
        if (r.iface) {
            c.arrival = id_of(*r.iface);
            if (!c.arrival) continue;  // an interface of no instance side: data never arrives there
        }
        rules.push_back(c);
    }
    return core::source_filter(
        f.type == config::filter_type::whitelist ? core::filter_kind::whitelist : core::filter_kind::blacklist,
        std::move(rules));
}

namespace {

core::interface_filters filters_of(const config::interface_filters& f, const interface_id_of& id_of) {
    core::interface_filters c;
    if (f.in) c.in = to_core(*f.in, id_of);
    if (f.out) c.out = to_core(*f.out, id_of);
    return c;
}

}  // namespace

core::filter_settings to_core_filters(const config::instance& inst, const interface_id_of& id_of) {
    core::filter_settings s;
    for (const auto& u : inst.upstreams)
        if (auto id = id_of(u.name)) s.upstream[*id] = filters_of(u.filters, id_of);
    for (const auto& d : inst.downstreams)
        if (auto id = id_of(d.name)) s.downstream[*id] = filters_of(d.filters, id_of);
    switch (inst.upstream_in.kind) {
        case config::matching::all: s.in_matching = core::upstream_in_matching::all; break;
        case config::matching::first: s.in_matching = core::upstream_in_matching::first; break;
        case config::matching::mutex: s.in_matching = core::upstream_in_matching::mutex; break;
    }
    s.mutex_timeout = std::chrono::duration_cast<core::duration>(inst.upstream_in.timeout);
    s.out_matching = inst.upstream_out.kind == config::matching::first ? core::upstream_out_matching::first
                                                                       : core::upstream_out_matching::all;
    return s;
}

}  // namespace mcproxy::daemon
