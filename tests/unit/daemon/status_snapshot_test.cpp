// SPDX-License-Identifier: GPL-2.0-or-later
// Status snapshots of a real core::instance driven by real events: host
// reports, queries from another router, kernel upcalls, link changes.
#include <gtest/gtest.h>

#include "daemon/instance_driver.hpp"

namespace mcproxy::daemon {
namespace {

using namespace test;
using T = wire::record_type;
using core::host_test::exc;
using core::host_test::inc;

const interface_status& iface(const instance_status& st, const std::string& name) {
    for (const auto& i : st.interfaces)
        if (i.name == name) return i;
    throw std::out_of_range("no interface " + name);
}

const group_status* group(const interface_status& i, const char* g) {
    if (!i.downstream) return nullptr;
    for (const auto& x : i.downstream->groups)
        if (x.group == ip(g)) return &x;
    return nullptr;
}

const reported_group_status* reported(const interface_status& i, const char* g) {
    if (!i.upstream) return nullptr;
    for (const auto& x : i.upstream->groups)
        if (x.group == ip(g)) return &x;
    return nullptr;
}

core::message_event general_query(core::if_index iface_id, const char* from) {
    wire::query q;
    q.ver = wire::version::igmpv3;
    q.group = net::address::any(net::family::ipv4);
    q.max_resp = 10s;
    q.qrv = 2;
    q.qqi = 125s;
    return core::message_event{iface_id, ip(from), ip("224.0.0.1"), q};
}

TEST(StatusSnapshot, InterfacesKeepConfigurationOrderNamesAndRoles) {
    auto d = igmp_topology(at(0s));
    d->advance(at(0s));
    const auto st = d->snap(at(0s));
    EXPECT_EQ(st.name, "tv");
    EXPECT_EQ(st.protocol, wire::version::igmpv3);
    EXPECT_EQ(st.table, 12u);
    ASSERT_EQ(st.interfaces.size(), 3u);
    EXPECT_EQ(st.interfaces[0].name, "eth0");
    EXPECT_EQ(st.interfaces[0].ifindex, 2u);
    EXPECT_EQ(st.interfaces[0].role, interface_role::upstream);
    EXPECT_TRUE(st.interfaces[0].upstream.has_value());
    EXPECT_FALSE(st.interfaces[0].downstream.has_value());
    EXPECT_EQ(st.interfaces[1].name, "eth1");
    EXPECT_EQ(st.interfaces[1].address, ip("198.51.100.10"));
    EXPECT_TRUE(st.interfaces[1].downstream.has_value());
    EXPECT_FALSE(st.interfaces[1].upstream.has_value());
    EXPECT_EQ(st.interfaces[2].ifindex, 4u);
}

// RFC 3376 6.6.2: a router starts as querier; a query from a lower address
// makes it a non-querier for the Other Querier Present Interval (8.5).
TEST(StatusSnapshot, QuerierRoleFollowsElection) {
    auto d = igmp_topology(at(0s));
    d->advance(at(0s));
    auto st = d->snap(at(0s));
    const auto& q1 = iface(st, "eth1").downstream->querier;
    EXPECT_TRUE(q1.is_querier);
    EXPECT_EQ(q1.address, ip("198.51.100.10"));
    EXPECT_TRUE(q1.next_general_query.has_value());
    EXPECT_EQ(q1.robustness, 2u);
    EXPECT_EQ(q1.query_interval, 125s);

    d->event(general_query(down2_id, "203.0.113.2"), at(1s));
    st = d->snap(at(1s));
    const auto& q2 = iface(st, "eth2").downstream->querier;
    EXPECT_FALSE(q2.is_querier);
    EXPECT_EQ(q2.address, ip("203.0.113.2"));
    // 2 * 125 s + 10 s / 2 = 255 s, all of it left at the moment of the query.
    EXPECT_EQ(q2.other_querier_present, core::duration(255s));
    EXPECT_FALSE(q2.next_general_query.has_value());
    // eth1 did not hear that query.
    EXPECT_TRUE(iface(st, "eth1").downstream->querier.is_querier);
}

TEST(StatusSnapshot, GroupsShowFilterModeTimersSourcesAndHosts) {
    auto d = igmp_topology(at(0s));
    d->event(v3_report(down1_id, "198.51.100.20", T::change_to_exclude, "239.1.1.1", {}), at(1s));
    d->event(v3_report(down2_id, "203.0.113.20", T::mode_is_include, "232.1.1.1", {"198.18.0.5"}), at(1s));

    auto st = d->snap(at(11s));
    const auto* g1 = group(iface(st, "eth1"), "239.1.1.1");
    ASSERT_NE(g1, nullptr);
    EXPECT_EQ(g1->mode, core::filter_mode::exclude);
    // RFC 3376 6.4.2: TO_EX sets the filter timer to the GMI (260 s); 10 s later 250 s are left.
    EXPECT_EQ(g1->filter_timer, core::duration(250s));
    EXPECT_TRUE(g1->sources.empty());
    EXPECT_EQ(g1->compatibility, wire::version::igmpv3);
    ASSERT_EQ(g1->hosts.size(), 1u);
    EXPECT_EQ(g1->hosts[0].host, ip("198.51.100.20"));
    EXPECT_EQ(g1->hosts[0].mode, core::filter_mode::exclude);
    EXPECT_FALSE(g1->hosts[0].older_version);
    EXPECT_EQ(group(iface(st, "eth2"), "239.1.1.1"), nullptr);

    const auto* g2 = group(iface(st, "eth2"), "232.1.1.1");
    ASSERT_NE(g2, nullptr);
    EXPECT_EQ(g2->mode, core::filter_mode::include);
    EXPECT_FALSE(g2->filter_timer.has_value());
    ASSERT_EQ(g2->sources.size(), 1u);
    EXPECT_EQ(g2->sources[0].source, ip("198.18.0.5"));
    // RFC 3376 6.4.1: IS_IN sets the source timer to the GMI.
    EXPECT_EQ(g2->sources[0].timer, core::duration(250s));
    EXPECT_EQ(iface(st, "eth2").downstream->tracked_hosts, 1u);
}

TEST(StatusSnapshot, OlderVersionHostSetsCompatibilityMode) {
    auto d = igmp_topology(at(0s));
    d->event(core::message_event{down2_id, ip("203.0.113.30"), ip("239.2.2.2"),
                                 wire::report_v1v2{wire::version::igmpv2, ip("239.2.2.2")}},
             at(2s));
    const auto st = d->snap(at(2s));
    const auto* g = group(iface(st, "eth2"), "239.2.2.2");
    ASSERT_NE(g, nullptr);
    // RFC 3376 7.3.2: an IGMPv2 report puts the group in IGMPv2 mode for the Older Host Present Interval.
    EXPECT_EQ(g->compatibility, wire::version::igmpv2);
    EXPECT_EQ(g->v2_host_present, core::duration(260s));
    EXPECT_FALSE(g->v1_host_present.has_value());
    ASSERT_EQ(g->hosts.size(), 1u);
    EXPECT_TRUE(g->hosts[0].older_version);
}

TEST(StatusSnapshot, UpstreamShowsTheMergedReportedState) {
    auto d = igmp_topology(at(0s));
    d->event(v3_report(down1_id, "198.51.100.20", T::mode_is_include, "232.1.1.1", {"198.18.0.5"}), at(1s));
    d->event(v3_report(down2_id, "203.0.113.20", T::mode_is_include, "232.1.1.1", {"198.18.0.6"}), at(1s));
    d->event(v3_report(down2_id, "203.0.113.20", T::change_to_exclude, "239.1.1.1", {"198.18.0.7"}), at(1s));
    auto st = d->snap(at(1s));
    const auto& up = iface(st, "eth0");
    ASSERT_TRUE(up.upstream && up.upstream->active);
    EXPECT_EQ(up.upstream->compatibility, wire::version::igmpv3);
    ASSERT_EQ(up.upstream->groups.size(), 2u);
    // RFC 4605 4.1: INCLUDE lists are merged by union.
    EXPECT_EQ(reported(up, "232.1.1.1")->state, inc({"198.18.0.5", "198.18.0.6"}));
    EXPECT_EQ(reported(up, "239.1.1.1")->state, exc({"198.18.0.7"}));
    // RFC 3376 5.1: the state change is sent Robustness times; one is still to come.
    EXPECT_TRUE(reported(up, "239.1.1.1")->retransmission_pending);

    d->run_until(at(20s));
    st = d->snap(at(20s));
    EXPECT_FALSE(reported(iface(st, "eth0"), "239.1.1.1")->retransmission_pending);
}

TEST(StatusSnapshot, RoutesComeFromTheKernelBookWithCoreFlagsAndCounters) {
    auto d = igmp_topology(at(0s), /*proactive_include=*/true);
    d->event(v3_report(down1_id, "198.51.100.20", T::change_to_exclude, "239.1.1.1", {}), at(1s));
    d->event(v3_report(down2_id, "203.0.113.20", T::mode_is_include, "232.1.1.1", {"198.18.0.5"}), at(1s));
    d->event(core::upcall_event{core::upcall_kind::nocache, up_id, ip("198.18.0.9"), ip("239.1.1.1")}, at(2s));
    d->book().set_counters({ip("198.18.0.9"), ip("239.1.1.1")}, 42, 42000, 1);

    const auto st = d->snap(at(3s));
    ASSERT_EQ(st.routes.size(), 2u);
    // Sorted by group: 232.1.1.1 (proactive, INCLUDE source) before 239.1.1.1 (from the upcall).
    const auto& pro = st.routes[0];
    EXPECT_EQ(pro.group, ip("232.1.1.1"));
    EXPECT_EQ(pro.source, ip("198.18.0.5"));
    EXPECT_EQ(pro.input.name, "eth0");
    ASSERT_EQ(pro.outputs.size(), 1u);
    EXPECT_EQ(pro.outputs[0].name, "eth2");
    EXPECT_TRUE(pro.proactive);
    EXPECT_TRUE(pro.known_to_core);
    EXPECT_FALSE(pro.packets.has_value());

    const auto& up = st.routes[1];
    EXPECT_EQ(up.group, ip("239.1.1.1"));
    EXPECT_FALSE(up.proactive);
    ASSERT_EQ(up.outputs.size(), 1u);
    EXPECT_EQ(up.outputs[0].name, "eth1");
    EXPECT_EQ(up.packets, 42u);
    EXPECT_EQ(up.bytes, 42000u);
    EXPECT_EQ(up.wrong_interface, 1u);

    EXPECT_EQ(st.stats.upcalls_nocache, 1u);
    EXPECT_EQ(st.stats.routes_added, 2u);
}

TEST(StatusSnapshot, RouteUnknownToTheCoreAndUnknownInterfaceAreShown) {
    auto d = igmp_topology(at(0s));
    d->book().apply(core::set_route_action{{ip("198.18.0.1"), ip("239.9.9.9")}, 99, {down1_id}});
    const auto st = d->snap(at(1s));
    ASSERT_EQ(st.routes.size(), 1u);
    EXPECT_FALSE(st.routes[0].known_to_core);
    EXPECT_EQ(st.routes[0].input.name, "if99");
    EXPECT_EQ(st.routes[0].input.id, 99u);
    EXPECT_EQ(st.routes[0].outputs[0].name, "eth1");
}

TEST(StatusSnapshot, CountersFollowTheTraffic) {
    auto d = igmp_topology(at(0s));
    d->advance(at(0s));  // startup queries
    d->event(v3_report(down1_id, "198.51.100.20", T::change_to_exclude, "239.1.1.1", {}), at(1s));
    d->event(v3_report(down1_id, "198.51.100.21", T::change_to_exclude, "239.1.1.1", {}), at(1s));
    d->event(general_query(down2_id, "203.0.113.2"), at(1s));
    d->stats().count_dropped(wire::error::bad_checksum);
    d->stats().count_dropped(drop_cause::no_router_alert);
    const auto st = d->snap(at(1s));
    EXPECT_EQ(st.stats.received_of(message_kind::igmpv3_report), 2u);
    EXPECT_EQ(st.stats.received_of(message_kind::igmpv3_query), 1u);
    EXPECT_EQ(st.stats.total_received(), 3u);
    std::uint64_t queries = 0, reports = 0;
    for (const auto& s : d->sent()) {
        if (std::holds_alternative<wire::query>(s.msg)) ++queries;
        if (std::holds_alternative<wire::report_v3>(s.msg)) ++reports;
    }
    EXPECT_GE(queries, 2u);  // a startup query on each downstream
    EXPECT_GE(reports, 1u);  // the join reported upstream
    EXPECT_EQ(st.stats.sent_of(message_kind::igmpv3_query), queries);
    EXPECT_EQ(st.stats.sent_of(message_kind::igmpv3_report), reports);
    EXPECT_EQ(st.stats.dropped_of(drop_cause::bad_checksum), 1u);
    EXPECT_EQ(st.stats.total_dropped(), 2u);
}

TEST(StatusSnapshot, DownstreamLinkDownIsInactiveAndItsGroupsGone) {
    auto d = igmp_topology(at(0s));
    d->event(v3_report(down1_id, "198.51.100.20", T::change_to_exclude, "239.1.1.1", {}), at(1s));
    d->event(core::link_event{down1_id, false}, at(2s));
    d->info().interfaces[1].state = link_state::down;
    const auto st = d->snap(at(2s));
    const auto& e1 = iface(st, "eth1");
    EXPECT_EQ(e1.state, link_state::down);
    ASSERT_TRUE(e1.downstream.has_value());
    EXPECT_FALSE(e1.downstream->active);
    EXPECT_TRUE(e1.downstream->groups.empty());
    EXPECT_EQ(reported(iface(st, "eth0"), "239.1.1.1"), nullptr);
}

TEST(StatusSnapshot, ExpiredMembershipDisappearsWithItsRoute) {
    auto d = igmp_topology(at(0s));
    d->event(v3_report(down1_id, "198.51.100.20", T::change_to_exclude, "239.1.1.1", {}), at(1s));
    d->event(core::upcall_event{core::upcall_kind::nocache, up_id, ip("198.18.0.9"), ip("239.1.1.1")}, at(2s));
    EXPECT_EQ(d->snap(at(2s)).routes.size(), 1u);
    // Nobody answers the general queries: the group times out after the GMI.
    d->run_until(at(400s));
    const auto st = d->snap(at(400s));
    EXPECT_EQ(group(iface(st, "eth1"), "239.1.1.1"), nullptr);
    for (const auto& r : st.routes) EXPECT_TRUE(r.outputs.empty()) << r.group.to_string();
    EXPECT_GE(st.stats.route_changes(), 2u);
}

TEST(StatusSnapshot, TimersAreTimeLeftAndNeverNegative) {
    auto d = igmp_topology(at(0s));
    d->event(v3_report(down1_id, "198.51.100.20", T::change_to_exclude, "239.1.1.1", {}), at(1s));
    // Without advance() the record is overdue at 300 s: it shows 0, not a negative time.
    const auto st = d->snap(at(300s));
    const auto* g = group(iface(st, "eth1"), "239.1.1.1");
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->filter_timer, core::duration(0));
}

TEST(StatusSnapshot, PeeringInterfaceHasBothSides) {
    core::instance_settings s;
    s.ver = wire::version::mldv2;
    s.upstreams = {1};
    s.downstreams = {1, 2};
    instance_info info;
    info.name = "v6";
    info.protocol = wire::version::mldv2;
    info.interfaces = {
        {1, "peer0", 7, interface_role::peering, link_state::up, ip("fe80::1")},
        {2, "lan0", 8, interface_role::downstream, link_state::up, ip("fe80::2")},
    };
    test::instance_driver d(s, info, at(0s));
    d.event(core::address_event{1, ip("fe80::1")}, at(0s));
    d.event(core::address_event{2, ip("fe80::2")}, at(0s));
    d.event(core::message_event{2, ip("fe80::20"), ip("ff02::16"),
                                wire::report_v3{wire::version::mldv2,
                                                {core::host_test::rec(T::mode_is_include, "ff3e::1:2",
                                                                      {"2001:db8::5"})}}},
            at(1s));
    const auto st = d.snap(at(1s));
    EXPECT_FALSE(st.table.has_value());
    const auto& p = iface(st, "peer0");
    EXPECT_EQ(p.role, interface_role::peering);
    ASSERT_TRUE(p.downstream && p.upstream);
    // The lan0 membership is reported on the peering interface's host side.
    const auto* r = reported(p, "ff3e::1:2");
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->state, inc({"2001:db8::5"}));
    EXPECT_EQ(p.upstream->compatibility, wire::version::mldv2);
    ASSERT_NE(group(iface(st, "lan0"), "ff3e::1:2"), nullptr);
}

}  // namespace
}  // namespace mcproxy::daemon
