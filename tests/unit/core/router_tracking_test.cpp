// SPDX-License-Identifier: GPL-2.0-or-later
// Explicit tracking and fastleave; scope rules (link-local, SSM per RFC
// 4604), invalid input and the table bounds.
#include "router_test_util.hpp"

namespace mcproxy::core::test {
namespace {

using wire::version;

class router_tracking : public ::testing::TestWithParam<fam> {};

/// A fastleave router past its first Group Membership Interval (before
/// that, hosts that joined before the start may be unknown).
fixture settled(fam f, bool fastleave = true) {
    fixture x(f, fastleave);
    x.run_until(x.now + x.gmi());
    x.out.clear();
    return x;
}

TEST_P(router_tracking, hosts_are_tracked_per_group) {
    auto x = settled(GetParam());
    x.report(record_type::mode_is_exclude, 1, {3}, 1);
    x.report(record_type::allow_new_sources, 1, {1}, 2);
    auto st = x.r.group(grp(x.f, 1), x.now);
    ASSERT_TRUE(st);
    ASSERT_EQ(st->hosts.size(), 2u);
    EXPECT_EQ(st->hosts[0].host, host(x.f, 1));
    EXPECT_EQ(st->hosts[0].mode, filter_mode::exclude);
    EXPECT_EQ(st->hosts[0].sources, srcs(x.f, {3}));
    EXPECT_EQ(st->hosts[1].mode, filter_mode::include);
    EXPECT_EQ(st->hosts[1].sources, srcs(x.f, {1}));
    EXPECT_TRUE(st->tracking_complete);
    EXPECT_EQ(x.r.tracked_host_count(), 2u);
    // Entries expire one Group Membership Interval after their last report.
    x.run_until(x.now + x.gmi());
    EXPECT_EQ(x.r.tracked_host_count(), 0u);
}

// The last host leaves: pruned at once, no last-member queries.
TEST_P(router_tracking, fastleave_prunes_last_host_at_once) {
    auto x = settled(GetParam());
    x.report(record_type::mode_is_exclude, 1, {}, 1);
    auto changed = x.report(record_type::change_to_include, 1, {}, 1);
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_TRUE(x.mem(1).empty());
    EXPECT_TRUE(queries(x.out).empty());
}

// Never while another host still wants the group: RFC queries instead.
TEST_P(router_tracking, fastleave_keeps_group_another_host_wants) {
    auto x = settled(GetParam());
    x.report(record_type::mode_is_exclude, 1, {}, 1);
    x.report(record_type::mode_is_exclude, 1, {}, 2);
    auto changed = x.report(record_type::change_to_include, 1, {}, 1);
    EXPECT_TRUE(changed.empty());
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
    EXPECT_EQ(queries(x.out).size(), 1u);
    x.out.clear();
    changed = x.report(record_type::change_to_include, 1, {}, 2);
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_TRUE(x.mem(1).empty());
}

// Per source: BLOCK prunes a source only when no other host wants it.
TEST_P(router_tracking, fastleave_per_source) {
    auto x = settled(GetParam());
    x.report(record_type::allow_new_sources, 1, {1, 2}, 1);
    x.report(record_type::allow_new_sources, 1, {2}, 2);
    auto changed = x.report(record_type::block_old_sources, 1, {1, 2}, 1);
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::include, srcs(x.f, {2})}));
    auto qs = queries(x.out);
    ASSERT_EQ(qs.size(), 1u);
    EXPECT_EQ(source_set(qs[0].sources), srcs(x.f, {2})) << "source 2 still wanted: queried per RFC";
    x.out.clear();
    changed = x.report(record_type::block_old_sources, 1, {2}, 2);
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_TRUE(x.mem(1).empty());
}

// EXCLUDE mode: a blocked source nobody wants goes onto the Exclude List.
TEST_P(router_tracking, fastleave_block_in_exclude_mode) {
    auto x = settled(GetParam());
    x.report(record_type::mode_is_exclude, 1, {}, 1);
    auto changed = x.report(record_type::block_old_sources, 1, {1}, 1);
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, srcs(x.f, {1})}));
}

// IGMPv2 / MLDv1 hosts suppress reports: one report refreshes them all, so a
// silent host still counts when the reporting one leaves.
TEST_P(router_tracking, fastleave_respects_suppressed_older_hosts) {
    auto x = settled(GetParam());
    const version older = x.f == fam::v4 ? version::igmpv2 : version::mldv1;
    x.send(wire::report_v1v2{older, grp(x.f, 1)}, 1);
    x.send(wire::report_v1v2{older, grp(x.f, 1)}, 2);
    for (int i = 0; i < 5; ++i) {  // only host 1 answers the queries
        x.step(x.t().query_interval);
        x.send(wire::report_v1v2{older, grp(x.f, 1)}, 1);
    }
    EXPECT_EQ(x.r.group(grp(x.f, 1), x.now)->hosts.size(), 2u);
    x.out.clear();
    x.send(wire::leave{older, grp(x.f, 1)}, 1);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
    EXPECT_EQ(queries(x.out).size(), 1u);
    x.send(wire::leave{older, grp(x.f, 1)}, 2);
    EXPECT_TRUE(x.mem(1).empty());
}

// Until one Group Membership Interval after the start, tracking may miss
// hosts: fastleave falls back to the RFC's queries.
TEST_P(router_tracking, fastleave_waits_for_complete_tracking) {
    fixture x(GetParam(), true);
    x.report(record_type::mode_is_exclude, 1, {}, 1);
    x.report(record_type::change_to_include, 1, {}, 1);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
    EXPECT_EQ(queries(x.out).size(), 1u);
}

// Once the responses to the last startup query are due, every host has
// answered [Startup Query Count] queries: fastleave acts from then on,
// long before one Group Membership Interval.
TEST_P(router_tracking, fastleave_acts_after_the_startup_queries) {
    fixture x(GetParam(), true);
    const timer_settings& t = x.r.timers();
    const auto start = x.now;
    const auto ready = x.now + (t.startup_count() - 1) * t.startup_interval() + t.query_response_interval;
    x.run_until(ready - std::chrono::milliseconds(1));
    x.out.clear();
    x.report(record_type::mode_is_exclude, 1, {}, 1);
    x.report(record_type::change_to_include, 1, {}, 1);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}})) << "still inside the startup window";
    x.run_until(ready);
    x.out.clear();
    x.report(record_type::mode_is_exclude, 2, {}, 1);
    x.report(record_type::change_to_include, 2, {}, 1);
    EXPECT_TRUE(x.mem(2).empty());
    EXPECT_TRUE(queries(x.out).empty());
    EXPECT_LT(ready - start, t.group_membership_interval());
}

// Without fastleave behaviour is the RFC's: the last host leaving queries.
TEST_P(router_tracking, without_fastleave_rfc_behaviour) {
    auto x = settled(GetParam(), false);
    x.report(record_type::mode_is_exclude, 1, {}, 1);
    auto changed = x.report(record_type::change_to_include, 1, {}, 1);
    EXPECT_TRUE(changed.empty());
    EXPECT_EQ(queries(x.out).size(), 1u);
    EXPECT_EQ(x.r.record(grp(x.f, 1))->filter_timer, x.now + x.lmqt());
}

// A report from the unspecified address cannot be tracked (RFC 3376 4.2.13
// allows it): fastleave stays off for that group for one GMI.
TEST_P(router_tracking, unspecified_reporter_disables_fastleave) {
    auto x = settled(GetParam());
    x.send_from(rec(x.f, record_type::mode_is_exclude, grp(x.f, 1), {}),
                net::address::any(x.f == fam::v4 ? net::family::ipv4 : net::family::ipv6));
    x.report(record_type::mode_is_exclude, 1, {}, 1);
    x.report(record_type::change_to_include, 1, {}, 1);
    EXPECT_FALSE(x.mem(1).empty());
    EXPECT_FALSE(x.r.group(grp(x.f, 1), x.now)->tracking_complete);
}

// The tracked host table is bounded; an untracked host disables fastleave
// for the group instead of risking a wrong prune.
TEST_P(router_tracking, tracked_hosts_bounded) {
    router_settings s = fixture::make(GetParam(), true, std::nullopt, true);
    s.max_tracked_hosts = 4;
    router r(s, time_point{});
    actions out;
    time_point now = time_point{} + s.timers.group_membership_interval();
    r.advance(now, out);
    for (int h = 1; h <= 10; ++h)
        r.handle(rec(GetParam(), record_type::mode_is_exclude, grp(GetParam(), 1), {}), host(GetParam(), h), now,
                 out);
    EXPECT_EQ(r.tracked_host_count(), 4u);
    for (int h = 1; h <= 4; ++h)
        r.handle(rec(GetParam(), record_type::change_to_include, grp(GetParam(), 1), {}), host(GetParam(), h), now,
                 out);
    EXPECT_FALSE(r.membership(grp(GetParam(), 1)).empty()) << "hosts 5..10 were never tracked";
}

// ---- scope rules and invalid input ----

TEST_P(router_tracking, link_local_groups_ignored) {
    fixture x(GetParam());
    const auto g = addr(x.f == fam::v4 ? "224.0.0.251" : "ff02::fb");
    auto changed = x.send(rec(x.f, record_type::mode_is_exclude, g, {}));
    EXPECT_TRUE(changed.empty());
    EXPECT_EQ(x.r.group_count(), 0u);
    const version older = x.f == fam::v4 ? version::igmpv2 : version::mldv1;
    x.send(wire::report_v1v2{older, g});
    EXPECT_EQ(x.r.group_count(), 0u);
    // Scope 1 and 0 too.
    if (x.f == fam::v6) {
        x.send(rec(x.f, record_type::mode_is_exclude, addr("ff01::1:3"), {}));
        x.send(rec(x.f, record_type::mode_is_exclude, addr("ff10::1:3"), {}));
        EXPECT_EQ(x.r.group_count(), 0u);
    }
}

// RFC 4604: EXCLUDE-mode records and older-version reports for SSM groups
// are ignored; INCLUDE-mode records are processed.
TEST_P(router_tracking, ssm_exclude_ignored) {
    fixture x(GetParam());
    const auto g = addr(x.f == fam::v4 ? "232.1.1.1" : "ff3e::1:1");
    x.send(rec(x.f, record_type::mode_is_exclude, g, {}));
    x.send(rec(x.f, record_type::change_to_exclude, g, srcs(x.f, {1})));
    const version older = x.f == fam::v4 ? version::igmpv2 : version::mldv1;
    x.send(wire::report_v1v2{older, g});
    if (x.f == fam::v4) x.send(wire::report_v1v2{version::igmpv1, g});
    EXPECT_EQ(x.r.group_count(), 0u);
    auto changed = x.send(rec(x.f, record_type::mode_is_include, g, srcs(x.f, {1})));
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.r.membership(g), (membership{filter_mode::include, srcs(x.f, {1})}));
}

TEST_P(router_tracking, non_multicast_and_wrong_family_ignored) {
    fixture x(GetParam());
    const auto unicast = addr(x.f == fam::v4 ? "192.0.2.77" : "2001:db8::77");
    x.send(rec(x.f, record_type::mode_is_exclude, unicast, {}));
    const auto other = addr(x.f == fam::v4 ? "ff05::1" : "239.1.1.1");
    x.send(rec(x.f, record_type::mode_is_exclude, other, {}));
    EXPECT_EQ(x.r.group_count(), 0u);
    // A whole message of the other family.
    wire::report_v3 r;
    r.ver = x.f == fam::v4 ? version::mldv2 : version::igmpv3;
    r.records.push_back(wire::group_record{record_type::mode_is_exclude, other, {}, {}});
    x.send(r);
    EXPECT_EQ(x.r.group_count(), 0u);
    // Sources of the other family inside a record are dropped.
    wire::report_v3 m;
    m.ver = v3_of(x.f);
    m.records.push_back(wire::group_record{record_type::allow_new_sources, grp(x.f, 1),
                                           {src(x.f, 1), addr(x.f == fam::v4 ? "2001:db8::9" : "192.0.2.9")}, {}});
    x.send(m);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::include, srcs(x.f, {1})}));
}

TEST_P(router_tracking, group_and_source_limits) {
    router_settings s = fixture::make(GetParam(), false, std::nullopt, true);
    s.max_groups = 3;
    s.max_sources_per_group = 5;
    router r(s, time_point{});
    actions out;
    for (int g = 1; g <= 6; ++g)
        r.handle(rec(GetParam(), record_type::mode_is_exclude, grp(GetParam(), g), {}), host(GetParam(), 1),
                 time_point{}, out);
    EXPECT_EQ(r.group_count(), 3u);
    r.handle(rec(GetParam(), record_type::allow_new_sources, grp(GetParam(), 1), srcs(GetParam(), {1, 2, 3, 4, 5, 6, 7})),
             host(GetParam(), 1), time_point{}, out);
    EXPECT_EQ(r.record(grp(GetParam(), 1))->sources.size(), 5u);
}

// Deadlines moving earlier again and again without advance() (timers
// lowered by BLOCK, raised by ALLOW) do not grow the deadline heap.
TEST_P(router_tracking, deadline_heap_stays_bounded) {
    fixture x(GetParam());
    for (int i = 0; i < 20000; ++i) {
        x.now += 1ms;
        x.report(i % 2 ? record_type::block_old_sources : record_type::allow_new_sources, 1 + i % 3, {1});
        x.out.clear();
    }
    EXPECT_LT(x.r.memory_bytes(), 16u * 1024u);
    x.step(1ms);
    auto d = x.r.next_deadline();
    ASSERT_TRUE(d);
    EXPECT_GT(*d, x.now);
}

INSTANTIATE_TEST_SUITE_P(both, router_tracking, ::testing::Values(fam::v4, fam::v6),
                         [](const auto& p) { return fam_name(p.param); });

}  // namespace
}  // namespace mcproxy::core::test
