// SPDX-License-Identifier: GPL-2.0-or-later
// Building an instance_status from the core's introspection.
#include "mcproxy/daemon/status.hpp"

#include <algorithm>
#include <set>

#include "mcproxy/core/membership_record.hpp"

namespace mcproxy::daemon {

namespace {

/// Time left until `at`; overdue timers (advance() not yet run) show 0.
std::optional<core::duration> left(std::optional<core::time_point> at, core::time_point now) {
    if (!at || *at == core::timer_off) return std::nullopt;
    return *at > now ? *at - now : core::duration{0};
}

bool has_downstream(interface_role r) { return r != interface_role::upstream; }
bool has_upstream(interface_role r) { return r != interface_role::downstream; }

group_status convert(const core::router_group_status& g, core::time_point now) {
    group_status s;
    s.group = g.group;
    s.mode = g.mode;
    s.filter_timer = left(g.filter_timer, now);
    s.sources.reserve(g.sources.size());
    for (const auto& src : g.sources) s.sources.push_back({src.source, left(src.timer, now), src.retransmissions});
    s.compatibility = g.compat;
    s.v1_host_present = left(g.v1_host_present_until, now);
    s.v2_host_present = left(g.v2_host_present_until, now);
    s.retransmissions = g.group_retransmissions;
    s.hosts.reserve(g.hosts.size());
    for (const auto& h : g.hosts)
        s.hosts.push_back({h.host, h.mode, h.sources.to_vector(), h.older_version, left(h.expires, now)});
    s.tracking_complete = g.tracking_complete;
    return s;
}

downstream_status downstream_of(const core::router* r, core::time_point now) {
    downstream_status d;
    if (!r) return d;
    d.active = true;
    const auto q = r->querier();
    d.querier.is_querier = q.is_querier;
    d.querier.address = q.querier;
    d.querier.other_querier_present = left(q.other_querier_present_until, now);
    d.querier.next_general_query = left(q.next_general_query, now);
    d.querier.startup_queries_left = q.startup_queries_left;
    d.querier.robustness = q.robustness;
    d.querier.query_interval = q.query_interval;
    const auto groups = r->groups(now);
    d.groups.reserve(groups.size());
    for (const auto& g : groups) d.groups.push_back(convert(g, now));
    d.tracked_hosts = r->tracked_host_count();
    return d;
}

upstream_status upstream_of(const core::host* h, const std::set<net::address>& candidates, core::time_point now) {
    upstream_status u;
    if (!h) return u;
    u.active = true;
    u.compatibility = h->compat_version(now);
    for (const auto& g : candidates) {
        reported_group_status r;
        r.group = g;
        r.state = h->state(g);
        r.retransmission_pending = h->retransmission_pending(g);
        r.response_in = left(h->response_deadline(g), now);
        if (!r.state.empty() || r.retransmission_pending || r.response_in) u.groups.push_back(std::move(r));
    }
    return u;
}

interface_ref ref_of(core::if_index id, const instance_info& info) {
    for (const auto& i : info.interfaces)
        if (i.id == id) return {id, i.name};
    return {id, "if" + std::to_string(id)};
}

}  // namespace

const char* to_string(interface_role r) {
    switch (r) {
        case interface_role::upstream: return "upstream";
        case interface_role::downstream: return "downstream";
        case interface_role::peering: return "peering";
    }
    return "unknown";
}

const char* to_string(link_state s) {
    switch (s) {
        case link_state::up: return "up";
        case link_state::down: return "down";
        case link_state::missing: return "missing";
    }
    return "unknown";
}

instance_status snapshot(const core::instance& inst, core::time_point now, const instance_info& info) {
    instance_status st;
    st.name = info.name;
    st.protocol = info.protocol;
    st.table = info.table;
    st.stats = info.stats;

    // Downstreams first: their groups are the candidates for the upstream lists.
    std::set<net::address> candidates;
    st.interfaces.reserve(info.interfaces.size());
    for (const auto& i : info.interfaces) {
        interface_status s;
        s.name = i.name;
        s.ifindex = i.ifindex;
        s.id = i.id;
        s.role = i.role;
        s.state = i.state;
        s.address = i.address;
        if (has_downstream(i.role)) {
            s.downstream = downstream_of(inst.downstream(i.id), now);
            for (const auto& g : s.downstream->groups) candidates.insert(g.group);
        }
        st.interfaces.push_back(std::move(s));
    }
    for (std::size_t n = 0; n < info.interfaces.size(); ++n) {
        const auto& i = info.interfaces[n];
        if (has_upstream(i.role)) st.interfaces[n].upstream = upstream_of(inst.upstream(i.id), candidates, now);
    }

    st.routes.reserve(info.routes.size());
    for (const auto& r : info.routes) {
        route_status s;
        s.source = r.key.source;
        s.group = r.key.group;
        s.input = ref_of(r.input, info);
        for (auto o : r.outputs) s.outputs.push_back(ref_of(o, info));
        if (const auto core_route = inst.routes().route(r.key)) {
            s.known_to_core = true;
            s.proactive = core_route->proactive;
        }
        s.packets = r.packets;
        s.bytes = r.bytes;
        s.wrong_interface = r.wrong_interface;
        st.routes.push_back(std::move(s));
    }
    std::sort(st.routes.begin(), st.routes.end(), [](const route_status& a, const route_status& b) {
        return a.group != b.group ? a.group < b.group : a.source < b.source;
    });
    return st;
}

}  // namespace mcproxy::daemon
