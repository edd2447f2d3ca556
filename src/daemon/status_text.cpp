// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/status_text.hpp"



namespace mcproxy::daemon {

namespace {

std::string role_of(const configured_interface& c) {
    if (c.upstream && c.downstream) return "peering";
    return c.upstream ? "upstream" : "downstream";
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

}  // namespace mcproxy::daemon
