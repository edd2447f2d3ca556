// SPDX-License-Identifier: GPL-2.0-or-later
// The interface table keeps each IPv4 address with its prefix length for the
// intake's on-link check (RFC 3376 9.2), in step with rtnetlink events.
#include "mcproxy/daemon/interface_table.hpp"

#include <gtest/gtest.h>

using namespace mcproxy;

namespace {

net::address a(const char* s) { return *net::address::parse(s); }

kernel::interface_event link(unsigned ifindex, const char* name, bool del = false) {
    kernel::link_event l;
    l.what = del ? kernel::link_event::kind::del_link : kernel::link_event::kind::new_link;
    l.ifindex = ifindex;
    l.name = name;
    l.up = l.running = true;
    l.mtu = 1500;
    return l;
}

kernel::interface_event addr(unsigned ifindex, const char* address, unsigned len, bool removed = false) {
    kernel::address_event e;
    e.what = removed ? kernel::address_event::kind::removed : kernel::address_event::kind::added;
    e.ifindex = ifindex;
    e.address = a(address);
    e.prefix_len = len;
    return e;
}

daemon::interface_table table(net::family f) {
    return daemon::interface_table(f, {daemon::configured_interface{1, "dn1", false, true}});
}

}  // namespace

TEST(InterfaceSubnets, AddedAndRemovedWithTheirPrefix) {
    auto t = table(net::family::ipv4);
    t.apply(link(5, "dn1"));
    t.apply(addr(5, "203.0.113.1", 24));
    t.apply(addr(5, "192.0.2.1", 28));
    const auto* st = t.by_name("dn1");
    ASSERT_NE(st, nullptr);
    EXPECT_EQ(st->subnets, (std::vector<daemon::subnet>{{a("203.0.113.1"), 24}, {a("192.0.2.1"), 28}}));
    t.apply(addr(5, "203.0.113.1", 24, true));
    EXPECT_EQ(st->subnets, (std::vector<daemon::subnet>{{a("192.0.2.1"), 28}}));
}

TEST(InterfaceSubnets, NewPrefixReplacesTheOld) {
    auto t = table(net::family::ipv4);
    t.apply(link(5, "dn1"));
    t.apply(addr(5, "203.0.113.1", 24));
    t.apply(addr(5, "203.0.113.1", 25));
    EXPECT_EQ(t.by_name("dn1")->subnets, (std::vector<daemon::subnet>{{a("203.0.113.1"), 25}}));
}

TEST(InterfaceSubnets, ForgottenWhenTheInterfaceGoesOrIsRecreated) {
    auto t = table(net::family::ipv4);
    t.apply(link(5, "dn1"));
    t.apply(addr(5, "203.0.113.1", 24));
    t.apply(link(5, "dn1", true));
    EXPECT_TRUE(t.by_name("dn1")->subnets.empty());
    t.apply(link(6, "dn1"));
    t.apply(addr(6, "198.18.3.1", 24));
    t.apply(link(7, "dn1"));  // created again under the same name
    EXPECT_TRUE(t.by_name("dn1")->subnets.empty());
}

TEST(InterfaceSubnets, OtherFamilyAndOtherInterfacesIgnored) {
    auto t = table(net::family::ipv4);
    t.apply(link(5, "dn1"));
    t.apply(link(8, "eth9"));
    t.apply(addr(5, "fe80::1", 64));
    t.apply(addr(8, "198.51.100.1", 24));
    EXPECT_TRUE(t.by_name("dn1")->subnets.empty());
    auto t6 = table(net::family::ipv6);
    t6.apply(link(5, "dn1"));
    t6.apply(addr(5, "fe80::1", 64));
    EXPECT_TRUE(t6.by_name("dn1")->subnets.empty());  // IPv6: link-local is on-link by definition
}
