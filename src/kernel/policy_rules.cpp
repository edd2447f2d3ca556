// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/policy_rules.hpp"

#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cstring>

namespace mcproxy::kernel {

namespace {
std::uint8_t rtnl_family(net::family f) {
    return f == net::family::ipv4 ? RTNL_FAMILY_IPMR : RTNL_FAMILY_IP6MR;
}

std::string describe(const mroute_rule& r) {
    std::string s = std::string(net::to_string(r.fam)) + " multicast rule";
    if (!r.iif.empty()) s += " iif " + r.iif;
    if (!r.oif.empty()) s += " oif " + r.oif;
    return s + " lookup " + std::to_string(r.table) + " pref " + std::to_string(r.priority);
}

std::string attr_string(std::span<const std::uint8_t> p) {
    std::string s(p.begin(), p.end());
    if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
    return s;
}

std::uint32_t attr_u32(std::span<const std::uint8_t> p) {
    std::uint32_t v = 0;
    if (p.size() >= sizeof v) std::memcpy(&v, p.data(), sizeof v);
    return v;
}
}  // namespace

result<policy_rules> policy_rules::open() {
    auto nl = netlink_socket::open();
    if (!nl) return nl.err();
    return policy_rules(std::move(*nl));
}

status policy_rules::change(std::uint16_t type, const mroute_rule& rule) {
    if (rule.iif.size() >= IFNAMSIZ || rule.oif.size() >= IFNAMSIZ)
        return make_error(EINVAL, describe(rule), "interface name too long");
    netlink_message msg(type, type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL : 0);
    fib_rule_hdr h{};
    h.family = rtnl_family(rule.fam);
    h.action = FR_ACT_TO_TBL;
    h.table = rule.table < 256 ? static_cast<std::uint8_t>(rule.table) : static_cast<std::uint8_t>(RT_TABLE_UNSPEC);
    msg.append_struct(h);
    msg.add_u32(FRA_TABLE, rule.table);
    msg.add_u32(FRA_PRIORITY, rule.priority);
    msg.add_u8(FRA_PROTOCOL, rule.protocol);
    if (!rule.iif.empty()) msg.add_string(FRA_IIFNAME, rule.iif);
    if (!rule.oif.empty()) msg.add_string(FRA_OIFNAME, rule.oif);
    const bool adding = type == RTM_NEWRULE;
    auto s = nl_.request(msg, std::string(adding ? "adding " : "removing ") + describe(rule));
    if (!s && s.code().value() == EAFNOSUPPORT)
        return make_error(EAFNOSUPPORT, std::string(adding ? "adding " : "removing ") + describe(rule),
                          rule.fam == net::family::ipv4
                              ? "the kernel lacks CONFIG_IP_MROUTE_MULTIPLE_TABLES"
                              : "the kernel lacks CONFIG_IPV6_MROUTE_MULTIPLE_TABLES");
    return s;
}

status policy_rules::add(const mroute_rule& rule) { return change(RTM_NEWRULE, rule); }

status policy_rules::remove(const mroute_rule& rule) { return change(RTM_DELRULE, rule); }

result<std::vector<mroute_rule>> policy_rules::dump(net::family fam) {
    netlink_message msg(RTM_GETRULE, NLM_F_DUMP);
    fib_rule_hdr h{};
    h.family = rtnl_family(fam);
    msg.append_struct(h);
    std::vector<mroute_rule> rules;
    auto s = nl_.dump(
        msg,
        [&](const nlmsghdr& m) {
            if (m.nlmsg_type != RTM_NEWRULE) return;
            const auto payload = netlink_payload(m);
            if (payload.size() < sizeof(fib_rule_hdr)) return;
            fib_rule_hdr rh{};
            std::memcpy(&rh, payload.data(), sizeof rh);
            if (rh.family != rtnl_family(fam)) return;
            mroute_rule r;
            r.fam = fam;
            r.table = rh.table;
            r.priority = 0;
            r.protocol = 0;
            for_each_attr(payload.subspan(NLMSG_ALIGN(sizeof rh)), [&](const netlink_attr& a) {
                switch (a.type) {
                    case FRA_TABLE: r.table = attr_u32(a.payload); break;
                    case FRA_PRIORITY: r.priority = attr_u32(a.payload); break;
                    case FRA_PROTOCOL: r.protocol = a.payload.empty() ? 0 : a.payload[0]; break;
                    case FRA_IIFNAME: r.iif = attr_string(a.payload); break;
                    case FRA_OIFNAME: r.oif = attr_string(a.payload); break;
                    default: break;
                }
            });
            rules.push_back(std::move(r));
        },
        std::string("listing ") + std::string(net::to_string(fam)) + " multicast rules");
    if (!s) {
        if (s.code().value() == EAFNOSUPPORT)
            return make_error(EAFNOSUPPORT, "listing multicast rules",
                              "the kernel lacks multicast policy routing (CONFIG_IP_MROUTE_MULTIPLE_TABLES / "
                              "CONFIG_IPV6_MROUTE_MULTIPLE_TABLES)");
        return s.err();
    }
    return rules;
}

result<std::size_t> policy_rules::remove_stale(net::family fam, std::uint8_t protocol) {
    auto rules = dump(fam);
    if (!rules) return rules.err();
    std::size_t removed = 0;
    for (const auto& r : *rules) {
        if (r.protocol != protocol) continue;
        auto s = remove(r);
        if (!s && s.code().value() != ENOENT) return s.err();
        if (s) ++removed;
    }
    return removed;
}

}  // namespace mcproxy::kernel
