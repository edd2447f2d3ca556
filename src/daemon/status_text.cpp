// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/status_text.hpp"

#include <sstream>

#include "mcproxy/daemon/proxy_instance.hpp"

namespace mcproxy::daemon {

namespace {

std::string role_of(const configured_interface& c) {
    if (c.upstream && c.downstream) return "peering";
    return c.upstream ? "upstream" : "downstream";
}

std::string seconds_left(std::optional<core::time_point> t, core::time_point now) {
    if (!t) return "-";
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*t - now).count();
    std::ostringstream o;
    o.setf(std::ios::fixed);
    o.precision(1);
    o << (ms < 0 ? 0.0 : static_cast<double>(ms) / 1000.0) << "s";
    return o.str();
}

std::string name_of(const interface_table& ifaces, core::if_index id) {
    const interface_state* st = ifaces.by_id(id);
    return st ? st->conf.name : "#" + std::to_string(id);
}

}  // namespace

std::string describe(const interface_state& st) {
    std::string s = "interface " + st.conf.name + " (" + role_of(st.conf);
    if (st.ifindex == 0) return s + "): does not exist (waiting for it)";
    s += ", ifindex " + std::to_string(st.ifindex) + "): ";
    s += st.usable() ? "up" : (st.admin_up ? "no carrier" : "down");
    s += st.addresses.empty() ? ", no address" : ", address " + st.address().to_string();
    return s;
}

std::string describe(const wire::message& m) {
    return std::visit(
        [](const auto& x) -> std::string {
            using M = std::decay_t<decltype(x)>;
            const std::string v = wire::to_string(x.ver);
            if constexpr (std::is_same_v<M, wire::query>) {
                if (x.group.is_unspecified()) return v + " general query";
                return v + " query for " + x.group.to_string() +
                       (x.sources.empty() ? "" : " (" + std::to_string(x.sources.size()) + " sources)");
            } else if constexpr (std::is_same_v<M, wire::report_v3>) {
                std::string s = v + " report";
                for (const auto& r : x.records)
                    s += std::string(" ") + wire::to_string(r.type) + "(" + r.group.to_string() + "," +
                         std::to_string(r.sources.size()) + ")";
                return s;
            } else if constexpr (std::is_same_v<M, wire::report_v1v2>) {
                return v + " report for " + x.group.to_string();
            } else {
                return v + " leave for " + x.group.to_string();
            }
        },
        m);
}

std::string status_text(const config::instance& conf, const interface_table& ifaces, const core::instance& core,
                        const std::vector<route_line>& routes, const instance_counters& counters,
                        core::time_point now) {
    std::ostringstream o;
    o << "status of pinstance " << conf.name << " (" << config::to_string(conf.protocol) << ", table "
      << (conf.table == 0 ? std::string("default") : std::to_string(conf.table)) << ")\n";
    for (const auto& st : ifaces.all()) {
        o << "  " << describe(st) << "\n";
        if (const core::router* r = st.conf.downstream ? core.downstream(st.conf.id) : nullptr) {
            const auto q = r->querier();
            o << "    querier: " << (q.is_querier ? "this proxy" : "other") << " ("
              << (q.querier.is_unspecified() ? std::string("none yet") : q.querier.to_string())
              << "), robustness " << q.robustness << ", query interval "
              << std::chrono::duration_cast<std::chrono::seconds>(q.query_interval).count() << "s\n";
            for (const auto& g : r->groups(now)) {
                o << "    group " << g.group.to_string() << " " << core::to_string(g.mode) << " "
                  << wire::to_string(g.compat) << " filter timer " << seconds_left(g.filter_timer, now);
                for (const auto& s : g.sources)
                    o << " " << s.source.to_string() << "[" << seconds_left(s.timer, now) << "]";
                if (!g.hosts.empty()) o << " hosts " << g.hosts.size();
                o << "\n";
            }
        }
        if (const core::host* h = st.conf.upstream ? core.upstream(st.conf.id) : nullptr)
            o << "    reporting " << h->group_count() << " groups as " << wire::to_string(h->compat_version(now))
              << " host\n";
    }
    for (const auto& r : routes) {
        o << "  route (" << r.key.source.to_string() << ", " << r.key.group.to_string() << ") "
          << name_of(ifaces, r.input) << " ->";
        for (auto out : r.outputs) o << " " << name_of(ifaces, out);
        if (r.counters) o << " packets " << r.counters->packets << " bytes " << r.counters->bytes;
        o << "\n";
    }
    o << "  messages received " << counters.received << ", sent " << counters.sent << ", dropped "
      << counters.dropped.total() << ", upcalls " << counters.upcalls << ", route changes "
      << counters.route_changes;
    return o.str();
}

}  // namespace mcproxy::daemon
