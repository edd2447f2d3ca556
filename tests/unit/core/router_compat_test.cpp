// SPDX-License-Identifier: GPL-2.0-or-later
// The five protocol versions and the older-host compatibility modes:
// RFC 3376 7.3.2, RFC 3810 8.3.2, RFC 2236 (IGMPv2), RFC 2710 (MLDv1), RFC 1112.
#include "router_test_util.hpp"

namespace mcproxy::core::test {
namespace {

using wire::version;

wire::message v1v2(version v, const net::address& g) { return wire::report_v1v2{v, g}; }
wire::message leave_of(version v, const net::address& g) { return wire::leave{v, g}; }

version older_of(fam f) { return f == fam::v4 ? version::igmpv2 : version::mldv1; }

class router_compat : public ::testing::TestWithParam<fam> {};

// RFC 3376 7.3.2 / RFC 3810 8.3.2: an IGMPv2 / MLDv1 report is IS_EX({})
// and starts the older host present timer.
TEST_P(router_compat, older_report_is_is_ex_empty) {
    fixture x(GetParam());
    auto changed = x.send(v1v2(older_of(x.f), grp(x.f, 1)));
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
    const auto st = x.r.group(grp(x.f, 1), x.now);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->compat, older_of(x.f));
    EXPECT_EQ(st->v2_host_present_until, x.now + x.t().older_host_present_interval());
    EXPECT_EQ(*st->filter_timer, x.now + x.gmi());
}

// While older hosts are present BLOCK is ignored.
TEST_P(router_compat, block_ignored_with_older_hosts) {
    fixture x(GetParam());
    x.send(v1v2(older_of(x.f), grp(x.f, 1)));
    x.report(record_type::allow_new_sources, 1, {1}, 2);
    x.out.clear();
    auto changed = x.report(record_type::block_old_sources, 1, {1}, 2);
    EXPECT_TRUE(changed.empty());
    EXPECT_TRUE(queries(x.out).empty());
    EXPECT_EQ(x.source(1, 1)->timer, x.now + x.gmi());
}

// While older hosts are present TO_EX(x) is TO_EX({}).
TEST_P(router_compat, to_ex_sources_dropped_with_older_hosts) {
    fixture x(GetParam());
    x.send(v1v2(older_of(x.f), grp(x.f, 1)));
    x.report(record_type::change_to_exclude, 1, {1, 2}, 2);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
}

// An IGMPv2 leave / MLDv1 done is TO_IN({}): Q(G), group timer to LMQT.
TEST_P(router_compat, older_leave_is_to_in_empty) {
    fixture x(GetParam());
    x.send(v1v2(older_of(x.f), grp(x.f, 1)));
    x.out.clear();
    x.send(leave_of(older_of(x.f), grp(x.f, 1)));
    auto qs = queries(x.out);
    ASSERT_EQ(qs.size(), 1u);
    EXPECT_EQ(qs[0].group, grp(x.f, 1));
    EXPECT_EQ(qs[0].ver, v3_of(x.f)) << "the querier speaks its own version";
    EXPECT_EQ(x.r.record(grp(x.f, 1))->filter_timer, x.now + x.lmqt());
    auto changed = x.run_until(x.now + x.lmqt());
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_TRUE(x.mem(1).empty());
}

// The compatibility mode goes back up when the timer ends: BLOCK counts again.
TEST_P(router_compat, compat_mode_returns_to_v3) {
    fixture x(GetParam());
    x.send(v1v2(older_of(x.f), grp(x.f, 1)));
    x.step(1s);
    x.report(record_type::mode_is_exclude, 1, {}, 2);  // keeps the group alive past the older timer
    x.report(record_type::allow_new_sources, 1, {1}, 2);
    x.run_until(time_point{} + x.t().older_host_present_interval());
    auto st = x.r.group(grp(x.f, 1), x.now);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->compat, v3_of(x.f));
    EXPECT_FALSE(st->v2_host_present_until);
}

TEST_P(router_compat, compat_mode_returns_then_block_processed) {
    fixture x(GetParam());
    x.send(v1v2(older_of(x.f), grp(x.f, 1)));
    x.step(x.t().older_host_present_interval() - 1s);
    x.report(record_type::mode_is_exclude, 1, {}, 2);
    x.report(record_type::allow_new_sources, 1, {1}, 2);
    x.step(1s);  // older host timer ends
    x.out.clear();
    x.report(record_type::block_old_sources, 1, {1}, 2);
    EXPECT_EQ(queries(x.out).size(), 1u);
    EXPECT_EQ(x.source(1, 1)->timer, x.now + x.lmqt());
}

// MLDv2 with an MLDv1 host / IGMPv3 with an IGMPv2 host: older_of(); the
// IGMPv1 cases are IPv4 only.
TEST(router_compat_v4, v1_report_sets_v1_mode_and_leaves_are_ignored) {
    fixture x(fam::v4);
    x.send(v1v2(version::igmpv1, grp(fam::v4, 1)), 1);
    auto st = x.r.group(grp(fam::v4, 1), x.now);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->compat, version::igmpv1);
    x.out.clear();
    auto changed = x.send(leave_of(version::igmpv2, grp(fam::v4, 1)), 2);
    EXPECT_TRUE(changed.empty());
    EXPECT_TRUE(queries(x.out).empty());
    EXPECT_EQ(x.r.record(grp(fam::v4, 1))->filter_timer, x.now + x.gmi());
    // v1 hosts cannot leave: membership only times out.
    changed = x.run_until(x.now + x.gmi());
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_TRUE(x.mem(1).empty());
}

TEST(router_compat_v4, v1_mode_wins_over_v2_mode) {
    fixture x(fam::v4);
    x.send(v1v2(version::igmpv2, grp(fam::v4, 1)), 1);
    x.send(v1v2(version::igmpv1, grp(fam::v4, 1)), 2);
    EXPECT_EQ(x.r.group(grp(fam::v4, 1), x.now)->compat, version::igmpv1);
}

// v1 mode ends first while v2 hosts remain: IGMPv2 mode, leaves count again;
// then IGMPv3 mode when the v2 timer ends too.
TEST(router_compat_v4, v1_then_v2_then_v3) {
    fixture x(fam::v4);
    x.send(v1v2(version::igmpv1, grp(fam::v4, 1)), 1);
    x.step(60s);
    x.send(v1v2(version::igmpv2, grp(fam::v4, 1)), 2);
    x.run_until(time_point{} + x.t().older_host_present_interval());
    EXPECT_EQ(x.r.group(grp(fam::v4, 1), x.now)->compat, version::igmpv2);
    x.out.clear();
    x.send(leave_of(version::igmpv2, grp(fam::v4, 1)), 2);
    EXPECT_EQ(queries(x.out).size(), 1u) << "leave processed in IGMPv2 mode";
    x.send(v1v2(version::igmpv2, grp(fam::v4, 1)), 2);
    const time_point v2_end = x.now + x.t().older_host_present_interval();
    x.run_until(v2_end - 1s);
    EXPECT_EQ(x.r.group(grp(fam::v4, 1), x.now)->compat, version::igmpv2);
    x.report(record_type::mode_is_exclude, 1, {}, 3);
    x.run_until(v2_end);
    auto st = x.r.group(grp(fam::v4, 1), x.now);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->compat, version::igmpv3);
}

// IGMPv1 querier: v1 general queries, no leave, no group-specific query.
TEST(router_compat_v4, igmpv1_router) {
    fixture x(fam::v4, false, version::igmpv1);
    x.out.clear();
    x.run_until(x.now + x.t().startup_interval());
    auto qs = queries(x.out);
    ASSERT_EQ(qs.size(), 1u);
    EXPECT_EQ(qs[0].ver, version::igmpv1);
    EXPECT_EQ(qs[0].qrv, 0);
    x.send(v1v2(version::igmpv1, grp(fam::v4, 1)));
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
    x.send(v1v2(version::igmpv2, grp(fam::v4, 2)));  // a v2 report counts as a join
    EXPECT_EQ(x.mem(2), (membership{filter_mode::exclude, {}}));
    x.out.clear();
    x.send(leave_of(version::igmpv2, grp(fam::v4, 1)));
    x.report(record_type::change_to_include, 2, {});
    EXPECT_TRUE(queries(x.out).empty());
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
    const time_point end = x.now + x.gmi();
    x.run_until(end - 1us);
    EXPECT_FALSE(x.mem(1).empty());
    x.run_until(end);
    EXPECT_TRUE(x.mem(1).empty());
}

struct v2_case {
    fam f;
    version ver;
};

class router_v2 : public ::testing::TestWithParam<v2_case> {};

// IGMPv2 (RFC 2236) and MLDv1 (RFC 2710) queriers: v2/v1 queries, leave ->
// [LMQC] group-specific queries [LMQI] apart, prune after LMQT.
TEST_P(router_v2, leave_sends_group_specific_queries) {
    const auto c = GetParam();
    fixture x(c.f, false, c.ver);
    x.out.clear();
    x.run_until(x.now + x.t().startup_interval());
    auto qs = queries(x.out);
    ASSERT_EQ(qs.size(), 1u);
    EXPECT_EQ(qs[0].ver, c.ver);
    EXPECT_EQ(qs[0].max_resp, std::chrono::milliseconds(10000));
    x.send(v1v2(c.ver, grp(c.f, 1)));
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
    EXPECT_FALSE(x.r.group(grp(c.f, 1), x.now)->v2_host_present_until) << "same version: no compat timer";
    x.out.clear();
    const time_point t1 = x.now;
    x.send(leave_of(c.ver, grp(c.f, 1)));
    x.run_until(t1 + x.t().last_member_query_interval);
    qs = queries(x.out);
    ASSERT_EQ(qs.size(), 2u);
    for (const auto& q : qs) {
        EXPECT_EQ(q.ver, c.ver);
        EXPECT_EQ(q.group, grp(c.f, 1));
        EXPECT_EQ(q.max_resp, std::chrono::milliseconds(1000));
        EXPECT_TRUE(q.sources.empty());
    }
    auto changed = x.run_until(t1 + x.lmqt());
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_TRUE(x.mem(1).empty());
}

// A report during the last-member queries keeps the group.
TEST_P(router_v2, report_during_last_member_queries_keeps_group) {
    const auto c = GetParam();
    fixture x(c.f, false, c.ver);
    x.send(v1v2(c.ver, grp(c.f, 1)), 1);
    x.send(leave_of(c.ver, grp(c.f, 1)), 1);
    x.step(500ms);
    x.send(v1v2(c.ver, grp(c.f, 1)), 2);
    x.run_until(x.now + x.lmqt());
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
}

// RFC 2236 3 / RFC 2710 4: a non-querier lowers the timer to LMQC * Max
// Response Time of a received group-specific query.
TEST_P(router_v2, non_querier_uses_max_resp_of_query) {
    const auto c = GetParam();
    fixture x(c.f, false, c.ver);
    x.send(v1v2(c.ver, grp(c.f, 1)));
    wire::query q;
    q.ver = c.ver;
    q.group = grp(c.f, 1);
    q.max_resp = std::chrono::milliseconds(3000);
    x.send_from(q, other_router(c.f, true));
    EXPECT_EQ(x.r.record(grp(c.f, 1))->filter_timer, x.now + 2 * 3s);
}

// A v3/MLDv2 report reaching a v2/MLDv1 querier (documented choice): records
// asking for traffic join, TO_IN({}) leaves, BLOCK is ignored.
TEST_P(router_v2, v3_report_translated) {
    const auto c = GetParam();
    fixture x(c.f, false, c.ver);
    x.report(record_type::mode_is_include, 1, {1});
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
    x.report(record_type::block_old_sources, 1, {1});
    EXPECT_EQ(x.r.record(grp(c.f, 1))->filter_timer, x.now + x.gmi());
    x.report(record_type::mode_is_include, 2, {});
    EXPECT_EQ(x.r.record(grp(c.f, 2)), nullptr);
    x.out.clear();
    x.report(record_type::change_to_include, 1, {});
    ASSERT_EQ(queries(x.out).size(), 1u);
    EXPECT_EQ(queries(x.out)[0].ver, c.ver);
}

INSTANTIATE_TEST_SUITE_P(versions, router_v2,
                         ::testing::Values(v2_case{fam::v4, version::igmpv2}, v2_case{fam::v6, version::mldv1}),
                         [](const auto& p) { return fam_name(p.param.f); });

// RFC 2236 5: an IGMPv2 querier ignores leaves while IGMPv1 hosts are present.
TEST(router_compat_v4, igmpv2_router_with_v1_host_ignores_leave) {
    fixture x(fam::v4, false, version::igmpv2);
    x.send(v1v2(version::igmpv1, grp(fam::v4, 1)));
    EXPECT_EQ(x.r.group(grp(fam::v4, 1), x.now)->compat, version::igmpv1);
    x.out.clear();
    x.send(leave_of(version::igmpv2, grp(fam::v4, 1)), 2);
    EXPECT_TRUE(queries(x.out).empty());
    EXPECT_EQ(x.r.record(grp(fam::v4, 1))->filter_timer, x.now + x.gmi());
}

INSTANTIATE_TEST_SUITE_P(both, router_compat, ::testing::Values(fam::v4, fam::v6),
                         [](const auto& p) { return fam_name(p.param); });

}  // namespace
}  // namespace mcproxy::core::test
