// SPDX-License-Identifier: GPL-2.0-or-later
// Status snapshots as JSON. The field names are a public interface,
// documented in doc/control-protocol.md: add fields, never rename them.
#include <cctype>
#include <span>

#include "mcproxy/daemon/json_writer.hpp"
#include "mcproxy/daemon/status_format.hpp"

namespace mcproxy::daemon {

namespace {

std::optional<std::uint64_t> ms(std::optional<core::duration> d) {
    if (!d) return std::nullopt;
    return d->count() <= 0 ? 0 : static_cast<std::uint64_t>(d->count() / 1000);
}

const char* mode_name(core::filter_mode m) { return m == core::filter_mode::include ? "include" : "exclude"; }

void address_value(json_writer& w, const net::address& a) {
    if (a.is_unspecified())
        w.null();
    else
        w.value(a.to_string());
}

void address_list(json_writer& w, std::span<const net::address> list) {
    w.begin_array();
    for (const auto& a : list) w.value(a.to_string());
    w.end_array();
}

bool shows(status_view v, std::initializer_list<status_view> in) {
    for (auto x : in)
        if (x == v) return true;
    return false;
}

void querier_json(json_writer& w, const querier_status& q) {
    w.begin_object();
    w.member("is_querier", q.is_querier);
    w.key("address");
    address_value(w, q.address);
    w.member("other_querier_present_ms", ms(q.other_querier_present));
    w.member("next_general_query_ms", ms(q.next_general_query));
    w.member("startup_queries_left", q.startup_queries_left);
    w.member("robustness", q.robustness);
    w.member("query_interval_ms", static_cast<std::uint64_t>(q.query_interval.count() / 1000));
    w.end_object();
}

void group_json(json_writer& w, const group_status& g) {
    w.begin_object();
    w.member("group", g.group.to_string());
    w.member("filter_mode", mode_name(g.mode));
    w.member("filter_timer_ms", ms(g.filter_timer));
    w.member("compatibility", wire::to_string(g.compatibility));
    w.member("v1_host_present_ms", ms(g.v1_host_present));
    w.member("v2_host_present_ms", ms(g.v2_host_present));
    w.member("retransmissions", g.retransmissions);
    w.member("tracking_complete", g.tracking_complete);
    w.key("sources").begin_array();
    for (const auto& s : g.sources) {
        w.begin_object();
        w.member("source", s.source.to_string());
        w.member("timer_ms", ms(s.timer));
        // RFC 3376 6.3: EXCLUDE mode does not forward the Exclude List.
        w.member("forwarded", g.mode == core::filter_mode::include || s.timer.has_value());
        w.member("retransmissions", s.retransmissions);
        w.end_object();
    }
    w.end_array();
    w.key("hosts").begin_array();
    for (const auto& h : g.hosts) {
        w.begin_object();
        w.member("host", h.host.to_string());
        w.member("filter_mode", mode_name(h.mode));
        w.key("sources");
        address_list(w, h.sources);
        w.member("older_version", h.older_version);
        w.member("expires_ms", ms(h.expires));
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void downstream_json(json_writer& w, const downstream_status& d, status_view view) {
    w.begin_object();
    w.member("active", d.active);
    if (shows(view, {status_view::status, status_view::interfaces})) {
        w.key("querier");
        querier_json(w, d.querier);
    }
    w.member("tracked_hosts", static_cast<std::uint64_t>(d.tracked_hosts));
    w.member("group_count", static_cast<std::uint64_t>(d.groups.size()));
    if (shows(view, {status_view::status, status_view::groups, status_view::sources})) {
        w.key("groups").begin_array();
        for (const auto& g : d.groups) group_json(w, g);
        w.end_array();
    }
    w.end_object();
}

void upstream_json(json_writer& w, const upstream_status& u, status_view view) {
    w.begin_object();
    w.member("active", u.active);
    w.member("compatibility", wire::to_string(u.compatibility));
    w.member("group_count", static_cast<std::uint64_t>(u.groups.size()));
    if (shows(view, {status_view::status, status_view::groups, status_view::sources})) {
        w.key("groups").begin_array();
        for (const auto& g : u.groups) {
            w.begin_object();
            w.member("group", g.group.to_string());
            w.member("filter_mode", mode_name(g.state.mode));
            w.key("sources");
            address_list(w, g.state.sources.items());
            w.member("retransmission_pending", g.retransmission_pending);
            w.member("response_in_ms", ms(g.response_in));
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

void interface_json(json_writer& w, const interface_status& i, status_view view) {
    w.begin_object();
    w.member("name", i.name);
    if (i.ifindex)
        w.member("ifindex", i.ifindex);
    else
        w.key("ifindex").null();
    w.member("role", to_string(i.role));
    w.member("state", to_string(i.state));
    w.key("address");
    address_value(w, i.address);
    w.key("downstream");
    if (i.downstream)
        downstream_json(w, *i.downstream, view);
    else
        w.null();
    w.key("upstream");
    if (i.upstream)
        upstream_json(w, *i.upstream, view);
    else
        w.null();
    w.end_object();
}

void interface_ref_json(json_writer& w, const interface_ref& r) {
    w.begin_object();
    w.member("name", r.name);
    w.member("id", static_cast<std::uint64_t>(r.id));
    w.end_object();
}

void route_json(json_writer& w, const route_status& r) {
    w.begin_object();
    w.member("source", r.source.to_string());
    w.member("group", r.group.to_string());
    w.key("input");
    interface_ref_json(w, r.input);
    w.key("outputs").begin_array();
    for (const auto& o : r.outputs) interface_ref_json(w, o);
    w.end_array();
    w.member("proactive", r.proactive);
    w.member("known_to_core", r.known_to_core);
    w.member("packets", r.packets);
    w.member("bytes", r.bytes);
    w.member("wrong_interface", r.wrong_interface);
    w.end_object();
}

void counters_json(json_writer& w, const counters& c) {
    w.begin_object();
    w.key("received").begin_object();
    for (std::size_t k = 0; k < message_kind_count; ++k) w.member(to_string(static_cast<message_kind>(k)), c.received[k]);
    w.end_object();
    w.member("received_total", c.total_received());
    w.key("sent").begin_object();
    for (std::size_t k = 0; k < message_kind_count; ++k) w.member(to_string(static_cast<message_kind>(k)), c.sent[k]);
    w.end_object();
    w.member("sent_total", c.total_sent());
    w.member("send_errors", c.send_errors);
    w.key("dropped").begin_object();
    for (std::size_t r = 0; r < drop_cause_count; ++r) w.member(to_string(static_cast<drop_cause>(r)), c.dropped[r]);
    w.end_object();
    w.member("dropped_total", c.total_dropped());
    w.key("upcalls").begin_object();
    w.member("nocache", c.upcalls_nocache);
    w.member("wrongvif", c.upcalls_wrongvif);
    w.end_object();
    w.key("route_changes").begin_object();
    w.member("added", c.routes_added);
    w.member("updated", c.routes_updated);
    w.member("removed", c.routes_removed);
    w.end_object();
    w.end_object();
}

void instance_json(json_writer& w, const instance_status& st, status_view view) {
    w.begin_object();
    w.member("name", st.name);
    w.member("protocol", wire::to_string(st.protocol));
    w.member("family", wire::family_of(st.protocol) == net::family::ipv4 ? "ipv4" : "ipv6");
    if (st.table)
        w.member("table", static_cast<std::uint64_t>(*st.table));
    else
        w.key("table").null();
    if (view != status_view::routes && view != status_view::stats) {
        w.key("interfaces").begin_array();
        for (const auto& i : st.interfaces) interface_json(w, i, view);
        w.end_array();
    }
    if (shows(view, {status_view::status, status_view::routes})) {
        w.key("routes").begin_array();
        for (const auto& r : st.routes) route_json(w, r);
        w.end_array();
    }
    if (shows(view, {status_view::status, status_view::stats})) {
        w.key("counters");
        counters_json(w, st.stats);
    }
    w.end_object();
}

}  // namespace

std::string format_json(const std::vector<instance_status>& instances, status_view view, unsigned indent) {
    json_writer w(indent);
    w.begin_object();
    w.member("schema", "mcproxy-status");
    w.member("schema_version", status_schema_version);
    w.member("mcproxy_version", MCPROXY_VERSION);
    w.member("view", to_string(view));
    w.key("instances").begin_array();
    for (const auto& st : instances) instance_json(w, st, view);
    w.end_array();
    w.end_object();
    std::string out = w.take();
    out += '\n';
    return out;
}

}  // namespace mcproxy::daemon
