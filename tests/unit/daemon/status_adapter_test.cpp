// SPDX-License-Identifier: GPL-2.0-or-later
// From the daemon's interface table and configuration to the status model.
#include "mcproxy/daemon/status_adapter.hpp"

#include <gtest/gtest.h>

namespace mcproxy::daemon {
namespace {

net::address a(const char* s) { return *net::address::parse(s); }

kernel::link_event link(unsigned idx, const char* name, bool up) {
    kernel::link_event l;
    l.ifindex = idx;
    l.name = name;
    l.up = up;
    l.running = up;
    l.mtu = 1500;
    return l;
}

kernel::address_event addr(unsigned idx, const char* text) {
    kernel::address_event e;
    e.what = kernel::address_event::kind::added;
    e.ifindex = idx;
    e.address = a(text);
    return e;
}

TEST(StatusAdapter, InterfacesFromTheTable) {
    interface_table t(net::family::ipv4, {configured_interface{1, "up0", true, false},
                                          configured_interface{2, "dn1", false, true},
                                          configured_interface{3, "peer", true, true},
                                          configured_interface{4, "ppp0", false, true}});
    t.apply(link(5, "up0", true));
    t.apply(addr(5, "192.0.2.1"));
    t.apply(link(6, "dn1", false));
    t.apply(link(7, "peer", true));
    const auto infos = interface_infos(t);
    ASSERT_EQ(infos.size(), 4u);
    EXPECT_EQ(infos[0].name, "up0");
    EXPECT_EQ(infos[0].id, 1u);
    EXPECT_EQ(infos[0].ifindex, 5u);
    EXPECT_EQ(infos[0].role, interface_role::upstream);
    EXPECT_EQ(infos[0].state, link_state::up);
    EXPECT_EQ(infos[0].address, a("192.0.2.1"));
    EXPECT_EQ(infos[1].role, interface_role::downstream);
    EXPECT_EQ(infos[1].state, link_state::down);
    EXPECT_EQ(infos[2].role, interface_role::peering);
    EXPECT_EQ(infos[3].state, link_state::missing);
    EXPECT_EQ(infos[3].ifindex, 0u);
}

TEST(StatusAdapter, InstanceNameProtocolAndTable) {
    config::instance c;
    c.name = "tv";
    c.protocol = config::protocol_version::mldv2;
    c.family = net::family::ipv6;
    c.table = 0;
    interface_table t(net::family::ipv6, {configured_interface{1, "up0", true, false}});
    auto info = instance_info_of(c, t);
    EXPECT_EQ(info.name, "tv");
    EXPECT_EQ(info.protocol, wire::version::mldv2);
    EXPECT_FALSE(info.table.has_value());  // 0: the default table
    ASSERT_EQ(info.interfaces.size(), 1u);
    c.table = 7;
    EXPECT_EQ(instance_info_of(c, t).table, 7u);
}

TEST(StatusAdapter, EveryIntakeReasonParsesBackFromItsCounterKey) {
    for (std::size_t i = 0; i < drop_cause_count; ++i) {
        const auto r = static_cast<drop_reason>(i);
        EXPECT_EQ(parse_drop_cause(to_string(r)), r) << to_string(r);
    }
    EXPECT_FALSE(parse_drop_cause("no_such_reason").has_value());
}

}  // namespace
}  // namespace mcproxy::daemon
