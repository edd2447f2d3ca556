// SPDX-License-Identifier: GPL-2.0-or-later
// Following configured interfaces through rtnetlink events: appearing late,
// flapping, changing addresses, renamed, deleted and re-created.
#include <gtest/gtest.h>

#include "mcproxy/daemon/core_settings.hpp"
#include "mcproxy/daemon/interface_table.hpp"

using namespace mcproxy;
using daemon::configured_interface;
using daemon::interface_table;
using kernel::address_event;
using kernel::link_event;

namespace {

net::address a(const char* s) { return *net::address::parse(s); }

link_event link(unsigned idx, const char* name, bool up = true, bool running = true) {
    link_event l;
    l.ifindex = idx;
    l.name = name;
    l.up = up;
    l.running = running;
    l.mtu = 1500;
    return l;
}

link_event gone(unsigned idx, const char* name) {
    link_event l = link(idx, name, false, false);
    l.what = link_event::kind::del_link;
    return l;
}

address_event addr(unsigned idx, const char* text, bool added = true, bool tentative = false) {
    address_event e;
    e.what = added ? address_event::kind::added : address_event::kind::removed;
    e.ifindex = idx;
    e.address = a(text);
    e.tentative = tentative;
    return e;
}

interface_table v4() {
    return interface_table(net::family::ipv4, {configured_interface{1, "up0", true, false},
                                               configured_interface{2, "dn1", false, true}});
}

}  // namespace

TEST(InterfaceTable, UnknownUntilTheLinkAppears) {
    auto t = v4();
    EXPECT_EQ(t.by_id(2)->ifindex, 0u);
    EXPECT_FALSE(t.by_id(2)->usable());
    EXPECT_EQ(t.apply(link(7, "dn1")), std::vector<core::if_index>{2});
    EXPECT_EQ(t.by_ifindex(7), t.by_id(2));
    EXPECT_TRUE(t.by_id(2)->usable());
    EXPECT_TRUE(t.by_id(2)->address().is_unspecified());
    EXPECT_TRUE(t.by_id(2)->address().is_v4()) << "IGMP may be sent from 0.0.0.0 (RFC 3376 4.2.13)";
}

TEST(InterfaceTable, OtherInterfacesAreIgnored) {
    auto t = v4();
    EXPECT_TRUE(t.apply(link(9, "eth7")).empty());
    EXPECT_TRUE(t.apply(addr(9, "198.51.100.1")).empty());
    EXPECT_EQ(t.by_ifindex(9), nullptr);
}

TEST(InterfaceTable, UsableNeedsUpAndCarrier) {
    auto t = v4();
    t.apply(link(7, "dn1", true, false));
    EXPECT_FALSE(t.by_id(2)->usable());
    EXPECT_EQ(t.apply(link(7, "dn1", true, true)).size(), 1u);
    EXPECT_TRUE(t.by_id(2)->usable());
    EXPECT_EQ(t.apply(link(7, "dn1", false, false)).size(), 1u);
    EXPECT_FALSE(t.by_id(2)->usable());
    EXPECT_TRUE(t.apply(link(7, "dn1", false, false)).empty()) << "no change, no report";
}

TEST(InterfaceTable, AddressesOfTheFamilyInOrder) {
    auto t = v4();
    t.apply(link(7, "dn1"));
    EXPECT_TRUE(t.apply(addr(7, "2001:db8::1")).empty()) << "IPv6 address in an IPv4 table";
    EXPECT_EQ(t.apply(addr(7, "203.0.113.1")).size(), 1u);
    EXPECT_EQ(t.apply(addr(7, "198.18.0.1")).size(), 1u);
    EXPECT_EQ(t.by_id(2)->address(), a("203.0.113.1"));
    EXPECT_TRUE(t.apply(addr(7, "203.0.113.1")).empty()) << "duplicate";
    EXPECT_EQ(t.apply(addr(7, "203.0.113.1", false)).size(), 1u);
    EXPECT_EQ(t.by_id(2)->address(), a("198.18.0.1"));
}

TEST(InterfaceTable, Ipv6UsesOnlyFinishedLinkLocalAddresses) {
    interface_table t(net::family::ipv6, {configured_interface{1, "up0", true, false}});
    t.apply(link(3, "up0"));
    EXPECT_TRUE(t.apply(addr(3, "2001:db8::2")).empty()) << "RFC 3810 5: MLD uses the link-local address";
    EXPECT_TRUE(t.apply(addr(3, "fe80::2", true, true)).empty()) << "tentative (DAD running)";
    EXPECT_EQ(t.apply(addr(3, "fe80::2")).size(), 1u);
    EXPECT_EQ(t.by_id(1)->address(), a("fe80::2"));
}

TEST(InterfaceTable, DeletedAndCreatedAgainWithANewIfindex) {
    auto t = v4();
    t.apply(link(7, "dn1"));
    t.apply(addr(7, "203.0.113.1"));
    EXPECT_EQ(t.apply(gone(7, "dn1")), std::vector<core::if_index>{2});
    EXPECT_EQ(t.by_id(2)->ifindex, 0u);
    EXPECT_TRUE(t.by_id(2)->addresses.empty());
    EXPECT_EQ(t.by_ifindex(7), nullptr);
    EXPECT_EQ(t.apply(link(12, "dn1")).size(), 1u);
    EXPECT_EQ(t.by_id(2)->ifindex, 12u);
    EXPECT_TRUE(t.apply(addr(7, "203.0.113.1")).empty()) << "an address event for the old ifindex";
}

TEST(InterfaceTable, RenamedAwayAndRenamedIn) {
    auto t = v4();
    t.apply(link(7, "dn1"));
    EXPECT_EQ(t.apply(link(7, "old-dn1")), std::vector<core::if_index>{2});
    EXPECT_EQ(t.by_id(2)->ifindex, 0u);
    EXPECT_EQ(t.apply(link(8, "dn1")).size(), 1u);
    EXPECT_EQ(t.by_id(2)->ifindex, 8u);
}

// After ENOBUFS the daemon has only a dump of what exists now: whatever the
// dump lacks was deleted while the events were lost.
TEST(InterfaceTable, ResyncRemovesALinkDeletedWhileEventsWereLost) {
    auto t = v4();
    t.apply(link(7, "dn1"));
    t.apply(addr(7, "203.0.113.1"));
    t.apply(link(3, "up0"));
    const std::vector<kernel::interface_event> dump{link(3, "up0"), link(9, "eth7")};
    EXPECT_EQ(t.resync(dump), std::vector<core::if_index>{2}) << "up0 is unchanged";
    EXPECT_EQ(t.by_id(2)->ifindex, 0u);
    EXPECT_FALSE(t.by_id(2)->usable());
    EXPECT_TRUE(t.by_id(2)->addresses.empty());
    EXPECT_TRUE(t.by_id(2)->subnets.empty());
    EXPECT_EQ(t.by_ifindex(7), nullptr) << "a packet on the stale ifindex is not taken for dn1";
    EXPECT_TRUE(t.by_id(1)->usable());
    EXPECT_EQ(t.apply(link(12, "dn1")).size(), 1u) << "created again later: found as usual";
    EXPECT_EQ(t.by_id(2)->ifindex, 12u);
}

TEST(InterfaceTable, ResyncRemovesAnAddressDeletedWhileEventsWereLost) {
    auto t = v4();
    t.apply(link(7, "dn1"));
    t.apply(addr(7, "203.0.113.1"));
    t.apply(addr(7, "198.18.0.1"));
    const std::vector<kernel::interface_event> dump{link(7, "dn1"), addr(7, "198.18.0.1")};
    EXPECT_EQ(t.resync(dump), std::vector<core::if_index>{2});
    EXPECT_EQ(t.by_id(2)->addresses, std::vector<net::address>{a("198.18.0.1")});
    ASSERT_EQ(t.by_id(2)->subnets.size(), 1u) << "nor is it on-link any more (RFC 3376 9.2)";
    EXPECT_EQ(t.by_id(2)->subnets.front().address, a("198.18.0.1"));
    EXPECT_TRUE(t.by_id(2)->usable());
    EXPECT_TRUE(t.resync(dump).empty()) << "the same dump again changes nothing";
}

TEST(InterfaceTable, ResyncFollowsALinkCreatedAgainWhileEventsWereLost) {
    auto t = v4();
    t.apply(link(7, "dn1"));
    t.apply(addr(7, "203.0.113.1"));
    const std::vector<kernel::interface_event> dump{link(12, "dn1"), addr(12, "198.18.0.1")};
    EXPECT_EQ(t.resync(dump), std::vector<core::if_index>{2}) << "reported once";
    EXPECT_EQ(t.by_id(2)->ifindex, 12u);
    EXPECT_EQ(t.by_ifindex(7), nullptr);
    EXPECT_EQ(t.by_id(2)->addresses, std::vector<net::address>{a("198.18.0.1")});
}

TEST(InterfaceTable, ResyncDoesNotUseATentativeAddress) {
    interface_table t(net::family::ipv6, {configured_interface{1, "up0", true, false}});
    t.apply(link(3, "up0"));
    t.apply(addr(3, "fe80::2"));
    // DAD started again (the link flapped while the events were lost).
    EXPECT_EQ(t.resync({link(3, "up0"), addr(3, "fe80::2", true, true)}), std::vector<core::if_index>{1});
    EXPECT_TRUE(t.by_id(1)->addresses.empty());
}

TEST(InterfaceTable, NumberingGivesAPeeringInterfaceOneId) {
    config::instance inst;
    inst.upstreams.resize(2);
    inst.upstreams[0].name = "wan";
    inst.upstreams[1].name = "peer";
    inst.downstreams.resize(2);
    inst.downstreams[0].name = "peer";
    inst.downstreams[1].name = "lan";
    const auto ids = daemon::number_interfaces(inst);
    ASSERT_EQ(ids.size(), 3u);
    EXPECT_EQ(ids[0].name, "wan");
    EXPECT_EQ(ids[1].name, "peer");
    EXPECT_TRUE(ids[1].upstream && ids[1].downstream);
    EXPECT_EQ(ids[2].name, "lan");
    EXPECT_EQ(ids[2].id, 3u);
    const auto s = daemon::core_settings(inst, ids, 1);
    EXPECT_EQ(s.upstreams, (std::vector<core::if_index>{1, 2}));
    EXPECT_EQ(s.downstreams, (std::vector<core::if_index>{2, 3}));
    EXPECT_EQ(s.router_overrides.at(3).name, "lan");
}
