// SPDX-License-Identifier: GPL-2.0-or-later
// Randomised sequences of reports, leaves, queries, address changes and time
// jumps (fixed seeds), with the database invariants checked after every step.
#include <map>
#include <random>
#include <set>

#include "router_test_util.hpp"

namespace mcproxy::core::test {
namespace {

using wire::version;

struct random_case {
    fam f;
    version ver;
    bool fastleave;
    std::uint64_t seed;
};

void PrintTo(const random_case& c, std::ostream* os) {
    *os << wire::to_string(c.ver) << (c.fastleave ? " fastleave" : "") << " seed " << c.seed;
}

using snapshot = std::map<net::address, membership>;

snapshot take(const router& r) {
    snapshot s;
    r.for_each_record([&](const group_record& g) { s[g.group] = g.membership(); });
    return s;
}

/// Groups whose membership differs between two snapshots.
std::set<net::address> diff(const snapshot& a, const snapshot& b) {
    std::set<net::address> d;
    for (const auto& [g, m] : a) {
        auto it = b.find(g);
        if (it == b.end() ? !m.empty() : !(it->second == m)) d.insert(g);
    }
    for (const auto& [g, m] : b)
        if (!a.count(g) && !m.empty()) d.insert(g);
    return d;
}

class router_random : public ::testing::TestWithParam<random_case> {
protected:
    void check(const router& r, time_point now, bool after_advance, const snapshot& before, const group_list& changed,
               const std::string& step) {
        SCOPED_TRACE(step);
        std::size_t hosts = 0;
        time_point earliest = timer_off;
        r.for_each_record([&](const group_record& g) {
            SCOPED_TRACE(g.group.to_string());
            hosts += g.hosts.size();
            if (g.mode == filter_mode::include) {
                // INCLUDE never has a running filter timer; an empty INCLUDE record is deleted.
                EXPECT_EQ(g.filter_timer, timer_off);
                EXPECT_FALSE(g.sources.empty());
                for (const auto& s : g.sources) EXPECT_TRUE(s.running());
                EXPECT_EQ(g.group_retransmissions, 0u);
            } else {
                EXPECT_NE(g.filter_timer, timer_off);
            }
            for (std::size_t i = 1; i < g.sources.size(); ++i) EXPECT_LT(g.sources[i - 1].source, g.sources[i].source);
            for (std::size_t i = 1; i < g.hosts.size(); ++i) EXPECT_LT(g.hosts[i - 1].host, g.hosts[i].host);
            EXPECT_FALSE(g.group.is_link_local_multicast());
            if (g.group.is_ssm()) {
                EXPECT_EQ(g.mode, filter_mode::include) << "RFC 4604";
            }
            if (after_advance) {
                // No expired timer survives advance().
                EXPECT_GT(g.deadline(), now);
            }
            earliest = std::min(earliest, g.deadline());
            EXPECT_EQ(r.membership(g.group), g.membership());
        });
        EXPECT_EQ(hosts, r.tracked_host_count());
        EXPECT_LE(hosts, r.settings().max_tracked_hosts);
        const auto q = r.querier();
        if (q.other_querier_present_until) earliest = std::min(earliest, *q.other_querier_present_until);
        if (q.next_general_query) earliest = std::min(earliest, *q.next_general_query);
        const auto next = r.next_deadline();
        if (earliest == timer_off) {
            EXPECT_TRUE(!next || after_advance == false);
        } else {
            ASSERT_TRUE(next.has_value());
            EXPECT_LE(*next, earliest) << "next_deadline() may never be late";
            if (after_advance) {
                EXPECT_GT(*next, now) << "next_deadline() in the past after advance";
                EXPECT_EQ(*next, earliest) << "exact after advance";
            }
        }
        // The change list is exactly the set of groups whose membership changed.
        const auto now_snap = take(r);
        const std::set<net::address> reported(changed.begin(), changed.end());
        EXPECT_EQ(reported.size(), changed.size()) << "a group listed twice";
        EXPECT_EQ(reported, diff(before, now_snap));
    }
};

TEST_P(router_random, invariants_hold) {
    const auto c = GetParam();
    const fam f = c.f;
    std::mt19937_64 rng(c.seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };

    router_settings s = fixture::make(f, c.fastleave, c.ver, true);
    s.max_tracked_hosts = 12;
    s.max_sources_per_group = 5;
    s.max_groups = 6;
    router r(s, time_point{});
    actions out;
    time_point now{};
    const bool v3 = c.ver == version::igmpv3 || c.ver == version::mldv2;
    const version older = f == fam::v4 ? version::igmpv2 : version::mldv1;

    std::vector<net::address> groups;
    for (int g = 1; g <= 5; ++g) groups.push_back(grp(f, g));
    groups.push_back(addr(f == fam::v4 ? "232.1.1.1" : "ff3e::1:1"));  // SSM
    groups.push_back(addr(f == fam::v4 ? "224.0.0.251" : "ff02::fb"));  // link-local
    groups.push_back(addr(f == fam::v4 ? "198.51.100.9" : "2001:db8::9"));  // not multicast
    groups.push_back(addr(f == fam::v4 ? "239.1.1.6" : "ff05::1:6"));  // beyond max_groups with the others

    auto random_sources = [&] {
        std::vector<net::address> v;
        const int n = pick(4);
        for (int i = 0; i < n; ++i) v.push_back(src(f, 1 + pick(7)));
        return v;
    };
    auto reporter = [&]() -> net::address {
        if (pick(40) == 0) return net::address::any(f == fam::v4 ? net::family::ipv4 : net::family::ipv6);
        return host(f, 1 + pick(6));
    };

    const int steps = 6000;
    for (int i = 0; i < steps; ++i) {
        const snapshot before = take(r);
        out.clear();
        const int op = pick(100);
        group_list changed;
        bool adv = false;
        std::string what;
        if (op < 45) {
            wire::report_v3 rep;
            rep.ver = v3_of(f);
            const int n = 1 + pick(2);
            for (int k = 0; k < n; ++k)
                rep.records.push_back(wire::group_record{static_cast<wire::record_type>(1 + pick(6)),
                                                         groups[static_cast<std::size_t>(pick(9))], random_sources(), {}});
            what = "report";
            changed = r.handle(rep, reporter(), now, out);
        } else if (op < 55) {
            version v = v3 ? older : c.ver;
            if (f == fam::v4 && pick(3) == 0) v = version::igmpv1;
            what = "older report";
            changed = r.handle(wire::report_v1v2{v, groups[static_cast<std::size_t>(pick(9))]}, reporter(), now, out);
        } else if (op < 62) {
            what = "leave";
            if (c.ver != version::igmpv1 || f == fam::v4)
                changed = r.handle(wire::leave{f == fam::v4 ? version::igmpv2 : version::mldv1,
                                               groups[static_cast<std::size_t>(pick(9))]},
                                   reporter(), now, out);
        } else if (op < 70) {
            wire::query q;
            q.ver = c.ver;
            q.group = pick(2) ? net::address::any(f == fam::v4 ? net::family::ipv4 : net::family::ipv6)
                              : groups[static_cast<std::size_t>(pick(6))];
            if (v3 && !q.group.is_unspecified() && pick(2)) q.sources = random_sources();
            q.s_flag = v3 && pick(2);
            q.qrv = static_cast<std::uint8_t>(pick(4));
            q.qqi = std::chrono::seconds(pick(3) * 40);
            q.max_resp = std::chrono::milliseconds(100 * (1 + pick(50)));
            what = "query";
            changed = r.handle(q, other_router(f, pick(2) == 0), now, out);
        } else if (op < 71) {
            what = "set_address";
            r.set_address(pick(3) ? own(f) : net::address::any(f == fam::v4 ? net::family::ipv4 : net::family::ipv6),
                          now, out);
        } else if (op < 74) {
            // The clock moves on without advance(): the next message must
            // run the overdue timers of its group first.
            now += duration(1000000LL * pick(300));
            what = "late clock";
        } else {
            // Time jumps: mostly short, sometimes past whole intervals.
            const int kind = pick(10);
            duration d = kind < 6 ? duration(1000 * (1 + pick(3000))) : kind < 9 ? duration(1000000LL * pick(60))
                                                                                  : duration(1000000LL * pick(400));
            now += d;
            adv = true;
            what = "advance";
            changed = r.advance(now, out);
        }
        check(r, now, adv, before, changed, what + " at step " + std::to_string(i));
        // Also exercise waking exactly at next_deadline().
        if (adv && pick(2) == 0) {
            if (auto nd = r.next_deadline()) {
                const snapshot b2 = take(r);
                now = *nd;
                out.clear();
                auto ch = r.advance(now, out);
                check(r, now, true, b2, ch, "advance to deadline at step " + std::to_string(i));
            }
        }
        if (::testing::Test::HasFailure()) break;
    }
}

std::vector<random_case> cases() {
    std::vector<random_case> v;
    std::uint64_t seed = 20261125;
    for (bool fl : {false, true}) {
        for (auto [f, ver] : {std::pair{fam::v4, version::igmpv3}, std::pair{fam::v6, version::mldv2},
                              std::pair{fam::v4, version::igmpv2}, std::pair{fam::v6, version::mldv1},
                              std::pair{fam::v4, version::igmpv1}})
            for (int k = 0; k < 2; ++k) v.push_back({f, ver, fl, seed++});
    }
    return v;
}

INSTANTIATE_TEST_SUITE_P(seeds, router_random, ::testing::ValuesIn(cases()), [](const auto& p) {
    return std::string(wire::to_string(p.param.ver)) + (p.param.fastleave ? "_fastleave_" : "_") +
           std::to_string(p.param.seed);
});

}  // namespace
}  // namespace mcproxy::core::test
