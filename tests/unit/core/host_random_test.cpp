// SPDX-License-Identifier: GPL-2.0-or-later
// Randomised sequences against the host side: thousands of random state
// changes, queries and time jumps with a fixed seed. Invariants checked
// after every step:
//  - an unchanged state emits nothing;
//  - a router model that applies every state-change record sent always
//    equals the host's state right after each change (records are right);
//  - every packet fits the MTU; deadlines never lie in the past;
//  - once changes stop, retransmissions stop after [Robustness] reports.
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

void check_sizes(const actions& out, net::family f, std::size_t mtu) {
    for (const auto& r : v3_reports(out)) {
        std::size_t n = report_header_size(f);
        for (const auto& rec : r.records) n += record_size(f, rec.sources.size());
        ASSERT_LE(n, mtu);
    }
}

void run(wire::version ver, std::uint32_t seed, bool with_older_queries) {
    std::mt19937 rng(seed);
    const bool v6 = wire::family_of(ver) == net::family::ipv6;
    std::vector<net::address> groups, pool;
    for (int i = 1; i <= 8; ++i)
        groups.push_back(*net::address::parse(v6 ? "ff05::" + std::to_string(i) : "239.5.0." + std::to_string(i)));
    for (int i = 1; i <= 40; ++i)
        pool.push_back(*net::address::parse(v6 ? "2001:db8::" + std::to_string(i) : "198.18.0." + std::to_string(i)));
    host_settings s;
    s.ver = ver;
    s.mtu = v6 ? 400 : 200;  // small, so splitting happens
    s.seed = seed;
    s.report_pacing = duration::zero();  // the model follows each change at once
    host h(s);
    std::map<net::address, membership> model;
    time_point now = at(0s);
    const std::size_t max_src = max_sources_per_record(wire::family_of(ver), s.mtu);

    for (int step = 0; step < 5000; ++step) {
        actions out;
        const unsigned what = static_cast<unsigned>(rng() % 10);
        if (what < 6) {
            const net::address& g = groups[rng() % groups.size()];
            membership m;
            if (rng() % 4) {
                m.mode = rng() % 2 ? filter_mode::include : filter_mode::exclude;
                for (const auto& src : pool)
                    if (rng() % 6 == 0) m.sources.insert(src);
            }
            // EXCLUDE lists longer than one packet would be cut (4.2.16);
            // keep them within one record so the model stays exact.
            while (m.mode == filter_mode::exclude && m.sources.size() > max_src) m.sources.erase(*m.sources.begin());
            const bool same = h.state(g) == m;
            const bool older = h.compat_version(now) != (v6 ? wire::version::mldv2 : wire::version::igmpv3);
            h.set_membership(g, m, now, out);
            if (same) {
                ASSERT_TRUE(out.empty()) << "step " << step;
            }
            if (!older) {
                for (const auto& r : records(out)) apply(model, r);
                ASSERT_EQ(model[g], m) << "step " << step << " " << show(records(out));
            } else {
                model[g] = m;  // v1/v2 cannot carry the state; resync the model
            }
        } else if (what < 8) {
            wire::query q;
            q.ver = v6 ? wire::version::mldv2 : wire::version::igmpv3;
            if (with_older_queries && rng() % 8 == 0)
                q.ver = v6 ? wire::version::mldv1 : (rng() % 2 ? wire::version::igmpv2 : wire::version::igmpv1);
            q.group = rng() % 2 ? net::address::any(wire::family_of(ver)) : groups[rng() % groups.size()];
            if (!q.group.is_unspecified() && rng() % 2)
                for (const auto& src : pool)
                    if (rng() % 8 == 0) q.sources.push_back(src);
            q.max_resp = std::chrono::milliseconds(1 + rng() % 10000);
            h.on_query(q, now, out);
        } else {
            now += duration{static_cast<duration::rep>(rng() % 3'000'000)};
            for (int i = 0; i < 1000; ++i) {
                auto d = h.next_deadline();
                if (!d || *d > now) break;
                h.advance(*d, out);
                ASSERT_TRUE(!h.next_deadline() || *h.next_deadline() > *d) << "step " << step;
            }
            h.advance(now, out);
            const bool older = h.compat_version(now) != (v6 ? wire::version::mldv2 : wire::version::igmpv3);
            if (!older)
                for (const auto& r : records(out)) apply(model, r);
        }
        check_sizes(out, wire::family_of(ver), s.mtu);
        if (::testing::Test::HasFatalFailure()) return;
    }

    // Changes stop: after at most [Robustness] more retransmission rounds
    // (each within the Unsolicited Report Interval) nothing is pending.
    actions out;
    for (int i = 0; i < 1000; ++i) {
        auto d = h.next_deadline();
        if (!d) break;
        now = *d;
        h.advance(now, out);
    }
    for (const auto& g : groups) EXPECT_FALSE(h.retransmission_pending(g));
    EXPECT_FALSE(h.next_deadline());
}

TEST(HostRandom, Igmpv3Sequences) { run(wire::version::igmpv3, 3376, false); }
TEST(HostRandom, Mldv2Sequences) { run(wire::version::mldv2, 3810, false); }
TEST(HostRandom, Igmpv3WithOlderQueriers) { run(wire::version::igmpv3, 2236, true); }
TEST(HostRandom, Mldv2WithOlderQueriers) { run(wire::version::mldv2, 2710, true); }

TEST(HostRandom, RetransmissionsStopAfterRobustness) {
    std::mt19937 rng(99);
    for (unsigned rv = 1; rv <= 4; ++rv) {
        host_settings s;
        s.timers.robustness = rv;
        host h(s);
        time_point now = at(0s);
        actions out;
        const net::address g = ip("239.6.6.6");
        // A burst of random changes, then silence.
        for (int i = 0; i < 50; ++i) {
            membership m{rng() % 2 ? filter_mode::include : filter_mode::exclude, {}};
            for (std::uint32_t k = 0; k < 5; ++k)
                if (rng() % 2) m.sources.insert(net::address::v4(0xC6120000u + k));
            h.set_membership(g, m, now, out);
            now += 10us;
        }
        out.clear();
        std::size_t reports = 0;
        for (int i = 0; i < 100; ++i) {
            auto d = h.next_deadline();
            if (!d) break;
            now = *d;
            h.advance(now, out);
            reports = v3_reports(out).size();
        }
        // After the last change: at most rv - 1 further filter-mode rounds
        // plus rv source-list rounds.
        EXPECT_LE(reports, 2 * rv) << "robustness " << rv;
        EXPECT_FALSE(h.retransmission_pending(g));
    }
}

}  // namespace
}  // namespace mcproxy::core
