// SPDX-License-Identifier: GPL-2.0-or-later
// RFC 3376 6.3 / 6.5 timer expiry and 6.6.1 / 6.6.3 queries, for IGMPv3 and MLDv2.
#include "router_test_util.hpp"

namespace mcproxy::core::test {
namespace {

class router_timer : public ::testing::TestWithParam<fam> {};

// RFC 3376 6.5: group timer expiry in EXCLUDE mode with running sources:
// INCLUDE of the running sources, the Exclude List deleted.
TEST_P(router_timer, group_timer_expiry_switches_to_include) {
    fixture x(GetParam());
    x.report(record_type::mode_is_exclude, 1, {3});
    x.step(10s);
    x.report(record_type::allow_new_sources, 1, {1});  // source 1 runs 10 s longer than the group timer
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, srcs(x.f, {3})}));
    auto changed = x.run_until(time_point{} + x.gmi() - 1us);
    EXPECT_TRUE(changed.empty());
    changed = x.step(1us);
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(changed[0], grp(x.f, 1));
    EXPECT_EQ(x.mem(1), (membership{filter_mode::include, srcs(x.f, {1})}));
    EXPECT_EQ(x.r.record(grp(x.f, 1))->filter_timer, timer_off);
    // RFC 3376 6.3: the source timer expiry in INCLUDE mode deletes the
    // source and, as the last one, the group record.
    changed = x.run_until(time_point{} + 10s + x.gmi());
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.r.record(grp(x.f, 1)), nullptr);
    EXPECT_TRUE(x.mem(1).empty());
}

// RFC 3376 6.5: group timer expiry without running sources deletes the group.
TEST_P(router_timer, group_timer_expiry_without_sources_deletes_group) {
    fixture x(GetParam());
    x.report(record_type::mode_is_exclude, 1, {});
    ASSERT_EQ(x.r.next_deadline(), std::optional<time_point>(x.now + x.t().startup_interval()));
    auto changed = x.run_until(time_point{} + x.gmi());
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.r.group_count(), 0u);
}

// RFC 3376 6.3: source timer expiry in EXCLUDE mode moves the source to the
// Exclude List and keeps the record.
TEST_P(router_timer, source_timer_expiry_in_exclude_mode) {
    fixture x(GetParam());
    x.report(record_type::mode_is_exclude, 1, {});
    x.step(100s);
    x.report(record_type::mode_is_exclude, 1, {});  // group timer now 100 s + GMI
    x.report(record_type::allow_new_sources, 1, {1});
    ASSERT_NE(x.source(1, 1), nullptr);
    // Source 1 would time out with the group; the querier's Q(G,S) lowers it.
    x.now = time_point{} + 150s;
    x.out.clear();
    wire::query q;
    q.ver = v3_of(x.f);
    q.group = grp(x.f, 1);
    q.sources = {src(x.f, 1)};
    x.send_from(q, other_router(x.f, true));  // from the querier: lowers source 1 to LMQT
    EXPECT_EQ(x.source(1, 1)->timer, x.now + x.lmqt());
    auto changed = x.run_until(x.now + x.lmqt());
    ASSERT_EQ(changed.size(), 1u);
    ASSERT_NE(x.source(1, 1), nullptr);
    EXPECT_FALSE(x.source(1, 1)->running());
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, srcs(x.f, {1})}));
}

// RFC 3376 6.3: INCLUDE source timer expiry of one of several sources.
TEST_P(router_timer, include_source_timer_expiry_keeps_others) {
    fixture x(GetParam());
    x.report(record_type::allow_new_sources, 1, {1});
    x.step(5s);
    x.report(record_type::allow_new_sources, 1, {2});
    auto changed = x.run_until(time_point{} + x.gmi());
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::include, srcs(x.f, {2})}));
}

// RFC 3376 6.6.3.1: Q(G) sent [LMQC] times at [LMQI]; the group times out at LMQT.
TEST_P(router_timer, group_query_retransmissions_and_expiry) {
    fixture x(GetParam());
    x.report(record_type::mode_is_exclude, 1, {});
    x.out.clear();
    x.report(record_type::change_to_include, 1, {});
    const time_point t1 = x.now;
    EXPECT_EQ(x.r.record(grp(x.f, 1))->filter_timer, t1 + x.lmqt());
    ASSERT_EQ(queries(x.out).size(), 1u);
    x.out.clear();
    x.run_until(t1 + x.t().last_member_query_interval);
    auto qs = queries(x.out);
    ASSERT_EQ(qs.size(), 1u);
    EXPECT_TRUE(qs[0].sources.empty());
    EXPECT_FALSE(qs[0].s_flag);
    EXPECT_EQ(destinations(x.out), std::vector<net::address>{grp(x.f, 1)});
    x.out.clear();
    auto changed = x.run_until(t1 + x.lmqt());
    EXPECT_TRUE(queries(x.out).empty()) << "only LMQC = 2 queries";
    ASSERT_EQ(changed.size(), 1u);
    EXPECT_TRUE(x.mem(1).empty());
}

// RFC 3376 6.6.3.1: a report raising the group timer during the
// retransmissions makes them carry the S flag.
TEST_P(router_timer, group_query_retransmission_sets_s_flag) {
    fixture x(GetParam());
    x.report(record_type::mode_is_exclude, 1, {});
    x.report(record_type::change_to_include, 1, {});
    x.step(100ms);
    x.report(record_type::mode_is_exclude, 1, {}, 2);  // another host answers
    x.out.clear();
    x.run_until(x.now + x.t().last_member_query_interval);
    auto qs = queries(x.out);
    ASSERT_EQ(qs.size(), 1u);
    EXPECT_TRUE(qs[0].s_flag);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
}

// RFC 3376 6.6.3.2: retransmissions split sources by "timer > LMQT" (S set)
// and "timer <= LMQT" (S clear).
TEST_P(router_timer, source_query_split_by_s_flag) {
    fixture x(GetParam());
    x.report(record_type::allow_new_sources, 1, {1, 2});
    x.out.clear();
    x.report(record_type::block_old_sources, 1, {1, 2});
    auto qs = queries(x.out);
    ASSERT_EQ(qs.size(), 1u);
    EXPECT_EQ(source_set(qs[0].sources), srcs(x.f, {1, 2}));
    EXPECT_FALSE(qs[0].s_flag);
    x.step(100ms);
    x.report(record_type::allow_new_sources, 1, {2}, 2);  // host 2 still wants source 2
    x.out.clear();
    x.run_until(time_point{} + x.t().last_member_query_interval);
    qs = queries(x.out);
    ASSERT_EQ(qs.size(), 2u);
    for (const auto& q : qs) {
        if (q.s_flag) EXPECT_EQ(source_set(q.sources), srcs(x.f, {2}));
        else EXPECT_EQ(source_set(q.sources), srcs(x.f, {1}));
    }
    x.out.clear();
    auto changed = x.run_until(time_point{} + x.lmqt());
    EXPECT_TRUE(queries(x.out).empty());
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::include, srcs(x.f, {2})}));
}

// RFC 3376 6.6.3.2: a source already at or below LMQT is not queried again.
TEST_P(router_timer, source_query_not_repeated_for_lowered_timer) {
    fixture x(GetParam());
    x.report(record_type::allow_new_sources, 1, {1});
    x.report(record_type::block_old_sources, 1, {1});
    x.out.clear();
    x.report(record_type::block_old_sources, 1, {1});
    EXPECT_TRUE(queries(x.out).empty());
}

// RFC 3376 6.6.1: as non-querier, a group-specific query with S clear
// lowers the group timer to LMQT; with S set it does not.
TEST_P(router_timer, received_group_query_lowers_timer_unless_s_flag) {
    fixture x(GetParam());
    wire::query general;
    general.ver = v3_of(x.f);
    general.group = net::address::any(x.f == fam::v4 ? net::family::ipv4 : net::family::ipv6);
    x.send_from(general, other_router(x.f, true));
    ASSERT_FALSE(x.r.querier().is_querier);
    x.report(record_type::mode_is_exclude, 1, {});
    const time_point full = x.now + x.gmi();
    x.step(1s);
    wire::query q = general;
    q.group = grp(x.f, 1);
    q.s_flag = true;
    x.send_from(q, other_router(x.f, true));
    EXPECT_EQ(x.r.record(grp(x.f, 1))->filter_timer, full);
    q.s_flag = false;
    x.out.clear();
    x.send_from(q, other_router(x.f, true));
    EXPECT_EQ(x.r.record(grp(x.f, 1))->filter_timer, x.now + x.lmqt());
    EXPECT_TRUE(queries(x.out).empty()) << "a non-querier sends nothing";
    auto changed = x.run_until(x.now + x.lmqt());
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.r.group_count(), 0u);
}

// RFC 3376 6.6.1 / 6.6.3: a non-querier does not lower timers for its own
// table actions; it waits for the querier.
TEST_P(router_timer, non_querier_does_not_query_on_block) {
    fixture x(GetParam());
    wire::query general;
    general.ver = v3_of(x.f);
    general.group = net::address::any(x.f == fam::v4 ? net::family::ipv4 : net::family::ipv6);
    x.send_from(general, other_router(x.f, true));
    x.report(record_type::allow_new_sources, 1, {1});
    x.out.clear();
    x.report(record_type::block_old_sources, 1, {1});
    EXPECT_TRUE(queries(x.out).empty());
    EXPECT_EQ(x.source(1, 1)->timer, x.now + x.gmi());
}

// RFC 3376 6.6.1: a query with sources lowers those source timers.
TEST_P(router_timer, received_source_query_lowers_source_timers) {
    fixture x(GetParam());
    wire::query q;
    q.ver = v3_of(x.f);
    q.group = net::address::any(x.f == fam::v4 ? net::family::ipv4 : net::family::ipv6);
    x.send_from(q, other_router(x.f, true));
    x.report(record_type::allow_new_sources, 1, {1, 2});
    q.group = grp(x.f, 1);
    q.sources = {src(x.f, 1)};
    x.send_from(q, other_router(x.f, true));
    EXPECT_EQ(x.source(1, 1)->timer, x.now + x.lmqt());
    EXPECT_EQ(x.source(1, 2)->timer, x.now + x.gmi());
}

// A large Q(G,S) is split so each message fits the link MTU.
TEST_P(router_timer, large_source_query_is_split) {
    fixture x(GetParam());
    std::vector<net::address> many;
    for (int i = 1; i <= 200; ++i)
        many.push_back(addr(x.f == fam::v4 ? "192.0.2." + std::to_string(i) : "2001:db8::" + std::to_string(i)));
    x.send(rec(x.f, record_type::allow_new_sources, grp(x.f, 1), source_set(many)));
    x.out.clear();
    x.send(rec(x.f, record_type::block_old_sources, grp(x.f, 1), source_set(many)));
    std::size_t total = 0;
    const auto qs = queries(x.out);
    for (const auto& q : qs) total += q.sources.size();
    EXPECT_EQ(total, 200u);
    EXPECT_EQ(qs.size(), x.f == fam::v4 ? 1u : 3u);
}

// A message after a deadline passed but before advance(): the group's
// overdue timers run first (RFC 3376 6.5 before 6.4), and the change list
// shows the net change of the call.
TEST_P(router_timer, overdue_timers_run_before_a_message) {
    fixture x(GetParam());
    x.report(record_type::mode_is_exclude, 1, {3});
    x.now += x.gmi() + 1s;  // no advance(): group timer overdue
    x.out.clear();
    // Without catching up this would be EXCLUDE(X,Y) + ALLOW: still EXCLUDE{3}.
    auto changed = x.report(record_type::allow_new_sources, 1, {1}, 2);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::include, srcs(x.f, {1})}));
    EXPECT_EQ(changed.size(), 1u);
    // Overdue expiry undone by the message itself: no net change reported.
    x.report(record_type::mode_is_exclude, 2, {});
    x.now += x.gmi() + 1s;
    changed = x.report(record_type::mode_is_exclude, 2, {}, 2);
    EXPECT_TRUE(changed.empty());
    EXPECT_EQ(x.r.record(grp(x.f, 2))->filter_timer, x.now + x.gmi());
}

// Timer settings that would spin the loop are raised (robustness >= 1,
// intervals > 0): advance() never leaves a deadline at `now`.
TEST_P(router_timer, zero_intervals_do_not_spin) {
    router_settings s = fixture::make(GetParam(), false, std::nullopt, true);
    s.timers.query_interval = duration(0);
    s.timers.robustness = 0;
    s.timers.last_member_query_interval = duration(0);
    router r(s, time_point{});
    actions out;
    r.advance(time_point{}, out);
    ASSERT_TRUE(r.next_deadline());
    EXPECT_GT(*r.next_deadline(), time_point{});
    EXPECT_GE(r.timers().robustness, 1u);
}

INSTANTIATE_TEST_SUITE_P(both, router_timer, ::testing::Values(fam::v4, fam::v6),
                         [](const auto& p) { return fam_name(p.param); });

}  // namespace
}  // namespace mcproxy::core::test
