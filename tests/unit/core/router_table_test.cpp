// SPDX-License-Identifier: GPL-2.0-or-later
// RFC 3376 6.4.1 / 6.4.2 and RFC 3810 7.4.1 / 7.4.2: one test row per table
// row, run for IGMPv3 (IPv4) and MLDv2 (IPv6).
//
// Starting states (built through reports so the timers differ):
//   INCLUDE(A):   A = {1,2}, timers T0 + 1 s + GMI               ("old")
//   EXCLUDE(X,Y): Y = {3,4} from IS_EX at T0 (group timer T0 + GMI, "gt"),
//                 X = {1,2} from ALLOW at T0 + 1 s                ("old")
// The record arrives at T1 = T0 + 10 s: "new" timers are T1 + GMI, lowered
// ones T1 + LMQT. Record sources: B = {2,3} in INCLUDE, A = {2,3,5} in EXCLUDE.
#include <map>

#include "router_test_util.hpp"

namespace mcproxy::core::test {
namespace {

enum class tk { old, fresh, gt, lmqt, stopped };

struct table_row {
    const char* name;
    filter_mode initial;
    record_type type;
    filter_mode expected_mode;
    std::map<int, tk> expected_sources;  ///< every source record after the row
    std::optional<tk> group_timer;       ///< nullopt: not running
    bool query_group;
    std::vector<int> query_sources;
};

const std::vector<table_row> rows = {
    // ---- RFC 3376 6.4.1 (current-state records) ----
    {"641_INCLUDE_IS_IN", filter_mode::include, record_type::mode_is_include, filter_mode::include,
     {{1, tk::old}, {2, tk::fresh}, {3, tk::fresh}}, std::nullopt, false, {}},
    {"641_INCLUDE_IS_EX", filter_mode::include, record_type::mode_is_exclude, filter_mode::exclude,
     {{2, tk::old}, {3, tk::stopped}}, tk::fresh, false, {}},
    {"641_EXCLUDE_IS_IN", filter_mode::exclude, record_type::mode_is_include, filter_mode::exclude,
     {{1, tk::old}, {2, tk::fresh}, {3, tk::fresh}, {4, tk::stopped}, {5, tk::fresh}}, tk::gt, false, {}},
    {"641_EXCLUDE_IS_EX", filter_mode::exclude, record_type::mode_is_exclude, filter_mode::exclude,
     {{2, tk::old}, {3, tk::stopped}, {5, tk::fresh}}, tk::fresh, false, {}},
    // ---- RFC 3376 6.4.2 (state-change records) ----
    {"642_INCLUDE_ALLOW", filter_mode::include, record_type::allow_new_sources, filter_mode::include,
     {{1, tk::old}, {2, tk::fresh}, {3, tk::fresh}}, std::nullopt, false, {}},
    {"642_INCLUDE_BLOCK", filter_mode::include, record_type::block_old_sources, filter_mode::include,
     {{1, tk::old}, {2, tk::lmqt}}, std::nullopt, false, {2}},
    {"642_INCLUDE_TO_EX", filter_mode::include, record_type::change_to_exclude, filter_mode::exclude,
     {{2, tk::lmqt}, {3, tk::stopped}}, tk::fresh, false, {2}},
    {"642_INCLUDE_TO_IN", filter_mode::include, record_type::change_to_include, filter_mode::include,
     {{1, tk::lmqt}, {2, tk::fresh}, {3, tk::fresh}}, std::nullopt, false, {1}},
    {"642_EXCLUDE_ALLOW", filter_mode::exclude, record_type::allow_new_sources, filter_mode::exclude,
     {{1, tk::old}, {2, tk::fresh}, {3, tk::fresh}, {4, tk::stopped}, {5, tk::fresh}}, tk::gt, false, {}},
    {"642_EXCLUDE_BLOCK", filter_mode::exclude, record_type::block_old_sources, filter_mode::exclude,
     {{1, tk::old}, {2, tk::lmqt}, {3, tk::stopped}, {4, tk::stopped}, {5, tk::lmqt}}, tk::gt, false, {2, 5}},
    {"642_EXCLUDE_TO_EX", filter_mode::exclude, record_type::change_to_exclude, filter_mode::exclude,
     {{2, tk::lmqt}, {3, tk::stopped}, {5, tk::lmqt}}, tk::fresh, false, {2, 5}},
    {"642_EXCLUDE_TO_IN", filter_mode::exclude, record_type::change_to_include, filter_mode::exclude,
     {{1, tk::lmqt}, {2, tk::fresh}, {3, tk::fresh}, {4, tk::stopped}, {5, tk::fresh}}, tk::lmqt, true, {1}},
};

void PrintTo(const table_row& r, std::ostream* os) { *os << r.name; }

class router_table : public ::testing::TestWithParam<std::tuple<table_row, fam>> {};

TEST_P(router_table, row) {
    const auto& [row, f] = GetParam();
    fixture x(f);
    const time_point t0 = x.now;
    if (row.initial == filter_mode::include) {
        x.now = t0 + 1s;
        x.report(record_type::allow_new_sources, 1, {1, 2});
    } else {
        x.report(record_type::mode_is_exclude, 1, {3, 4});
        x.now = t0 + 1s;
        x.report(record_type::allow_new_sources, 1, {1, 2});
    }
    x.now = t0 + 10s;
    x.out.clear();
    const auto changed_before = x.mem(1);
    const auto changed = (row.initial == filter_mode::include)
                             ? x.report(row.type, 1, {2, 3})
                             : x.report(row.type, 1, {2, 3, 5});

    auto value = [&](tk k) -> std::optional<time_point> {
        switch (k) {
            case tk::old: return t0 + 1s + x.gmi();
            case tk::fresh: return x.now + x.gmi();
            case tk::gt: return t0 + x.gmi();
            case tk::lmqt: return x.now + x.lmqt();
            case tk::stopped: return std::nullopt;
        }
        return std::nullopt;
    };

    const auto* g = x.r.record(grp(f, 1));
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->mode, row.expected_mode);
    ASSERT_EQ(g->sources.size(), row.expected_sources.size());
    for (const auto& [n, kind] : row.expected_sources) {
        const auto* s = x.source(1, n);
        ASSERT_NE(s, nullptr) << "source " << n;
        auto want = value(kind);
        if (want) EXPECT_EQ(s->timer, *want) << "source " << n;
        else EXPECT_FALSE(s->running()) << "source " << n;
    }
    if (row.group_timer) EXPECT_EQ(g->filter_timer, *value(*row.group_timer));
    else EXPECT_EQ(g->filter_timer, timer_off);

    // The queries the row triggers, first transmission (S flag clear: every
    // queried timer was just lowered to LMQT).
    bool saw_group = false;
    source_set queried;
    for (const auto& q : queries(x.out)) {
        EXPECT_EQ(q.group, grp(f, 1));
        EXPECT_EQ(q.ver, v3_of(f));
        EXPECT_FALSE(q.s_flag);
        EXPECT_EQ(q.max_resp, std::chrono::duration_cast<std::chrono::milliseconds>(
                                  x.t().last_member_query_interval));
        if (q.sources.empty()) saw_group = true;
        else queried += source_set(q.sources);
    }
    EXPECT_EQ(saw_group, row.query_group);
    std::vector<net::address> want_q;
    for (int n : row.query_sources) want_q.push_back(src(f, n));
    EXPECT_EQ(queried, source_set(want_q));

    // The change list names the group exactly when membership() changed.
    const bool did_change = !(changed_before == x.mem(1));
    EXPECT_EQ(changed.size(), did_change ? 1u : 0u);
    EXPECT_EQ(x.mem(1), g->membership());
}

INSTANTIATE_TEST_SUITE_P(rfc3376_6_4, router_table,
                         ::testing::Combine(::testing::ValuesIn(rows), ::testing::Values(fam::v4, fam::v6)),
                         [](const auto& p) {
                             return std::string(std::get<0>(p.param).name) + "_" +
                                    fam_name(std::get<1>(p.param));
                         });

}  // namespace
}  // namespace mcproxy::core::test
