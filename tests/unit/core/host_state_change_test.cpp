// SPDX-License-Identifier: GPL-2.0-or-later
// RFC 3376 5.1 / RFC 3810 6.1: state-change reports, one test row per row
// of the 5.1 table, for IGMPv3 and MLDv2, plus the pending-report merging
// rules and the retransmission count.
#include <gtest/gtest.h>

#include "core/host_test_util.hpp"
#include "mcproxy/core/host.hpp"

namespace mcproxy::core {
namespace {

using namespace host_test;
using wire::record_type;
using T = record_type;

/// Addresses of one family: a group and three sources.
struct fam {
    const char* name;
    wire::version ver;
    const char* group;
    const char* s1;
    const char* s2;
    const char* s3;
    const char* report_dst;
};

const fam fam_v4{"IGMPv3", wire::version::igmpv3, "239.1.1.1", "192.0.2.1", "192.0.2.2", "192.0.2.3", "224.0.0.22"};
const fam fam_v6{"MLDv2", wire::version::mldv2, "ff05::1", "2001:db8::1", "2001:db8::2", "2001:db8::3", "ff02::16"};

host make_host(const fam& f, unsigned robustness = 2) {
    host_settings s;
    s.iface = 7;
    s.ver = f.ver;
    s.timers.robustness = robustness;
    // These rows pin RFC 3376 5.1 / RFC 3810 6.1: every change is reported
    // at once. Burst pacing has its own tests (host_pacing_test.cpp).
    s.report_pacing = duration::zero();
    return host(s);
}

/// Runs every timer until nothing is scheduled; returns what was sent.
actions settle(host& h, time_point& now) {
    actions out;
    for (int i = 0; i < 1000; ++i) {
        auto d = h.next_deadline();
        if (!d) break;
        now = *d;
        h.advance(now, out);
    }
    return out;
}

enum class kind { none, inc, exc };
struct state {
    kind k;
    int sources;  ///< bit mask of s1, s2, s3
};

membership make(const fam& f, state st) {
    membership m;
    if (st.k == kind::none) return m;
    m.mode = st.k == kind::inc ? filter_mode::include : filter_mode::exclude;
    if (st.sources & 1) m.sources.insert(ip(f.s1));
    if (st.sources & 2) m.sources.insert(ip(f.s2));
    if (st.sources & 4) m.sources.insert(ip(f.s3));
    return m;
}

struct row {
    const char* name;
    state old_state;
    state new_state;
    // expected records: type and source mask
    std::vector<std::pair<record_type, int>> expected;
};

// RFC 3376 5.1 table (A = old sources, B = new sources), with "non-existent"
// as INCLUDE{} as the text says. A = {s1, s2} (mask 3), B = {s2, s3} (mask 6).
const std::vector<row> table = {
    {"row1_IN_A_to_IN_B_allow_B_minus_A_block_A_minus_B", {kind::inc, 3}, {kind::inc, 6},
     {{T::allow_new_sources, 4}, {T::block_old_sources, 1}}},
    {"row2_EX_A_to_EX_B_allow_A_minus_B_block_B_minus_A", {kind::exc, 3}, {kind::exc, 6},
     {{T::allow_new_sources, 1}, {T::block_old_sources, 4}}},
    {"row3_IN_A_to_EX_B_to_ex_B", {kind::inc, 3}, {kind::exc, 6}, {{T::change_to_exclude, 6}}},
    {"row4_EX_A_to_IN_B_to_in_B", {kind::exc, 3}, {kind::inc, 6}, {{T::change_to_include, 6}}},
    {"new_IN_B_allow_B", {kind::none, 0}, {kind::inc, 6}, {{T::allow_new_sources, 6}}},
    {"new_EX_B_to_ex_B", {kind::none, 0}, {kind::exc, 6}, {{T::change_to_exclude, 6}}},
    {"new_EX_empty_to_ex_empty", {kind::none, 0}, {kind::exc, 0}, {{T::change_to_exclude, 0}}},
    {"IN_A_deleted_block_A", {kind::inc, 3}, {kind::none, 0}, {{T::block_old_sources, 3}}},
    {"EX_A_deleted_to_in_empty", {kind::exc, 3}, {kind::none, 0}, {{T::change_to_include, 0}}},
    {"row1_only_allow_when_block_empty", {kind::inc, 1}, {kind::inc, 3}, {{T::allow_new_sources, 2}}},
    {"row1_only_block_when_allow_empty", {kind::inc, 3}, {kind::inc, 1}, {{T::block_old_sources, 2}}},
    {"row2_only_block_when_allow_empty", {kind::exc, 1}, {kind::exc, 3}, {{T::block_old_sources, 2}}},
    {"row2_only_allow_when_block_empty", {kind::exc, 3}, {kind::exc, 1}, {{T::allow_new_sources, 2}}},
};

void PrintTo(const fam& f, std::ostream* os) { *os << f.name; }
void PrintTo(const row& r, std::ostream* os) { *os << r.name; }

std::vector<wire::group_record> expected_records(const fam& f, const row& r) {
    std::vector<wire::group_record> v;
    for (const auto& [t, mask] : r.expected) {
        wire::group_record g{t, ip(f.group), {}, {}};
        g.sources = make(f, {kind::inc, mask}).sources.to_vector();
        v.push_back(g);
    }
    return v;
}

class StateChangeTable : public ::testing::TestWithParam<std::tuple<fam, row>> {};

TEST_P(StateChangeTable, ImmediateReportAndRobustnessRetransmissions) {
    const auto& [f, r] = GetParam();
    host h = make_host(f);
    time_point now = at(1s);
    actions out;
    h.set_membership(ip(f.group), make(f, r.old_state), now, out);
    settle(h, now);
    now += 10s;

    out.clear();
    h.set_membership(ip(f.group), make(f, r.new_state), now, out);
    const auto expected = expected_records(f, r);
    // The first report goes out at once, to 224.0.0.22 / ff02::16.
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(sends(out)[0].destination, ip(f.report_dst));
    EXPECT_EQ(sends(out)[0].iface, 7u);
    EXPECT_EQ(records(out), expected) << show(records(out));
    EXPECT_EQ(v3_reports(out)[0].ver, f.ver);

    // [Robustness Variable] - 1 = 1 retransmission of the same content,
    // within (0, Unsolicited Report Interval].
    const time_point first = now;
    ASSERT_TRUE(h.next_deadline());
    EXPECT_GT(*h.next_deadline(), first);
    EXPECT_LE(*h.next_deadline(), first + 1s);
    const actions rest = settle(h, now);
    EXPECT_EQ(records(rest), expected) << show(records(rest));
    EXPECT_FALSE(h.next_deadline());
    EXPECT_EQ(h.state(ip(f.group)), make(f, r.new_state));
}

INSTANTIATE_TEST_SUITE_P(Rfc3376_5_1, StateChangeTable,
                         ::testing::Combine(::testing::Values(fam_v4, fam_v6), ::testing::ValuesIn(table)),
                         [](const auto& pi) {
                             return std::string(std::get<0>(pi.param).name) + "_" + std::get<1>(pi.param).name;
                         });

class StateChange : public ::testing::TestWithParam<fam> {};

TEST_P(StateChange, UnchangedStateSendsNothing) {
    const fam& f = GetParam();
    host h = make_host(f);
    time_point now = at(1s);
    actions out;
    h.set_membership(ip(f.group), inc({f.s1}), now, out);
    settle(h, now);
    out.clear();
    h.set_membership(ip(f.group), inc({f.s1}), now, out);
    h.set_membership(ip("239.9.9.9"), membership{}, now, out);  // none -> none
    EXPECT_TRUE(out.empty());
    EXPECT_FALSE(h.next_deadline());
}

TEST_P(StateChange, RetransmittedRobustnessTimesInTotal) {
    const fam& f = GetParam();
    for (unsigned rv : {1u, 2u, 3u, 5u}) {
        host h = make_host(f, rv);
        time_point now = at(0s);
        actions out;
        h.set_membership(ip(f.group), exc({}), now, out);
        actions all = out;
        const actions rest = settle(h, now);
        all.insert(all.end(), rest.begin(), rest.end());
        EXPECT_EQ(v3_reports(all).size(), rv) << "robustness " << rv;
        for (const auto& r : records(all)) EXPECT_EQ(r.type, T::change_to_exclude);
        EXPECT_FALSE(h.retransmission_pending(ip(f.group)));
    }
}

// RFC 3376 5.1: a change during pending retransmissions triggers an
// immediate report merged with the pending one; every source of a
// difference is reported [Robustness Variable] times after its change.
TEST_P(StateChange, PendingAllowMergesWithNewSource) {
    const fam& f = GetParam();
    host h = make_host(f);
    time_point now = at(0s);
    actions out;
    h.set_membership(ip(f.group), inc({f.s1}), now, out);
    EXPECT_EQ(records(out), (std::vector{rec(T::allow_new_sources, f.group, {f.s1})}));
    out.clear();
    now += 1us;  // before the retransmission
    h.set_membership(ip(f.group), inc({f.s1, f.s2}), now, out);
    EXPECT_EQ(records(out), (std::vector{rec(T::allow_new_sources, f.group, {f.s1, f.s2})})) << show(records(out));
    const actions rest = settle(h, now);
    // s1 has been sent twice; s2 needs one more.
    EXPECT_EQ(records(rest), (std::vector{rec(T::allow_new_sources, f.group, {f.s2})})) << show(records(rest));
}

TEST_P(StateChange, PendingAllowTurnsIntoBlockWhenSourceLeaves) {
    const fam& f = GetParam();
    host h = make_host(f);
    time_point now = at(0s);
    actions out;
    h.set_membership(ip(f.group), inc({f.s1, f.s2}), now, out);
    out.clear();
    now += 1us;
    h.set_membership(ip(f.group), inc({f.s2}), now, out);
    // s1 moves from the pending ALLOW to BLOCK; s2 still pending in ALLOW.
    EXPECT_EQ(records(out), (std::vector{rec(T::allow_new_sources, f.group, {f.s2}),
                                         rec(T::block_old_sources, f.group, {f.s1})}))
        << show(records(out));
    const actions rest = settle(h, now);
    EXPECT_EQ(records(rest), (std::vector{rec(T::block_old_sources, f.group, {f.s1})})) << show(records(rest));
}

TEST_P(StateChange, ModeChangeRecordsWinWhileSourceChangesFollow) {
    const fam& f = GetParam();
    host h = make_host(f);
    time_point now = at(0s);
    actions out;
    h.set_membership(ip(f.group), exc({}), now, out);
    EXPECT_EQ(records(out), (std::vector{rec(T::change_to_exclude, f.group, {})}));
    out.clear();
    now += 1us;
    // A source change during the Filter-Mode-Change period: the report
    // still carries TO_EX, with the current list.
    h.set_membership(ip(f.group), exc({f.s3}), now, out);
    EXPECT_EQ(records(out), (std::vector{rec(T::change_to_exclude, f.group, {f.s3})})) << show(records(out));
    // [Robustness] TO_EX have gone out since the mode change; then the
    // scheduled source-list change is sent [Robustness] times.
    const actions rest = settle(h, now);
    EXPECT_EQ(records(rest), (std::vector{rec(T::block_old_sources, f.group, {f.s3}),
                                          rec(T::block_old_sources, f.group, {f.s3})}))
        << show(records(rest));
}

TEST_P(StateChange, ModeChangeSupersedesPendingSourceDeltas) {
    const fam& f = GetParam();
    host h = make_host(f, 3);
    time_point now = at(0s);
    actions out;
    h.set_membership(ip(f.group), inc({f.s1}), now, out);
    out.clear();
    now += 1us;
    h.set_membership(ip(f.group), exc({f.s2}), now, out);
    EXPECT_EQ(records(out), (std::vector{rec(T::change_to_exclude, f.group, {f.s2})}));
    const actions rest = settle(h, now);
    EXPECT_EQ(records(rest), (std::vector{rec(T::change_to_exclude, f.group, {f.s2}),
                                          rec(T::change_to_exclude, f.group, {f.s2})}))
        << show(records(rest));
}

TEST_P(StateChange, ModeFlipBackDuringRetransmission) {
    const fam& f = GetParam();
    host h = make_host(f);
    time_point now = at(0s);
    actions out;
    h.set_membership(ip(f.group), exc({}), now, out);
    out.clear();
    now += 1us;
    h.set_membership(ip(f.group), membership{}, now, out);
    EXPECT_EQ(records(out), (std::vector{rec(T::change_to_include, f.group, {})}));
    const actions rest = settle(h, now);
    EXPECT_EQ(records(rest), (std::vector{rec(T::change_to_include, f.group, {})}));
    EXPECT_EQ(h.group_count(), 0u);
}

TEST_P(StateChange, PendingChangesOfSeveralGroupsShareOneRetransmission) {
    const fam& f = GetParam();
    host h = make_host(f);
    time_point now = at(0s);
    actions out;
    const bool v6 = f.ver == wire::version::mldv2;
    const net::address g2 = ip(v6 ? "ff05::2" : "239.1.1.2");
    h.set_memberships({{ip(f.group), exc({})}, {g2, inc({f.s1})}}, now, out);
    ASSERT_EQ(v3_reports(out).size(), 1u);
    EXPECT_EQ(v3_reports(out)[0].records.size(), 2u);
    const actions rest = settle(h, now);
    ASSERT_EQ(v3_reports(rest).size(), 1u);
    EXPECT_EQ(v3_reports(rest)[0].records.size(), 2u);
}

TEST_P(StateChange, LinkLocalGroupsAreNeverReported) {
    const fam& f = GetParam();
    host h = make_host(f);
    actions out;
    const bool v6 = f.ver == wire::version::mldv2;
    h.set_membership(ip(v6 ? "ff02::fb" : "224.0.0.251"), exc({}), at(0s), out);
    h.set_membership(ip(v6 ? "ff01::5" : "224.0.0.5"), exc({}), at(0s), out);
    // Wrong family and unicast are ignored too.
    h.set_membership(ip(v6 ? "239.1.1.1" : "ff05::1"), exc({}), at(0s), out);
    h.set_membership(ip(v6 ? "2001:db8::9" : "192.0.2.9"), exc({}), at(0s), out);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(h.group_count(), 0u);
    EXPECT_FALSE(h.next_deadline());
}

TEST_P(StateChange, InterfaceUpAnnouncesEverything) {
    const fam& f = GetParam();
    host h = make_host(f);
    time_point now = at(0s);
    actions out;
    h.set_membership(ip(f.group), inc({f.s1}), now, out);
    h.interface_down();
    EXPECT_FALSE(h.next_deadline());
    out.clear();
    now += 5s;
    h.interface_up(now, out);
    EXPECT_EQ(records(out), (std::vector{rec(T::allow_new_sources, f.group, {f.s1})}));
    EXPECT_TRUE(h.retransmission_pending(ip(f.group)));
}

INSTANTIATE_TEST_SUITE_P(Families, StateChange, ::testing::Values(fam_v4, fam_v6),
                         [](const auto& pi) { return std::string(pi.param.name); });

}  // namespace
}  // namespace mcproxy::core
