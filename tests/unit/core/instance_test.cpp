// SPDX-License-Identifier: GPL-2.0-or-later
// The instance glue: downstream reports reach the upstream hosts as merged
// state-change reports, routes follow, links and queries are routed.
#include <gtest/gtest.h>

#include <array>
#include <random>

#include "core/host_test_util.hpp"
#include "mcproxy/core/instance.hpp"

namespace mcproxy::core {
namespace {

using namespace host_test;
using T = wire::record_type;

constexpr if_index up = 1, up2 = 2, d1 = 11, d2 = 12;

instance_settings settings(wire::version v, std::vector<if_index> ups = {up}) {
    instance_settings s;
    s.ver = v;
    s.upstreams = std::move(ups);
    s.downstreams = {d1, d2};
    return s;
}

message_event report(if_index iface, const char* from, wire::version v, std::vector<wire::group_record> recs) {
    const bool v6 = wire::family_of(v) == net::family::ipv6;
    return message_event{iface, ip(from), ip(v6 ? "ff02::16" : "224.0.0.22"), wire::report_v3{v, std::move(recs)}};
}

/// Sends on `iface` only.
std::vector<send_action> sent_on(const actions& out, if_index iface) {
    std::vector<send_action> r;
    for (const auto& s : sends(out))
        if (s.iface == iface) r.push_back(s);
    return r;
}

std::vector<wire::group_record> records_on(const actions& out, if_index iface) {
    std::vector<wire::group_record> r;
    for (const auto& s : sent_on(out, iface))
        if (const auto* m = std::get_if<wire::report_v3>(&s.msg))
            r.insert(r.end(), m->records.begin(), m->records.end());
    return r;
}

TEST(Instance, DownstreamJoinIsReportedUpstreamAtOnce) {
    instance inst(settings(wire::version::igmpv3), at(0s));
    actions out;
    inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3, {rec(T::change_to_exclude, "239.1.1.1", {})}), at(1s),
                out);
    EXPECT_EQ(inst.merged(ip("239.1.1.1")), exc({}));
    EXPECT_EQ(records_on(out, up), (std::vector{rec(T::change_to_exclude, "239.1.1.1", {})}));
    EXPECT_EQ(sent_on(out, up)[0].destination, ip("224.0.0.22"));
}

TEST(Instance, MergeOfTwoDownstreamsOnlyReportsRealChanges) {
    instance inst(settings(wire::version::igmpv3), at(0s));
    actions out;
    inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3,
                       {rec(T::allow_new_sources, "232.1.1.1", {"198.51.100.1"})}),
                at(1s), out);
    EXPECT_EQ(records_on(out, up), (std::vector{rec(T::allow_new_sources, "232.1.1.1", {"198.51.100.1"})}));
    out.clear();
    // The same source wanted on d2 too: the merged state does not change.
    inst.handle(report(d2, "203.0.113.10", wire::version::igmpv3,
                       {rec(T::allow_new_sources, "232.1.1.1", {"198.51.100.1"})}),
                at(1s), out);
    EXPECT_TRUE(records_on(out, up).empty());
    // But the route its data makes feeds both.
    inst.handle(upcall_event{upcall_kind::nocache, up, ip("198.51.100.1"), ip("232.1.1.1")}, at(2s), out);
    EXPECT_EQ(inst.routes().route({ip("198.51.100.1"), ip("232.1.1.1")})->outputs,
              (std::vector<if_index>{d1, d2}));
}

TEST(Instance, UpstreamDataIsRoutedToTheJoinedDownstream) {
    instance inst(settings(wire::version::igmpv3), at(0s));
    actions out;
    inst.handle(report(d2, "203.0.113.10", wire::version::igmpv3, {rec(T::mode_is_exclude, "239.1.1.1", {})}), at(1s),
                out);
    out.clear();
    inst.handle(upcall_event{upcall_kind::nocache, up, ip("192.0.2.99"), ip("239.1.1.1")}, at(2s), out);
    ASSERT_EQ(out.size(), 1u);
    const auto& r = std::get<set_route_action>(out[0]);
    EXPECT_EQ(r.input, up);
    EXPECT_EQ(r.outputs, std::vector<if_index>{d2});
}

TEST(Instance, DownstreamLinkDownWithdrawsItsMemberships) {
    instance inst(settings(wire::version::igmpv3), at(0s));
    actions out;
    inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3, {rec(T::mode_is_exclude, "239.1.1.1", {})}), at(1s),
                out);
    inst.handle(upcall_event{upcall_kind::nocache, up, ip("192.0.2.99"), ip("239.1.1.1")}, at(2s), out);
    out.clear();
    inst.handle(link_event{d1, false}, at(3s), out);
    EXPECT_EQ(records_on(out, up), (std::vector{rec(T::change_to_include, "239.1.1.1", {})}));
    EXPECT_TRUE(inst.routes().route({ip("192.0.2.99"), ip("239.1.1.1")})->outputs.empty());
    EXPECT_EQ(inst.downstream(d1), nullptr);
    inst.handle(link_event{d1, true}, at(4s), out);
    EXPECT_NE(inst.downstream(d1), nullptr);
}

TEST(Instance, UpstreamQueryIsAnsweredWithTheMergedState) {
    instance inst(settings(wire::version::igmpv3), at(0s));
    actions out;
    inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3,
                       {rec(T::mode_is_include, "239.1.1.1", {"198.51.100.1"})}),
                at(1s), out);
    inst.handle(report(d2, "203.0.113.10", wire::version::igmpv3,
                       {rec(T::mode_is_include, "239.1.1.1", {"198.51.100.2"})}),
                at(1s), out);
    wire::query q;
    q.ver = wire::version::igmpv3;
    q.group = net::address::any(net::family::ipv4);
    q.max_resp = 1000ms;
    // Let the state-change retransmissions finish first.
    for (int i = 0; i < 100; ++i) {
        auto d = inst.next_deadline();
        if (!d || *d > at(20s)) break;
        inst.advance(*d, out);
    }
    out.clear();
    inst.handle(message_event{up, ip("192.0.2.1"), ip("224.0.0.1"), q}, at(20s), out);
    inst.advance(at(21s), out);
    EXPECT_EQ(records_on(out, up),
              (std::vector{rec(T::mode_is_include, "239.1.1.1", {"198.51.100.1", "198.51.100.2"})}));
}

TEST(Instance, EveryUpstreamReportsEveryMembership) {
    instance inst(settings(wire::version::igmpv3, {up, up2}), at(0s));
    actions out;
    inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3, {rec(T::change_to_exclude, "239.1.1.1", {})}), at(1s),
                out);
    EXPECT_EQ(records_on(out, up).size(), 1u);
    EXPECT_EQ(records_on(out, up2).size(), 1u);
}

TEST(Instance, UpstreamFilterHookShapesWhatIsReported) {
    instance_settings s = settings(wire::version::igmpv3, {up, up2});
    // Only up2 may carry 239.1.1.1.
    s.upstream_filter = [](if_index u, const net::address& g, const membership& m) {
        return (u == up && g == *net::address::parse("239.1.1.1")) ? membership{} : m;
    };
    instance inst(s, at(0s));
    actions out;
    inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3, {rec(T::change_to_exclude, "239.1.1.1", {})}), at(1s),
                out);
    EXPECT_TRUE(records_on(out, up).empty());
    EXPECT_EQ(records_on(out, up2).size(), 1u);
}

TEST(Instance, MldInstanceWorksEndToEnd) {
    instance inst(settings(wire::version::mldv2), at(0s));
    actions out;
    inst.handle(report(d1, "fe80::10", wire::version::mldv2, {rec(T::change_to_exclude, "ff05::1", {})}), at(1s), out);
    EXPECT_EQ(records_on(out, up), (std::vector{rec(T::change_to_exclude, "ff05::1", {})}));
    EXPECT_EQ(sent_on(out, up)[0].destination, ip("ff02::16"));
    // IGMP messages are not for an MLD instance.
    out.clear();
    inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3, {rec(T::change_to_exclude, "239.1.1.1", {})}), at(1s),
                out);
    EXPECT_TRUE(out.empty());
}

TEST(Instance, MembershipExpiryDownstreamIsReportedUpstream) {
    instance inst(settings(wire::version::igmpv3), at(0s));
    actions out;
    inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3, {rec(T::mode_is_exclude, "239.1.1.1", {})}), at(1s),
                out);
    out.clear();
    // Nobody refreshes: after the Group Membership Interval (260 s) it ends.
    bool left = false;
    for (int i = 0; i < 10000 && !left; ++i) {
        auto d = inst.next_deadline();
        if (!d || *d > at(400s)) break;
        inst.advance(*d, out);
        for (const auto& r : records_on(out, up)) left = left || r.type == T::change_to_include;
    }
    EXPECT_TRUE(left);
    EXPECT_TRUE(inst.merged(ip("239.1.1.1")).empty());
}

TEST(Instance, OwnLoopedBackReportDoesNotSuppress) {
    instance inst(settings(wire::version::igmpv2), at(0s));
    actions out;
    inst.handle(address_event{up, ip("192.0.2.1")}, at(0s), out);
    inst.handle(message_event{d1, ip("192.0.2.10"), ip("239.1.1.1"), wire::report_v1v2{wire::version::igmpv2, ip("239.1.1.1")}},
                at(1s), out);
    wire::query q;
    q.ver = wire::version::igmpv2;
    q.group = net::address::any(net::family::ipv4);
    q.max_resp = 10000ms;
    inst.handle(message_event{up, ip("192.0.2.254"), ip("224.0.0.1"), q}, at(2s), out);
    ASSERT_TRUE(inst.upstream(up)->response_deadline(ip("239.1.1.1")));
    inst.handle(message_event{up, ip("192.0.2.1"), ip("239.1.1.1"), wire::report_v1v2{wire::version::igmpv2, ip("239.1.1.1")}},
                at(2s), out);
    EXPECT_TRUE(inst.upstream(up)->response_deadline(ip("239.1.1.1")));
}

}  // namespace
}  // namespace mcproxy::core

namespace mcproxy::core {
namespace {

using namespace host_test;

// Random reports from random hosts on four downstreams, random time jumps:
// after every step the upstream hosts hold exactly the merged state, the
// merge equals a from-scratch merge of the routers' memberships, and every
// route's outputs are what the memberships ask for.
TEST(InstanceRandom, UpstreamStateAlwaysEqualsTheMergeOfTheRouters) {
    std::mt19937 rng(4605);
    instance_settings s;
    s.ver = wire::version::igmpv3;
    s.upstreams = {1, 2};
    s.downstreams = {11, 12, 13, 14};
    instance inst(s, at(0s));
    const std::vector<net::address> groups{ip("239.8.0.1"), ip("239.8.0.2"), ip("232.8.0.3")};
    std::vector<net::address> pool;
    for (std::uint32_t i = 1; i <= 5; ++i) pool.push_back(net::address::v4(0xC6336400u + i));
    time_point now = at(1s);
    actions out;
    for (int step = 0; step < 3000; ++step) {
        out.clear();
        if (rng() % 5 == 0) {
            now += duration{static_cast<duration::rep>(rng() % 20'000'000)};
            for (int i = 0; i < 10000; ++i) {
                auto d = inst.next_deadline();
                if (!d || *d > now) break;
                inst.advance(*d, out);
            }
        } else if (rng() % 10 == 0) {
            inst.handle(upcall_event{upcall_kind::nocache, static_cast<if_index>(rng() % 2 ? 1 : 11 + rng() % 4),
                                     pool[rng() % pool.size()], groups[rng() % groups.size()]},
                        now, out);
        } else {
            const auto d = static_cast<if_index>(11 + rng() % 4);
            wire::group_record r;
            r.type = static_cast<wire::record_type>(1 + rng() % 6);
            r.group = groups[rng() % groups.size()];
            for (const auto& src : pool)
                if (rng() % 3 == 0) r.sources.push_back(src);
            const auto host_addr = net::address::v4(0xC0000200u + static_cast<std::uint32_t>(rng() % 3));
            inst.handle(message_event{d, host_addr, ip("224.0.0.22"), wire::report_v3{wire::version::igmpv3, {r}}},
                        now, out);
        }
        for (const auto& g : groups) {
            aggregator fresh;
            for (if_index d : s.downstreams)
                if (const router* r = inst.downstream(d)) fresh.set(d, g, r->membership(g));
            ASSERT_EQ(inst.merged(g), fresh.merged(g)) << "step " << step;
            ASSERT_EQ(inst.merged(g), fresh.recompute(g)) << "step " << step;
            for (if_index u : s.upstreams) ASSERT_EQ(inst.upstream(u)->state(g), inst.merged(g)) << "step " << step;
            for (const auto& src : pool) {
                auto rt = inst.routes().route({src, g});
                if (!rt) continue;
                std::vector<if_index> expect;
                const bool local = rt->input >= 11;
                if (local)
                    for (if_index u : s.upstreams) expect.push_back(u);
                for (if_index d : s.downstreams)
                    if (d != rt->input && fresh.downstream(d, g).wants(src)) expect.push_back(d);
                std::sort(expect.begin(), expect.end());
                ASSERT_EQ(rt->outputs, expect) << "step " << step;
            }
        }
    }
}

}  // namespace
}  // namespace mcproxy::core

namespace mcproxy::core {
namespace {

using namespace host_test;

// Every kind of event in random order (all message types and versions,
// link flaps, address changes, counters, upcalls on unknown interfaces):
// nothing crashes, deadlines move forward, and the upstream hosts keep
// exactly the merged state.
TEST(InstanceRandom, AnyEventSequenceKeepsTheInvariants) {
    std::mt19937 rng(7);
    instance_settings s;
    s.ver = wire::version::igmpv3;
    s.upstreams = {1};
    s.downstreams = {11, 12};
    instance inst(s, at(0s));
    const std::vector<net::address> groups{ip("239.9.0.1"), ip("224.0.0.9"), ip("232.9.0.1")};
    std::vector<net::address> pool{ip("198.51.100.1"), ip("198.51.100.2"), ip("203.0.113.3")};
    auto pick_if = [&] { return static_cast<if_index>(std::array<if_index, 4>{1, 11, 12, 99}[rng() % 4]); };
    auto pick_ver = [&] {
        return std::array<wire::version, 4>{wire::version::igmpv1, wire::version::igmpv2, wire::version::igmpv3,
                                            wire::version::mldv2}[rng() % 4];
    };
    time_point now = at(1s);
    actions out;
    for (int step = 0; step < 5000; ++step) {
        out.clear();
        const net::address& g = groups[rng() % groups.size()];
        switch (rng() % 9) {
            case 0: {
                wire::query q;
                q.ver = pick_ver();
                q.group = rng() % 2 ? net::address::any(wire::family_of(q.ver)) : g;
                q.max_resp = std::chrono::milliseconds(rng() % 20000);
                q.qrv = static_cast<std::uint8_t>(rng() % 8);
                q.qqi = std::chrono::seconds(rng() % 300);
                if (rng() % 2) q.sources.push_back(pool[rng() % pool.size()]);
                inst.handle(message_event{pick_if(), pool[rng() % pool.size()], ip("224.0.0.1"), q}, now, out);
                break;
            }
            case 1:
                inst.handle(message_event{pick_if(), ip("192.0.2.7"), g, wire::report_v1v2{rng() % 2 ? wire::version::igmpv1 : wire::version::igmpv2, g}},
                            now, out);
                break;
            case 2:
                inst.handle(message_event{pick_if(), ip("192.0.2.7"), ip("224.0.0.2"), wire::leave{wire::version::igmpv2, g}},
                            now, out);
                break;
            case 3: {
                wire::group_record r{static_cast<wire::record_type>(1 + rng() % 6), g, {}, {}};
                for (const auto& src : pool)
                    if (rng() % 2) r.sources.push_back(src);
                inst.handle(message_event{pick_if(), ip("192.0.2.8"), ip("224.0.0.22"),
                                          wire::report_v3{wire::version::igmpv3, {r}}},
                            now, out);
                break;
            }
            case 4: inst.handle(link_event{pick_if(), rng() % 2 == 0}, now, out); break;
            case 5: inst.handle(address_event{pick_if(), rng() % 2 ? ip("192.0.2.1") : ip("0.0.0.0")}, now, out); break;
            case 6:
                inst.handle(upcall_event{upcall_kind::wrongvif, pick_if(), pool[rng() % pool.size()], g}, now, out);
                break;
            case 7:
                inst.handle(counters_event{{{route_key{pool[rng() % pool.size()], g}, rng() % 3}}}, now, out);
                break;
            default: {
                now += duration{static_cast<duration::rep>(rng() % 30'000'000)};
                for (int i = 0; i < 10000; ++i) {
                    auto d = inst.next_deadline();
                    if (!d || *d > now) break;
                    inst.advance(*d, out);
                    auto nd = inst.next_deadline();
                    ASSERT_TRUE(!nd || *nd > *d) << "step " << step;
                }
            }
        }
        for (const auto& grp : groups) {
            if (grp.is_link_local_multicast()) {
                ASSERT_TRUE(inst.upstream(1)->state(grp).empty());
                continue;
            }
            ASSERT_EQ(inst.upstream(1)->state(grp), inst.merged(grp)) << "step " << step;
        }
        for (const auto& a : out) {
            if (const auto* sa = std::get_if<send_action>(&a)) {
                ASSERT_NE(sa->iface, 99u);
            }
        }
    }
}

}  // namespace
}  // namespace mcproxy::core

namespace mcproxy::core {
namespace {

// A reload that adds or removes a downstream changes only that interface:
// the others keep their memberships and routes.
TEST(InstanceReconfigure, AddedDownstreamJoinsTheMergeAndTheRoutes) {
    constexpr if_index d3 = 13;
    instance inst(settings(wire::version::igmpv3), at(0s));
    actions out;
    inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3, {rec(T::change_to_exclude, "239.1.1.1", {})}),
                at(1s), out);
    inst.handle(upcall_event{upcall_kind::nocache, up, ip("198.51.100.1"), ip("239.1.1.1")}, at(2s), out);
    out.clear();
    ASSERT_TRUE(inst.add_downstream(d3, router_settings{}, at(3s), out));
    EXPECT_FALSE(inst.add_downstream(d3, router_settings{}, at(3s), out)) << "known already";
    EXPECT_NE(inst.downstream(d3), nullptr);
    // d1's route is untouched by the addition.
    for (const auto& a : out) EXPECT_FALSE(std::holds_alternative<remove_route_action>(a));
    inst.handle(report(d3, "198.18.3.14", wire::version::igmpv3, {rec(T::change_to_exclude, "239.1.1.1", {})}),
                at(4s), out);
    EXPECT_EQ(inst.routes().route({ip("198.51.100.1"), ip("239.1.1.1")})->outputs,
              (std::vector<if_index>{d1, d3}));

    out.clear();
    ASSERT_TRUE(inst.remove_downstream(d3, at(5s), out));
    EXPECT_EQ(inst.downstream(d3), nullptr);
    EXPECT_EQ(inst.routes().route({ip("198.51.100.1"), ip("239.1.1.1")})->outputs, (std::vector<if_index>{d1}));
    EXPECT_TRUE(records_on(out, up).empty()) << "d1 still wants the group: no upstream change";
    out.clear();
    ASSERT_TRUE(inst.remove_downstream(d1, at(6s), out));
    EXPECT_EQ(records_on(out, up), (std::vector{rec(T::change_to_include, "239.1.1.1", {})}));
    EXPECT_FALSE(inst.remove_downstream(d1, at(6s), out));
}

TEST(InstanceReconfigure, RefusedWithFilters) {
    instance_settings s = settings(wire::version::igmpv3);
    const address_range all{ip("0.0.0.0"), ip("255.255.255.255")};
    s.filters.downstream[d1].out = source_filter(filter_kind::blacklist, {filter_rule{std::nullopt, all, all}});
    instance inst(s, at(0s));
    actions out;
    EXPECT_FALSE(inst.add_downstream(13, router_settings{}, at(1s), out));
    EXPECT_FALSE(inst.remove_downstream(d2, at(1s), out));
}

}  // namespace
}  // namespace mcproxy::core

namespace mcproxy::core {
namespace {

// A burst of host reports handled as one batch leaves as one packed upstream
// report; without the batch every host report gives its own.
TEST(InstanceBatch, BurstOfReportsBecomesOnePackedUpstreamReport) {
    auto burst = [](instance& inst, actions& out) {
        for (int i = 1; i <= 100; ++i) {
            const std::string g = "239.1.0." + std::to_string(i);
            inst.handle(report(d1, "192.0.2.10", wire::version::igmpv3, {rec(T::change_to_exclude, g.c_str(), {})}),
                        at(1s), out);
        }
    };
    instance batched(settings(wire::version::igmpv3), at(0s));
    actions out;
    batched.begin_batch();
    burst(batched, out);
    EXPECT_TRUE(sent_on(out, up).empty()) << "nothing leaves before the batch ends";
    batched.end_batch(at(1s), out);
    EXPECT_EQ(sent_on(out, up).size(), 1u);
    EXPECT_EQ(records_on(out, up).size(), 100u);
    EXPECT_EQ(batched.merged(ip("239.1.0.42")), exc({}));

    // Without a batch the first join goes out at once and the other 99,
    // arriving within the host's report pacing, follow in one report when
    // the pacing time is up.
    instance single(settings(wire::version::igmpv3), at(0s));
    actions out2;
    burst(single, out2);
    EXPECT_EQ(sent_on(out2, up).size(), 1u);
    EXPECT_EQ(records_on(out2, up).size(), 1u);
    const time_point paced = at(1s) + host_settings{}.report_pacing;
    ASSERT_EQ(single.next_deadline(), paced);
    actions out3;
    single.advance(paced, out3);
    EXPECT_EQ(sent_on(out3, up).size(), 1u);
    EXPECT_EQ(records_on(out3, up).size(), 99u);
}

}  // namespace
}  // namespace mcproxy::core

namespace mcproxy::core {
namespace {

// Peering: as querier on the peering link we follow our own leave there
// with the query it calls for, so the peer (a non-querier) ages the state
// out after the last member query time instead of the membership interval.
TEST(InstancePeering, OwnLeaveOnALinkWeQueryIsFollowedByOurQuery) {
    constexpr if_index peer = 5;
    instance_settings s;
    s.ver = wire::version::igmpv3;
    s.upstreams = {peer};
    s.downstreams = {peer, d1};
    instance inst(s, at(0s));
    actions out;
    inst.handle(address_event{peer, ip("192.0.2.1")}, at(0s), out);  // we are querier on the link
    inst.handle(address_event{d1, ip("203.0.113.1")}, at(0s), out);
    inst.handle(report(d1, "203.0.113.10", wire::version::igmpv3,
                       {rec(T::allow_new_sources, "232.1.1.1", {"198.51.100.20"})}),
                at(1s), out);
    ASSERT_FALSE(records_on(out, peer).empty()) << "the join is reported to the peer";
    out.clear();
    inst.handle(report(d1, "203.0.113.10", wire::version::igmpv3,
                       {rec(T::block_old_sources, "232.1.1.1", {"198.51.100.20"})}),
                at(2s), out);
    // The downstream querier asks first (RFC 3376 6.4.2); once its source
    // timer ran out the leave goes to the peer, followed by our Q(G,S).
    inst.advance(at(5s), out);
    const auto sent = sent_on(out, peer);
    auto is_block = [](const send_action& a) {
        const auto* r = std::get_if<wire::report_v3>(&a.msg);
        return r && !r->records.empty() && r->records[0].type == T::block_old_sources;
    };
    auto block = std::find_if(sent.begin(), sent.end(), is_block);
    ASSERT_NE(block, sent.end());
    auto query = std::find_if(block, sent.end(), [](const send_action& a) {
        const auto* q = std::get_if<wire::query>(&a.msg);
        return q && q->group == ip("232.1.1.1") && q->sources == std::vector{ip("198.51.100.20")};
    });
    EXPECT_NE(query, sent.end()) << "Q(G,S) on the peering link after our BLOCK";
    EXPECT_EQ(query->destination, ip("232.1.1.1"));
}

}  // namespace
}  // namespace mcproxy::core
