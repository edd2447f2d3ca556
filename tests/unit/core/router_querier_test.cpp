// SPDX-License-Identifier: GPL-2.0-or-later
// RFC 3376 6.6.2 / RFC 3810 7.6.2: startup and periodic general queries,
// querier election, Other Querier Present timer, QRV/QQIC adoption.
#include "router_test_util.hpp"

namespace mcproxy::core::test {
namespace {

class router_querier : public ::testing::TestWithParam<fam> {};

net::address unspecified(fam f) { return net::address::any(f == fam::v4 ? net::family::ipv4 : net::family::ipv6); }

wire::query general(fam f, std::uint8_t qrv = 0, int qqi = 0) {
    wire::query q;
    q.ver = v3_of(f);
    q.group = unspecified(f);
    q.qrv = qrv;
    q.qqi = std::chrono::seconds(qqi);
    return q;
}

// Startup: [Startup Query Count] queries [Startup Query Interval] apart,
// then every [Query Interval].
TEST_P(router_querier, startup_then_periodic_general_queries) {
    const fam f = GetParam();
    router r(fixture::make(f, false, std::nullopt, true), time_point{});
    actions out;
    ASSERT_EQ(r.next_deadline(), std::optional<time_point>(time_point{}));
    std::vector<time_point> sent;
    time_point now{};
    for (int i = 0; i < 5; ++i) {
        now = *r.next_deadline();
        out.clear();
        r.advance(now, out);
        auto qs = queries(out);
        ASSERT_EQ(qs.size(), 1u);
        EXPECT_TRUE(qs[0].group.is_unspecified());
        EXPECT_EQ(qs[0].ver, v3_of(f));
        EXPECT_EQ(qs[0].max_resp, std::chrono::milliseconds(10000));
        EXPECT_EQ(qs[0].qrv, 2);
        EXPECT_EQ(qs[0].qqi, std::chrono::seconds(125));
        EXPECT_EQ(destinations(out)[0], f == fam::v4 ? net::well_known::all_systems_v4()
                                                      : net::well_known::all_nodes_v6());
        sent.push_back(now);
    }
    const timer_settings t;
    EXPECT_EQ(sent[1] - sent[0], t.startup_interval());  // 31.25 s
    EXPECT_EQ(sent[2] - sent[1], t.query_interval);
    EXPECT_EQ(sent[4] - sent[3], t.query_interval);
    EXPECT_TRUE(r.querier().is_querier);
}

// Election: a query from a lower address makes us non-querier.
TEST_P(router_querier, lower_address_wins) {
    fixture x(GetParam());
    x.send_from(general(x.f), other_router(x.f, true));
    const auto s = x.r.querier();
    EXPECT_FALSE(s.is_querier);
    EXPECT_EQ(s.querier, other_router(x.f, true));
    EXPECT_EQ(s.other_querier_present_until, x.now + x.t().other_querier_present_interval());
    x.out.clear();
    x.run_until(x.now + 200s);
    EXPECT_TRUE(queries(x.out).empty()) << "a non-querier stays quiet";
}

// Election: a query from a higher address changes nothing.
TEST_P(router_querier, higher_address_loses) {
    fixture x(GetParam());
    x.send_from(general(x.f), other_router(x.f, false));
    EXPECT_TRUE(x.r.querier().is_querier);
    EXPECT_EQ(x.r.querier().querier, own(x.f));
    EXPECT_FALSE(x.r.querier().other_querier_present_until);
}

// Other Querier Present timer expiry: querier again, general query at once.
TEST_P(router_querier, other_querier_timeout_makes_us_querier_again) {
    fixture x(GetParam());
    x.send_from(general(x.f), other_router(x.f, true));
    const time_point until = x.now + x.t().other_querier_present_interval();
    x.step(100s);
    x.send_from(general(x.f), other_router(x.f, true));  // refreshes the timer
    const time_point refreshed = x.now + x.t().other_querier_present_interval();
    x.out.clear();
    x.run_until(until);
    EXPECT_FALSE(x.r.querier().is_querier);
    x.run_until(refreshed);
    EXPECT_TRUE(x.r.querier().is_querier);
    EXPECT_EQ(queries(x.out).size(), 1u);
    EXPECT_EQ(x.r.querier().next_general_query, refreshed + x.t().query_interval);
}

// A query from a higher address does not refresh the Other Querier Present timer.
TEST_P(router_querier, higher_address_does_not_refresh_other_querier_timer) {
    fixture x(GetParam());
    x.send_from(general(x.f), other_router(x.f, true));
    const auto until = x.r.querier().other_querier_present_until;
    x.step(100s);
    x.send_from(general(x.f), other_router(x.f, false));
    EXPECT_EQ(x.r.querier().other_querier_present_until, until);
    EXPECT_EQ(x.r.querier().querier, other_router(x.f, true));
}

// Non-querier keeps membership state.
TEST_P(router_querier, non_querier_keeps_membership) {
    fixture x(GetParam());
    x.send_from(general(x.f), other_router(x.f, true));
    auto changed = x.report(record_type::mode_is_exclude, 1, {});
    EXPECT_EQ(changed.size(), 1u);
    EXPECT_EQ(x.mem(1), (membership{filter_mode::exclude, {}}));
}

// RFC 3376 4.1.6 / 4.1.7: a non-querier adopts QRV and QQI; zero keeps the
// configured value; becoming querier again restores ours.
TEST_P(router_querier, adopts_qrv_and_qqi) {
    fixture x(GetParam());
    x.send_from(general(x.f, 4, 60), other_router(x.f, true));
    EXPECT_EQ(x.t().robustness, 4u);
    EXPECT_EQ(x.t().query_interval, duration(60s));
    EXPECT_EQ(x.r.querier().other_querier_present_until, x.now + 4 * 60s + 5s);
    x.report(record_type::mode_is_exclude, 1, {});
    EXPECT_EQ(x.r.record(grp(x.f, 1))->filter_timer, x.now + 4 * 60s + 10s);  // GMI from adopted values
    x.send_from(general(x.f, 0, 0), other_router(x.f, true));
    EXPECT_EQ(x.t().robustness, 2u);
    EXPECT_EQ(x.t().query_interval, duration(125s));
    x.send_from(general(x.f, 3, 30), other_router(x.f, true));
    x.run_until(x.now + x.t().other_querier_present_interval());
    EXPECT_TRUE(x.r.querier().is_querier);
    EXPECT_EQ(x.t().robustness, 2u);
}

// Queries from ourselves (looped back) are ignored.
TEST_P(router_querier, own_queries_ignored) {
    fixture x(GetParam());
    x.send_from(general(x.f), own(x.f));
    EXPECT_TRUE(x.r.querier().is_querier);
}

// Without an address there is no querier duty; with one, startup begins.
TEST_P(router_querier, address_arrives_later) {
    fixture x(GetParam(), false, std::nullopt, false);
    EXPECT_FALSE(x.r.querier().is_querier);
    EXPECT_FALSE(x.r.next_deadline());
    x.r.set_address(own(x.f), x.now, x.out);
    EXPECT_TRUE(x.r.querier().is_querier);
    EXPECT_EQ(queries(x.out).size(), 1u);
    EXPECT_EQ(x.r.querier().startup_queries_left, x.t().startup_count() - 1);
    x.out.clear();
    x.r.set_address(unspecified(x.f), x.now, x.out);
    EXPECT_FALSE(x.r.querier().is_querier);
}

// A lower address learnt later wins over the present querier.
TEST_P(router_querier, new_lower_address_takes_over) {
    fixture x(GetParam());
    x.send_from(general(x.f), other_router(x.f, true));
    x.out.clear();
    x.r.set_address(addr(x.f == fam::v4 ? "198.51.100.10" : "fe80::10"), x.now, x.out);
    EXPECT_TRUE(x.r.querier().is_querier);
    EXPECT_EQ(queries(x.out).size(), 1u);
}

// An unusable address: not fe80::/10 for MLD (RFC 3810 5.1.14).
TEST(router_querier_v6, global_address_is_not_a_querier_address) {
    router_settings s = fixture::make(fam::v6, false, std::nullopt, false);
    s.own_address = addr("2001:db8::1");
    router r(s, time_point{});
    EXPECT_FALSE(r.querier().is_querier);
}

// RFC 3810 5.1.14: MLD queries from a non-link-local source are discarded.
TEST(router_querier_v6, query_from_global_address_ignored) {
    fixture x(fam::v6);
    x.send_from(general(fam::v6), addr("2001:db8::1"));
    EXPECT_TRUE(x.r.querier().is_querier);
}

// An IGMP query from 0.0.0.0 (snooping switch) takes no part in election.
TEST(router_querier_v4, query_from_unspecified_ignored) {
    fixture x(fam::v4);
    x.send_from(general(fam::v4), unspecified(fam::v4));
    EXPECT_TRUE(x.r.querier().is_querier);
}

// RFC 3376 7.3.1: a query of another version is worth a warning.
TEST(router_querier_v4, other_version_query_logged) {
    fixture x(fam::v4);
    wire::query q = general(fam::v4);
    q.ver = wire::version::igmpv2;
    x.send_from(q, other_router(fam::v4, true));
    bool warned = false;
    for (const auto& a : x.out)
        if (const auto* l = std::get_if<log_action>(&a)) warned |= l->level == log_level::warning;
    EXPECT_TRUE(warned);
    EXPECT_FALSE(x.r.querier().is_querier);
    EXPECT_EQ(x.t().robustness, 2u) << "nothing adopted from a v2 query";
}

// Peering: our own state-change report on a link where we are querier is
// followed by the query it calls for (RFC 3376 6.4.2 table: TO_IN(B) -> Q(G),
// BLOCK(B) -> Q(G,B); a v2 leave -> Q(G)), without any record of ourselves.
TEST_P(router_querier, own_report_on_a_link_we_query_calls_for_our_query) {
    const fam f = GetParam();
    fixture x(f);
    x.r.query_for_own_report(rec(f, record_type::change_to_include, grp(f, 1), {}), x.out);
    ASSERT_EQ(queries(x.out).size(), 1u);
    EXPECT_EQ(queries(x.out)[0].group, grp(f, 1));
    EXPECT_TRUE(queries(x.out)[0].sources.empty());
    EXPECT_EQ(destinations(x.out)[0], grp(f, 1)) << "RFC 3376 4.1.12: sent to the group";
    x.out.clear();
    x.r.query_for_own_report(rec(f, record_type::block_old_sources, grp(f, 2), srcs(f, {3})), x.out);
    ASSERT_EQ(queries(x.out).size(), 1u);
    EXPECT_EQ(queries(x.out)[0].sources, srcs(f, {3}).to_vector());
    x.out.clear();
    // Joins call for no query.
    x.r.query_for_own_report(rec(f, record_type::allow_new_sources, grp(f, 2), srcs(f, {3})), x.out);
    x.r.query_for_own_report(rec(f, record_type::change_to_exclude, grp(f, 2), {}), x.out);
    EXPECT_TRUE(queries(x.out).empty());
    EXPECT_EQ(x.r.group_count(), 0u) << "we never record ourselves";

    fixture old(f, false, f == fam::v4 ? wire::version::igmpv2 : wire::version::mldv1);
    old.r.query_for_own_report(wire::leave{f == fam::v4 ? wire::version::igmpv2 : wire::version::mldv1, grp(f, 4)},
                               old.out);
    ASSERT_EQ(queries(old.out).size(), 1u);
    EXPECT_EQ(queries(old.out)[0].group, grp(f, 4));

    // Not the querier (no address): silent, as RFC 3376 6.6.3 asks.
    fixture quiet(f, false, std::nullopt, false);
    quiet.r.query_for_own_report(rec(f, record_type::change_to_include, grp(f, 1), {}), quiet.out);
    EXPECT_TRUE(queries(quiet.out).empty());
}

INSTANTIATE_TEST_SUITE_P(both, router_querier, ::testing::Values(fam::v4, fam::v6),
                         [](const auto& p) { return fam_name(p.param); });

}  // namespace
}  // namespace mcproxy::core::test
