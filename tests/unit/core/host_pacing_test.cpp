// SPDX-License-Identifier: GPL-2.0-or-later
// Pacing of state-change reports in a burst (host_settings::report_pacing):
// a change after a quiet spell goes out at once (RFC 3376 5.1); changes
// within the pacing time after a report wait until they fill a report or
// the time is up, so a burst of joins leaves in full reports. Nothing is
// lost or reported twice beyond [Robustness Variable].
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "core/host_test_util.hpp"
#include "mcproxy/core/host.hpp"
#include "mcproxy/core/host_report_packer.hpp"

namespace mcproxy::core {
namespace {

using namespace host_test;
using T = wire::record_type;

constexpr duration pacing = std::chrono::milliseconds(5);

host_settings paced(wire::version v = wire::version::igmpv3) {
    host_settings s;
    s.iface = 7;
    s.ver = v;
    s.report_pacing = pacing;
    return s;
}

net::address group_no(int i, bool v6 = false) {
    const std::string text = v6 ? "ff05::1:" + std::to_string(i)
                                : "239.2." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    return *net::address::parse(text);
}

std::size_t wire_bytes(const wire::report_v3& r, net::family f) {
    std::size_t n = report_header_size(f);
    for (const auto& rec : r.records) n += record_size(f, rec.sources.size());
    return n;
}

/// Runs every timer until nothing is scheduled; returns what was sent.
actions settle(host& h, time_point& now) {
    actions out;
    for (int i = 0; i < 1000; ++i) {
        auto d = h.next_deadline();
        if (!d) break;
        EXPECT_GE(*d, now) << "deadline in the past";
        now = *d;
        h.advance(now, out);
    }
    EXPECT_FALSE(h.next_deadline().has_value()) << "timers still pending after 1000 steps";
    return out;
}

TEST(HostPacing, ChangeAfterQuietSpellGoesOutAtOnce) {
    host h(paced());
    actions out;
    h.set_membership(ip("239.1.1.1"), exc({}), at(0s), out);
    EXPECT_EQ(records(out).size(), 1u);
    actions later;
    h.set_membership(ip("239.1.1.2"), exc({}), at(0s) + pacing, later);
    EXPECT_EQ(records(later).size(), 1u) << "the pacing time is over: at once";
}

TEST(HostPacing, ChangeWithinPacingTimeWaitsForItsEnd) {
    host h(paced());
    actions out;
    h.set_membership(ip("239.1.1.1"), exc({}), at(0s), out);
    out.clear();
    h.set_membership(ip("239.1.1.2"), exc({}), at(1ms), out);
    EXPECT_TRUE(out.empty());
    ASSERT_EQ(h.next_deadline(), at(0s) + pacing);
    h.advance(at(0s) + pacing - duration{1}, out);
    EXPECT_TRUE(out.empty());
    h.advance(at(0s) + pacing, out);
    EXPECT_EQ(show(records(out)), show({rec(T::change_to_exclude, "239.1.1.2", {})}));
}

TEST(HostPacing, ZeroPacingSendsEveryChangeAtOnce) {
    host_settings s = paced();
    s.report_pacing = duration::zero();
    host h(s);
    actions out;
    for (int i = 0; i < 10; ++i) h.set_membership(group_no(i), exc({}), at(0s), out);
    EXPECT_EQ(v3_reports(out).size(), 10u);
}

// The point of pacing: 1,000 joins arriving one per call leave in full
// reports, as if the host had sent them packed.
TEST(HostPacing, BurstLeavesInFullReports) {
    for (const bool v6 : {false, true}) {
        const wire::version v = v6 ? wire::version::mldv2 : wire::version::igmpv3;
        const net::family f = wire::family_of(v);
        host h(paced(v));
        const std::size_t per_report = (1500 - report_header_size(f)) / record_size(f, 0);
        actions out;
        time_point now = at(0s);
        for (int i = 0; i < 1000; ++i) {
            now += std::chrono::microseconds(3);
            h.set_membership(group_no(i, v6), exc({}), now, out);
        }
        const auto during = v3_reports(out);
        ASSERT_GE(during.size(), 2u);
        EXPECT_EQ(during.front().records.size(), 1u) << "the first join at once";
        for (std::size_t i = 1; i < during.size(); ++i)
            EXPECT_EQ(during[i].records.size(), per_report) << "report " << i << " not full";
        // The rest when the pacing time is over, before any retransmission.
        ASSERT_LE(*h.next_deadline(), now + pacing);
        actions rest;
        h.advance(now + pacing, rest);
        std::size_t first_copy = records(out).size() + records(rest).size();
        EXPECT_EQ(first_copy, 1000u);

        // First copy on the wire: the minimum plus the header of the one
        // early report.
        std::size_t bytes = 0;
        for (const auto& r : v3_reports(out)) bytes += wire_bytes(r, f);
        for (const auto& r : v3_reports(rest)) bytes += wire_bytes(r, f);
        const std::size_t reports_min = (1000 + per_report - 1) / per_report;
        const std::size_t minimum = reports_min * report_header_size(f) + 1000 * record_size(f, 0);
        EXPECT_LE(bytes, minimum + report_header_size(f)) << (v6 ? "MLDv2" : "IGMPv3");
    }
}

// RFC 3376 5.1 merging: a held group that changes again is reported once,
// with the state at sending time.
TEST(HostPacing, HeldGroupIsReportedWithItsStateAtSendingTime) {
    host h(paced());
    actions out;
    h.set_membership(ip("239.1.1.1"), exc({}), at(0s), out);
    out.clear();
    h.set_membership(ip("239.1.1.2"), inc({"192.0.2.1"}), at(1ms), out);
    h.set_membership(ip("239.1.1.2"), inc({"192.0.2.1", "192.0.2.2"}), at(2ms), out);
    h.set_membership(ip("239.1.1.3"), exc({}), at(2ms), out);
    h.set_membership(ip("239.1.1.3"), inc({}), at(3ms), out);
    EXPECT_TRUE(out.empty());
    h.advance(at(0s) + pacing, out);
    // 239.1.1.2: two INCLUDE changes merge into one ALLOW (RFC 3376 5.1
    // row 1). 239.1.1.3 was joined and left while held: its last change was
    // a filter-mode change, reported as TO_IN{} (harmless).
    EXPECT_EQ(show(records(out)), show({rec(T::allow_new_sources, "239.1.1.2", {"192.0.2.1", "192.0.2.2"}),
                                        rec(T::change_to_include, "239.1.1.3", {})}));
}

TEST(HostPacing, RetransmissionCarriesHeldGroups) {
    host_settings s = paced();
    s.timers.unsolicited_report_interval = std::chrono::milliseconds(2);  // before the pacing ends
    host h(s);
    actions out;
    time_point now = at(0s);
    h.set_membership(ip("239.1.1.1"), exc({}), now, out);
    h.set_membership(ip("239.1.1.2"), exc({}), now + duration{1}, out);
    EXPECT_EQ(records(out).size(), 1u);
    ASSERT_LT(*h.next_deadline(), at(0s) + pacing) << "the retransmission comes first";
    const actions rest = settle(h, now);
    std::map<net::address, int> count;
    for (const auto& r : records(out)) ++count[r.group];
    for (const auto& r : records(rest)) ++count[r.group];
    EXPECT_EQ(count[ip("239.1.1.1")], 2) << "[Robustness Variable] reports each";
    EXPECT_EQ(count[ip("239.1.1.2")], 2);
}

// Both due at the same instant: the retransmission carries the held group,
// which is not sent twice at once.
TEST(HostPacing, HeldGroupIsSentOnceWhenTheRetransmissionIsDueToo) {
    host_settings s = paced();
    s.report_pacing = duration{1};
    s.timers.unsolicited_report_interval = duration{1};  // the retransmission at +1 ns too
    host h(s);
    actions out;
    h.set_membership(ip("239.1.1.1"), exc({}), at(0s), out);
    h.set_membership(ip("239.1.1.2"), exc({}), at(0s), out);
    EXPECT_EQ(records(out).size(), 1u) << "the second change waits";
    ASSERT_EQ(h.next_deadline(), at(0s) + duration{1});
    actions due;
    h.advance(at(0s) + duration{1}, due);
    std::map<net::address, int> count;
    for (const auto& r : records(due)) ++count[r.group];
    EXPECT_EQ(count[ip("239.1.1.2")], 1);
    EXPECT_EQ(count[ip("239.1.1.1")], 1);
}

TEST(HostPacing, InterfaceDownDropsHeldReports) {
    host h(paced());
    actions out;
    h.set_membership(ip("239.1.1.1"), exc({}), at(0s), out);
    h.set_membership(ip("239.1.1.2"), exc({}), at(1ms), out);
    h.interface_down();
    EXPECT_FALSE(h.next_deadline().has_value());
    // Coming back up announces everything at once, not paced.
    actions up;
    h.interface_up(at(2ms), up);
    EXPECT_EQ(records(up).size(), 2u);
}

// Random bursts: once the pacing time is over, a router that heard every
// record knows the host's state, and every report fits the MTU.
TEST(HostPacing, RandomBurstsEndInTheRightState) {
    std::mt19937 rng(7);
    for (const bool v6 : {false, true}) {
        host_settings s = paced(v6 ? wire::version::mldv2 : wire::version::igmpv3);
        s.mtu = v6 ? 400 : 200;  // small, so reports fill up often
        host h(s);
        std::map<net::address, membership> model, want;
        const char* pool4[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};
        const char* pool6[] = {"2001:db8::1", "2001:db8::2", "2001:db8::3"};
        time_point now = at(0s);
        for (int step = 0; step < 3000; ++step) {
            now += std::chrono::microseconds(rng() % 3000);
            actions out;
            h.advance(now, out);
            const net::address g = group_no(static_cast<int>(rng() % 20), v6);
            membership m{rng() % 2 ? filter_mode::include : filter_mode::exclude, {}};
            for (int i = 0; i < 3; ++i)
                if (rng() % 2) m.sources.insert(ip(v6 ? pool6[i] : pool4[i]));
            h.set_membership(g, m, now, out);
            want[g] = m;
            for (const auto& r : v3_reports(out)) ASSERT_LE(wire_bytes(r, wire::family_of(s.ver)), s.mtu);
            for (const auto& r : records(out)) apply(model, r);
            const auto d = h.next_deadline();
            if (d) { ASSERT_GE(*d, now); }
        }
        // Let the last held reports go: the router now agrees.
        actions out;
        h.advance(now + pacing, out);
        for (const auto& r : records(out)) apply(model, r);
        for (const auto& [g, m] : want)
            EXPECT_TRUE(model[g] == m) << g.to_string();
    }
}

}  // namespace
}  // namespace mcproxy::core
