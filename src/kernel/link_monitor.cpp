// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/link_monitor.hpp"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace mcproxy::kernel {

namespace {
std::uint32_t u32(std::span<const std::uint8_t> p) {
    std::uint32_t v = 0;
    if (p.size() >= sizeof v) std::memcpy(&v, p.data(), sizeof v);
    return v;
}

std::optional<interface_event> parse_link(const nlmsghdr& m) {
    const auto payload = netlink_payload(m);
    if (payload.size() < sizeof(ifinfomsg)) return std::nullopt;
    ifinfomsg ifi{};
    std::memcpy(&ifi, payload.data(), sizeof ifi);
    link_event e;
    e.what = m.nlmsg_type == RTM_DELLINK ? link_event::kind::del_link : link_event::kind::new_link;
    e.ifindex = static_cast<unsigned>(ifi.ifi_index);
    e.flags = ifi.ifi_flags;
    e.up = (ifi.ifi_flags & IFF_UP) != 0;
    e.running = (ifi.ifi_flags & IFF_RUNNING) != 0;
    e.multicast = (ifi.ifi_flags & IFF_MULTICAST) != 0;
    for_each_attr(payload.subspan(NLMSG_ALIGN(sizeof ifi)), [&](const netlink_attr& a) {
        if (a.type == IFLA_IFNAME) {
            std::string s(a.payload.begin(), a.payload.end());
            if (auto nul = s.find('\0'); nul != std::string::npos) s.resize(nul);
            e.name = std::move(s);
        } else if (a.type == IFLA_MTU) {
            e.mtu = u32(a.payload);
        }
    });
    return e;
}

std::optional<interface_event> parse_addr(const nlmsghdr& m) {
    const auto payload = netlink_payload(m);
    if (payload.size() < sizeof(ifaddrmsg)) return std::nullopt;
    ifaddrmsg ifa{};
    std::memcpy(&ifa, payload.data(), sizeof ifa);
    if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6) return std::nullopt;
    const std::size_t alen = ifa.ifa_family == AF_INET ? 4 : 16;
    address_event e;
    e.what = m.nlmsg_type == RTM_DELADDR ? address_event::kind::removed : address_event::kind::added;
    e.ifindex = ifa.ifa_index;
    e.prefix_len = ifa.ifa_prefixlen;
    e.scope = ifa.ifa_scope;
    std::uint32_t flags = ifa.ifa_flags;
    std::optional<net::address> local, address;
    for_each_attr(payload.subspan(NLMSG_ALIGN(sizeof ifa)), [&](const netlink_attr& a) {
        if ((a.type == IFA_LOCAL || a.type == IFA_ADDRESS) && a.payload.size() == alen) {
            net::address x;
            if (alen == 4) {
                x = net::address::v4({a.payload[0], a.payload[1], a.payload[2], a.payload[3]});
            } else {
                std::array<std::uint8_t, 16> b{};
                std::memcpy(b.data(), a.payload.data(), 16);
                x = net::address::v6(b);
            }
            (a.type == IFA_LOCAL ? local : address) = x;
        } else if (a.type == IFA_FLAGS) {
            flags = u32(a.payload);
        }
    });
    // On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours.
    if (local) e.address = *local;
    else if (address) e.address = *address;
    else return std::nullopt;
    e.tentative = (flags & IFA_F_TENTATIVE) != 0;
    return e;
}
}  // namespace

std::optional<interface_event> parse_interface_event(const nlmsghdr& m) {
    switch (m.nlmsg_type) {
        case RTM_NEWLINK:
        case RTM_DELLINK: return parse_link(m);
        case RTM_NEWADDR:
        case RTM_DELADDR: return parse_addr(m);
        default: return std::nullopt;
    }
}

result<link_monitor> link_monitor::open() {
    auto events = netlink_socket::open({RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR});
    if (!events) return events.err();
    auto requests = netlink_socket::open();
    if (!requests) return requests.err();
    return link_monitor(std::move(*events), std::move(*requests));
}

result<std::vector<interface_event>> link_monitor::dump() {
    std::vector<interface_event> out;
    auto collect = [&](const nlmsghdr& m) {
        if (auto e = parse_interface_event(m)) out.push_back(std::move(*e));
    };
    netlink_message links(RTM_GETLINK, NLM_F_DUMP);
    links.append_struct(ifinfomsg{});
    if (auto s = requests_.dump(links, collect, "listing network interfaces"); !s) return s.err();
    netlink_message addrs(RTM_GETADDR, NLM_F_DUMP);
    addrs.append_struct(ifaddrmsg{});  // family AF_UNSPEC: IPv4 and IPv6
    if (auto s = requests_.dump(addrs, collect, "listing interface addresses"); !s) return s.err();
    return out;
}

result<std::vector<interface_event>> link_monitor::read() {
    std::vector<interface_event> out;
    auto s = events_.read_pending([&](const nlmsghdr& m) {
        if (auto e = parse_interface_event(m)) out.push_back(std::move(*e));
    });
    if (!s) return s.err();
    return out;
}

}  // namespace mcproxy::kernel
