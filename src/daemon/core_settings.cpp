// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/core_settings.hpp"

#include "mcproxy/daemon/filter_bridge.hpp"

#include <algorithm>

namespace mcproxy::daemon {

wire::version to_wire(config::protocol_version p) {
    switch (p) {
        case config::protocol_version::igmpv1: return wire::version::igmpv1;
        case config::protocol_version::igmpv2: return wire::version::igmpv2;
        case config::protocol_version::igmpv3: return wire::version::igmpv3;
        case config::protocol_version::mldv1: return wire::version::mldv1;
        case config::protocol_version::mldv2: return wire::version::mldv2;
    }
    return wire::version::igmpv3;
}

std::vector<configured_interface> number_interfaces(const config::instance& inst) {
    std::vector<configured_interface> out;
    auto add = [&](const std::string& name) -> configured_interface& {
        for (auto& c : out)
            if (c.name == name) return c;
        out.push_back(configured_interface{static_cast<core::if_index>(out.size() + 1), name});
        return out.back();
    };
    for (const auto& u : inst.upstreams) add(u.name).upstream = true;
    for (const auto& d : inst.downstreams) {
        configured_interface& c = add(d.name);
        c.downstream = true;
        c.intake = intake_policy_of(d);
    }
    return out;
}

intake_policy intake_policy_of(const config::downstream& d) {
    intake_policy p;
    p.require_on_link_source = !d.tuning.accept_off_link_reports;
    return p;
}

namespace {

core::timer_settings timers_of(const config::downstream_tuning& t) {
    core::timer_settings s;
    s.robustness = t.robustness;
    s.query_interval = t.query_interval;
    s.query_response_interval = t.query_response_interval;
    s.startup_query_interval = t.startup_query_interval;
    s.startup_query_count = t.startup_query_count;
    s.last_member_query_interval = t.last_member_query_interval;
    s.last_member_query_count = t.last_member_query_count;
    return s;
}

core::if_index id_of(const std::vector<configured_interface>& ids, const std::string& name) {
    for (const auto& c : ids)
        if (c.name == name) return c.id;
    return 0;
}

}  // namespace

core::instance_settings core_settings(const config::instance& inst, const std::vector<configured_interface>& ids,
                                      std::uint64_t seed) {
    core::instance_settings s;
    s.ver = to_wire(inst.protocol);
    s.seed = seed;
    for (const auto& u : inst.upstreams) s.upstreams.push_back(id_of(ids, u.name));
    for (const auto& d : inst.downstreams) {
        const core::if_index id = id_of(ids, d.name);
        s.downstreams.push_back(id);
        core::router_settings r;
        r.name = d.name;
        r.timers = timers_of(d.tuning);
        r.fastleave = d.tuning.fastleave;
        r.max_groups = d.tuning.max_groups;
        r.max_sources_per_group = d.tuning.max_sources;
        r.max_tracked_hosts = d.tuning.max_hosts;
        s.router_overrides.emplace(id, r);
    }
    // Host side (RFC 3376 8.1, 8.11): robustness 2, unsolicited report
    // interval 1 s (10 s in the older versions, RFC 2236 8.10).
    s.host.timers = core::timer_settings{};
    // Filter tables, rule matching and the mutex timeout (doc/filters.md).
    s.filters = to_core_filters(inst, [&ids](std::string_view name) -> std::optional<core::if_index> {
        for (const auto& c : ids)
            if (c.name == name) return c.id;
        return std::nullopt;
    });
    s.forwarding.idle_timeout = inst.route_idle_timeout;
    // Counters are read a few times per idle period so an unused route goes
    // within about 1/3 of the timeout after it, never before.
    s.forwarding.counter_interval =
        std::clamp<core::duration>(inst.route_idle_timeout / 3, std::chrono::seconds(1), std::chrono::seconds(20));
    return s;
}

}  // namespace mcproxy::daemon
