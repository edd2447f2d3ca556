// SPDX-License-Identifier: GPL-2.0-or-later
// Status snapshots as human-readable tables.
#include <cinttypes>
#include <cstdio>
#include <span>

#include "mcproxy/daemon/status_format.hpp"
#include "text_table.hpp"

namespace mcproxy::daemon {

namespace {

using detail::text_table;

constexpr std::size_t indent = 2;

std::string addr_or_dash(const net::address& a) { return a.is_unspecified() ? "-" : a.to_string(); }

std::string count_or_dash(const std::optional<std::uint64_t>& n) { return n ? std::to_string(*n) : "-"; }

std::string joined(std::span<const net::address> list) {
    std::string s = "{";
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i) s += ", ";
        s += list[i].to_string();
    }
    return s + "}";
}

std::string membership_text(const core::membership& m) { return core::to_string(m.mode) + std::string(" ") + joined(m.sources.items()); }

void header(std::string& out, const instance_status& st) {
    out += "instance ";
    out += st.name;
    out += ": ";
    out += wire::to_string(st.protocol);
    out += ", table ";
    out += st.table ? std::to_string(*st.table) : std::string("default");
    out += '\n';
}

void section(std::string& out, const char* title, const text_table& t, const char* none) {
    out += std::string(indent, ' ') + title + ":\n";
    if (t.empty())
        out += std::string(2 * indent, ' ') + none + "\n";
    else
        t.render(out, 2 * indent);
}

/// The QUERIER column: the router's querier role, or the host's version.
std::string querier_text(const interface_status& i) {
    std::string s;
    if (i.downstream) {
        const auto& d = *i.downstream;
        if (!d.active) {
            s = "inactive";
        } else if (d.querier.is_querier) {
            s = "querier";
            if (d.querier.next_general_query) s += " (next query " + format_duration(d.querier.next_general_query) + ")";
        } else {
            s = "non-querier (querier " + addr_or_dash(d.querier.address) + ")";
        }
    }
    if (i.upstream) {
        if (!s.empty()) s += "; ";
        s += i.upstream->active ? std::string("host ") + wire::to_string(i.upstream->compatibility) : "host inactive";
    }
    return s;
}

text_table interfaces_table(const instance_status& st) {
    text_table t({"INTERFACE", "IFINDEX", "ROLE", "STATE", "ADDRESS", "QUERIER"});
    for (const auto& i : st.interfaces)
        t.add({i.name, i.ifindex ? std::to_string(i.ifindex) : "-", to_string(i.role), to_string(i.state),
               addr_or_dash(i.address), querier_text(i)});
    return t;
}

text_table groups_table(const instance_status& st) {
    text_table t({"INTERFACE", "GROUP", "MODE", "FILTER-TIMER", "COMPAT", "SOURCES", "HOSTS", "RETX"});
    for (const auto& i : st.interfaces) {
        if (!i.downstream) continue;
        for (const auto& g : i.downstream->groups)
            t.add({i.name, g.group.to_string(), core::to_string(g.mode), format_duration(g.filter_timer),
                   wire::to_string(g.compatibility), std::to_string(g.sources.size()),
                   std::to_string(g.hosts.size()) + (g.tracking_complete ? "" : "+"),
                   std::to_string(g.retransmissions)});
    }
    return t;
}

text_table hosts_table(const instance_status& st) {
    text_table t({"INTERFACE", "GROUP", "HOST", "MODE", "SOURCES", "EXPIRES"});
    for (const auto& i : st.interfaces) {
        if (!i.downstream) continue;
        for (const auto& g : i.downstream->groups)
            for (const auto& h : g.hosts)
                t.add({i.name, g.group.to_string(), h.host.to_string(),
                       std::string(core::to_string(h.mode)) + (h.older_version ? " (older version)" : ""),
                       joined(h.sources), format_duration(h.expires)});
    }
    return t;
}

/// RFC 3376 6.3: in INCLUDE mode every listed source is forwarded; in
/// EXCLUDE mode those with a running timer are, the Exclude List is not.
const char* forwarded(const group_status& g, const source_status& s) {
    return g.mode == core::filter_mode::include || s.timer ? "yes" : "no";
}

text_table sources_table(const instance_status& st) {
    text_table t({"INTERFACE", "GROUP", "MODE", "SOURCE", "TIMER", "FORWARD", "RETX"});
    for (const auto& i : st.interfaces) {
        if (!i.downstream) continue;
        for (const auto& g : i.downstream->groups) {
            // EXCLUDE mode: every source not listed is wanted until the filter timer runs out.
            if (g.mode == core::filter_mode::exclude)
                t.add({i.name, g.group.to_string(), core::to_string(g.mode), "*", format_duration(g.filter_timer),
                       "yes", "-"});
            for (const auto& s : g.sources)
                t.add({i.name, g.group.to_string(), core::to_string(g.mode), s.source.to_string(),
                       format_duration(s.timer), forwarded(g, s), std::to_string(s.retransmissions)});
        }
    }
    return t;
}

text_table upstream_table(const instance_status& st) {
    text_table t({"INTERFACE", "GROUP", "REPORTED", "PENDING"});
    for (const auto& i : st.interfaces) {
        if (!i.upstream) continue;
        for (const auto& g : i.upstream->groups) {
            std::string pending;
            if (g.retransmission_pending) pending = "retransmission";
            if (g.response_in) pending += (pending.empty() ? "" : ", ") + std::string("response in ") + format_duration(g.response_in);
            t.add({i.name, g.group.to_string(), membership_text(g.state), pending.empty() ? "-" : pending});
        }
    }
    return t;
}

text_table routes_table(const instance_status& st) {
    text_table t({"SOURCE", "GROUP", "INPUT", "OUTPUTS", "PACKETS", "BYTES", "FLAGS"});
    for (const auto& r : st.routes) {
        std::string outs;
        for (const auto& o : r.outputs) outs += (outs.empty() ? "" : ",") + o.name;
        std::string flags;
        if (r.proactive) flags += "proactive";
        if (!r.known_to_core) flags += (flags.empty() ? "" : ",") + std::string("stale");
        t.add({r.source.to_string(), r.group.to_string(), r.input.name, outs.empty() ? "-" : outs,
               count_or_dash(r.packets), count_or_dash(r.bytes), flags.empty() ? "-" : flags});
    }
    return t;
}

void stats_text(std::string& out, const counters& c) {
    text_table t({"COUNTER", "VALUE"});
    for (std::size_t k = 0; k < message_kind_count; ++k)
        if (c.received[k]) t.add({std::string("received ") + to_string(static_cast<message_kind>(k)), std::to_string(c.received[k])});
    t.add({"received total", std::to_string(c.total_received())});
    for (std::size_t k = 0; k < message_kind_count; ++k)
        if (c.sent[k]) t.add({std::string("sent ") + to_string(static_cast<message_kind>(k)), std::to_string(c.sent[k])});
    t.add({"sent total", std::to_string(c.total_sent())});
    t.add({"send errors", std::to_string(c.send_errors)});
    for (std::size_t r = 0; r < drop_cause_count; ++r)
        if (c.dropped[r]) t.add({std::string("dropped ") + to_string(static_cast<drop_cause>(r)), std::to_string(c.dropped[r])});
    t.add({"dropped total", std::to_string(c.total_dropped())});
    t.add({"upcalls nocache", std::to_string(c.upcalls_nocache)});
    t.add({"upcalls wrongvif", std::to_string(c.upcalls_wrongvif)});
    t.add({"routes added", std::to_string(c.routes_added)});
    t.add({"routes updated", std::to_string(c.routes_updated)});
    t.add({"routes removed", std::to_string(c.routes_removed)});
    t.render(out, indent);
}

void counters_line(std::string& out, const counters& c) {
    out += std::string(indent, ' ') + "counters: received " + std::to_string(c.total_received()) + ", sent " +
           std::to_string(c.total_sent()) + ", dropped " + std::to_string(c.total_dropped()) + ", upcalls " +
           std::to_string(c.upcalls_nocache + c.upcalls_wrongvif) + ", route changes " +
           std::to_string(c.route_changes()) + "\n";
}

}  // namespace

std::string format_duration(std::optional<core::duration> d) {
    if (!d) return "-";
    const auto us = d->count() < 0 ? std::int64_t{0} : static_cast<std::int64_t>(d->count());
    const std::int64_t tenths = us / 100000;  // truncated: a timer never shows more than is left
    const std::int64_t minutes = tenths / 600;
    char buf[48];
    if (minutes > 0)
        std::snprintf(buf, sizeof buf, "%" PRId64 "m%02" PRId64 ".%" PRId64 "s", minutes, (tenths % 600) / 10,
                      tenths % 10);
    else
        std::snprintf(buf, sizeof buf, "%" PRId64 ".%" PRId64 "s", tenths / 10, tenths % 10);
    return buf;
}

std::string format_text(const std::vector<instance_status>& instances, status_view view) {
    std::string out;
    if (instances.empty()) return "no instances\n";
    bool first = true;
    for (const auto& st : instances) {
        if (!first) out += '\n';
        first = false;
        header(out, st);
        switch (view) {
            case status_view::status:
                section(out, "interfaces", interfaces_table(st), "(none)");
                section(out, "groups and sources", sources_table(st), "(none)");
                section(out, "upstream reports", upstream_table(st), "(none)");
                section(out, "routes", routes_table(st), "(none)");
                counters_line(out, st.stats);
                break;
            case status_view::interfaces: interfaces_table(st).render(out, indent); break;
            case status_view::groups:
                section(out, "groups", groups_table(st), "(none)");
                section(out, "tracked hosts", hosts_table(st), "(none)");
                section(out, "upstream reports", upstream_table(st), "(none)");
                break;
            case status_view::sources: section(out, "sources", sources_table(st), "(none)"); break;
            case status_view::routes: section(out, "routes", routes_table(st), "(none)"); break;
            case status_view::stats: stats_text(out, st.stats); break;
        }
    }
    return out;
}

const char* to_string(status_view v) {
    switch (v) {
        case status_view::status: return "status";
        case status_view::interfaces: return "interfaces";
        case status_view::groups: return "groups";
        case status_view::sources: return "sources";
        case status_view::routes: return "routes";
        case status_view::stats: return "stats";
    }
    return "unknown";
}

std::optional<status_view> parse_status_view(std::string_view name) {
    for (auto v : {status_view::status, status_view::interfaces, status_view::groups, status_view::sources,
                   status_view::routes, status_view::stats})
        if (name == to_string(v)) return v;
    return std::nullopt;
}

}  // namespace mcproxy::daemon
