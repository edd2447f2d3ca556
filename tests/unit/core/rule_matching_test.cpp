// SPDX-License-Identifier: GPL-2.0-or-later
// Several upstreams (doc/filters.md): `in` rule matching first / all / mutex with
// its timeout, and `out` rule matching all / first.
#include <gtest/gtest.h>

#include <map>

#include "core/filter_test_util.hpp"
#include "mcproxy/core/upstream_selector.hpp"

namespace mcproxy::core {
namespace {

using namespace filter_test;
using T = wire::record_type;

constexpr if_index up1 = 1, up2 = 2, d1 = 11, d2 = 12;
const char* const G = "239.1.1.1";
const char* const S1 = "198.51.100.1";
const char* const S2 = "198.51.100.2";

instance_settings two_up(filter_settings f) {
    instance_settings s;
    s.ver = wire::version::igmpv3;
    s.upstreams = {up1, up2};
    s.downstreams = {d1, d2};
    s.filters = std::move(f);
    return s;
}

filter_settings matching(upstream_in_matching m, duration timeout = {}) {
    filter_settings f;
    f.in_matching = m;
    f.mutex_timeout = timeout;
    return f;
}

void join(instance& inst, if_index d, const char* group, actions& out, T type = T::change_to_exclude,
          std::initializer_list<const char*> sources = {}, time_point now = at(1s)) {
    inst.handle(v3_report(d, d == d1 ? "192.0.2.10" : "192.0.2.20", {rec(type, group, sources)}), now, out);
}

// ---- the selector alone: one row per case -------------------------------

struct select_row {
    const char* name;
    upstream_in_matching kind;
    std::vector<membership> candidates;
    std::vector<membership> expected;
};

void PrintTo(const select_row& r, std::ostream* os) { *os << r.name; }

class SelectorRows : public ::testing::TestWithParam<select_row> {};

TEST_P(SelectorRows, Row) {
    const auto& r = GetParam();
    upstream_selector sel(r.kind, {}, {up1, up2, 3});
    EXPECT_EQ(sel.select(ip(G), r.candidates), r.expected) << r.name;
}

const select_row select_rows[] = {
    {"all: every candidate", upstream_in_matching::all, {exc({}), inc({S1}), exc({S2})}, {exc({}), inc({S1}), exc({S2})}},
    {"first: any-source join only on the first", upstream_in_matching::first, {exc({}), exc({}), exc({})},
     {exc({}), inc({}), inc({})}},
    {"first: refused group goes to the next", upstream_in_matching::first, {inc({}), exc({}), exc({})},
     {inc({}), exc({}), inc({})}},
    {"first: per source for INCLUDE", upstream_in_matching::first, {inc({S1}), inc({S1, S2}), inc({S2})},
     {inc({S1}), inc({S2}), inc({})}},
    {"first: source blacklisted on the first goes to the next", upstream_in_matching::first,
     {exc({S1}), exc({}), exc({})}, {exc({S1}), inc({S1}), inc({})}},
    {"first: whitelisted source on the first, the rest on the next", upstream_in_matching::first,
     {inc({S1}), exc({}), exc({})}, {inc({S1}), exc({S1}), inc({})}},
    {"mutex unlocked: like all", upstream_in_matching::mutex, {exc({}), exc({}), inc({S1})},
     {exc({}), exc({}), inc({S1})}},
};

INSTANTIATE_TEST_SUITE_P(Rows, SelectorRows, ::testing::ValuesIn(select_rows));

TEST(UpstreamSelector, MutexLockedReportsOnlyOnTheLockedUpstream) {
    upstream_selector sel(upstream_in_matching::mutex, 5000ms, {up1, up2});
    EXPECT_TRUE(sel.on_data(ip(G), up2, at(1s)));
    EXPECT_FALSE(sel.on_data(ip(G), up1, at(1s)));  // data on the other one does not steal the lock
    EXPECT_EQ(sel.locked(ip(G)), up2);
    EXPECT_EQ(sel.select(ip(G), {exc({}), exc({})}), (std::vector{inc({}), exc({})}));
    // What the locked upstream refuses still goes elsewhere.
    EXPECT_EQ(sel.select(ip(G), {exc({}), exc({S1})}), (std::vector{inc({S1}), exc({S1})}));
}

TEST(UpstreamSelector, OnlyMutexLocks) {
    upstream_selector sel(upstream_in_matching::first, 5000ms, {up1, up2});
    EXPECT_FALSE(sel.on_data(ip(G), up2, at(1s)));
    EXPECT_FALSE(sel.locked(ip(G)));
    EXPECT_FALSE(sel.next_deadline());
}

TEST(UpstreamSelector, MutexTimeoutIsExact) {
    upstream_selector sel(upstream_in_matching::mutex, 5000ms, {up1, up2});
    sel.on_data(ip(G), up1, at(2s));
    std::vector<upstream_selector::probe> probes;
    std::vector<net::address> unlocked;
    // Probes every 500 ms, each answered with no new data, up to just before 7 s.
    for (int i = 0; i < 100; ++i) {
        auto d = sel.next_deadline();
        ASSERT_TRUE(d);
        if (*d >= at(7s)) break;
        sel.advance(*d, probes, unlocked);
        sel.settle(*d, unlocked);
    }
    EXPECT_EQ(probes.size(), 9u);  // 2.5 s ... 6.5 s
    EXPECT_TRUE(unlocked.empty());
    EXPECT_EQ(sel.next_deadline(), at(7s));
    sel.advance(at(7s) - 1us, probes, unlocked);
    EXPECT_EQ(sel.locked(ip(G)), up1);
    sel.advance(at(7s), probes, unlocked);
    sel.settle(at(7s), unlocked);
    EXPECT_EQ(unlocked, std::vector{ip(G)});
    EXPECT_FALSE(sel.locked(ip(G)));
    EXPECT_FALSE(sel.next_deadline());
}

TEST(UpstreamSelector, MutexZeroTimeoutEndsAtOnce) {
    upstream_selector sel(upstream_in_matching::mutex, 0ms, {up1, up2});
    sel.on_data(ip(G), up1, at(2s));
    std::vector<upstream_selector::probe> probes;
    std::vector<net::address> unlocked;
    sel.advance(at(2s), probes, unlocked);
    sel.settle(at(2s), unlocked);
    EXPECT_EQ(unlocked, std::vector{ip(G)});
}

// ---- in the instance ----------------------------------------------------

// `first` (configuration default): two upstreams split by group range.
TEST(RuleMatching, FirstSplitsByGroupRange) {
    filter_settings f = matching(upstream_in_matching::first);
    f.upstream[up1].in = whitelist({rule("239.0.0.0/8", "*")});
    f.upstream[up2].in = whitelist({rule("232.0.0.0/8", "*")});
    instance inst(two_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    join(inst, d1, "232.1.1.1", out, T::allow_new_sources, {S1});
    EXPECT_EQ(inst.reported(up1, ip(G)), exc({}));
    EXPECT_TRUE(inst.reported(up2, ip(G)).empty());
    EXPECT_TRUE(inst.reported(up1, ip("232.1.1.1")).empty());
    EXPECT_EQ(inst.reported(up2, ip("232.1.1.1")), inc({S1}));
    for (const auto& r : records_on(out, up2)) EXPECT_NE(r.group, ip(G));
}

// `first` without filters: only the first upstream reports.
TEST(RuleMatching, FirstWithoutFiltersUsesTheFirstUpstream) {
    instance inst(two_up(matching(upstream_in_matching::first)), at(0s));
    actions out;
    join(inst, d1, G, out);
    EXPECT_EQ(inst.reported(up1, ip(G)), exc({}));
    EXPECT_TRUE(inst.reported(up2, ip(G)).empty());
    EXPECT_TRUE(records_on(out, up2).empty());
}

// `first` per (S,G) for INCLUDE sources.
TEST(RuleMatching, FirstPerSourceForInclude) {
    filter_settings f = matching(upstream_in_matching::first);
    f.upstream[up1].in = whitelist({rule(G, S1)});
    instance_settings s = two_up(f);
    s.forwarding.proactive_include = true;
    instance inst(s, at(0s));
    actions out;
    join(inst, d1, G, out, T::allow_new_sources, {S1, S2});
    EXPECT_EQ(inst.reported(up1, ip(G)), inc({S1}));
    EXPECT_EQ(inst.reported(up2, ip(G)), inc({S2}));
    // Proactive routes (when on) enter where each source is asked for.
    EXPECT_EQ(inst.routes().route({ip(S1), ip(G)})->input, up1);
    EXPECT_EQ(inst.routes().route({ip(S2), ip(G)})->input, up2);
}

// `first` with an any-source join and a source whitelist on the first upstream.
TEST(RuleMatching, FirstAnySourceJoinAroundAWhitelistedSource) {
    filter_settings f = matching(upstream_in_matching::first);
    f.upstream[up1].in = whitelist({rule(G, S1)});
    instance inst(two_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    EXPECT_EQ(inst.reported(up1, ip(G)), inc({S1}));
    EXPECT_EQ(inst.reported(up2, ip(G)), exc({S1}));
}

// `all`: every allowed upstream.
TEST(RuleMatching, AllReportsOnEveryAllowedUpstream) {
    filter_settings f = matching(upstream_in_matching::all);
    f.upstream[up2].in = blacklist({rule("239.2.0.0/16", "*")});
    instance inst(two_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    join(inst, d1, "239.2.0.1", out);
    EXPECT_EQ(inst.reported(up1, ip(G)), exc({}));
    EXPECT_EQ(inst.reported(up2, ip(G)), exc({}));
    EXPECT_EQ(inst.reported(up1, ip("239.2.0.1")), exc({}));
    EXPECT_TRUE(inst.reported(up2, ip("239.2.0.1")).empty());
}

/// Runs the instance to `until`, answering every counter read with `packets(key)`.
template <typename F>
void run(instance& inst, time_point until, actions& out, F&& packets) {
    for (int i = 0; i < 100000; ++i) {
        auto d = inst.next_deadline();
        if (!d || *d > until) return;
        actions step;
        inst.advance(*d, step);
        const auto keys = counter_reads(step);
        if (!keys.empty()) {
            counters_event c;
            for (const auto& k : keys) c.samples.push_back({k, packets(k, *d)});
            inst.handle(c, *d, step);
        }
        out.insert(out.end(), step.begin(), step.end());
    }
}

struct MutexFixture : ::testing::Test {
    instance inst{two_up(matching(upstream_in_matching::mutex, 5000ms)), at(0s)};
    actions out;

    void SetUp() override {
        join(inst, d1, G, out);
        ASSERT_EQ(inst.reported(up1, ip(G)), exc({}));
        ASSERT_EQ(inst.reported(up2, ip(G)), exc({}));
        out.clear();
        // Data arrives on up2 at 2 s.
        inst.handle(upcall_event{upcall_kind::nocache, up2, ip(S1), ip(G)}, at(2s), out);
    }
};

// Data arrives on one upstream: the group is left on the others.
TEST_F(MutexFixture, DataLocksTheGroupToItsUpstream) {
    EXPECT_EQ(inst.locked_upstream(ip(G)), up2);
    EXPECT_TRUE(inst.reported(up1, ip(G)).empty());
    EXPECT_EQ(inst.reported(up2, ip(G)), exc({}));
    EXPECT_EQ(records_on(out, up1), (std::vector{rec(T::change_to_include, G, {})}));
    EXPECT_TRUE(records_on(out, up2).empty());
    EXPECT_EQ(inst.routes().route({ip(S1), ip(G)})->outputs, std::vector<if_index>{d1});
}

// No data for exactly MS: all upstreams again, not a microsecond earlier.
TEST_F(MutexFixture, FallsBackToAllExactlyAfterTheTimeout) {
    out.clear();
    run(inst, at(7s) - 1us, out, [](const route_key&, time_point) { return std::uint64_t{0}; });
    EXPECT_EQ(inst.locked_upstream(ip(G)), up2);
    EXPECT_TRUE(inst.reported(up1, ip(G)).empty());
    // The counters of the locked group's routes were read while waiting.
    EXPECT_NE(counter_reads(out).size(), 0u);
    EXPECT_EQ(inst.next_deadline(), at(7s));
    out.clear();
    run(inst, at(7s), out, [](const route_key&, time_point) { return std::uint64_t{0}; });
    EXPECT_FALSE(inst.locked_upstream(ip(G)));
    EXPECT_EQ(inst.reported(up1, ip(G)), exc({}));
    const auto recs = records_on(out, up1);
    ASSERT_FALSE(recs.empty());
    EXPECT_EQ(recs.front(), rec(T::change_to_exclude, G, {}));
}

// Data keeps flowing: the lock holds; MS after it stops, the fallback.
TEST_F(MutexFixture, FlowingDataKeepsTheLock) {
    // Packets flow until 20 s, then stop.
    auto flow = [](const route_key&, time_point t) {
        return static_cast<std::uint64_t>(std::min(t, at(20s)).time_since_epoch().count() / 1000);
    };
    run(inst, at(24s), out, flow);
    EXPECT_EQ(inst.locked_upstream(ip(G)), up2);
    run(inst, at(25s) - 1us, out, flow);
    EXPECT_EQ(inst.locked_upstream(ip(G)), up2);
    // The last probe that saw packets was at 20 s: the lock ends at 25 s.
    run(inst, at(25s), out, flow);
    EXPECT_FALSE(inst.locked_upstream(ip(G)));
    EXPECT_EQ(inst.reported(up1, ip(G)), exc({}));
}

// The daemon never answers the counter reads: the lock still ends.
TEST_F(MutexFixture, UnansweredProbesEndTheLock) {
    for (int i = 0; i < 1000; ++i) {
        auto d = inst.next_deadline();
        if (!d || *d > at(8s)) break;
        inst.advance(*d, out);
    }
    EXPECT_FALSE(inst.locked_upstream(ip(G)));
    EXPECT_EQ(inst.reported(up1, ip(G)), exc({}));
}

// Counters moving on a proactive (or any) route from an upstream lock the group too.
TEST(RuleMatching, MutexLearnsDataFromCounters) {
    instance inst(two_up(matching(upstream_in_matching::mutex, 5000ms)), at(0s));
    actions out;
    join(inst, d1, G, out);
    inst.handle(upcall_event{upcall_kind::nocache, up1, ip(S1), ip(G)}, at(2s), out);
    run(inst, at(8s), out, [](const route_key&, time_point) { return std::uint64_t{0}; });
    ASSERT_FALSE(inst.locked_upstream(ip(G)));
    // The route still enters on up1; its counter moves.
    inst.handle(counters_event{{{route_key{ip(S1), ip(G)}, 42}}}, at(9s), out);
    EXPECT_EQ(inst.locked_upstream(ip(G)), up1);
    EXPECT_TRUE(inst.reported(up2, ip(G)).empty());
}

// Data on an upstream that does not report the group is not a reason to lock.
TEST(RuleMatching, MutexIgnoresDataNotAskedFor) {
    filter_settings f = matching(upstream_in_matching::mutex, 5000ms);
    f.upstream[up1].in = blacklist({rule(G, "*")});
    instance inst(two_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    inst.handle(upcall_event{upcall_kind::nocache, up1, ip(S1), ip(G)}, at(2s), out);
    EXPECT_FALSE(inst.locked_upstream(ip(G)));
    EXPECT_EQ(inst.reported(up2, ip(G)), exc({}));
}

// Data for a group only one upstream reports: nothing to decide, no lock
// (and no counter reads).
TEST(RuleMatching, MutexDoesNotLockASingleReporter) {
    filter_settings f = matching(upstream_in_matching::mutex, 5000ms);
    f.upstream[up1].in = blacklist({rule(G, "*")});
    instance inst(two_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    inst.handle(upcall_event{upcall_kind::nocache, up2, ip(S1), ip(G)}, at(2s), out);
    EXPECT_FALSE(inst.locked_upstream(ip(G)));
    EXPECT_EQ(inst.routes().route({ip(S1), ip(G)})->outputs, std::vector<if_index>{d1});
    out.clear();
    inst.advance(at(2500ms), out);
    EXPECT_TRUE(counter_reads(out).empty());
}

// With proactive routes on, mutex and several candidates, a known source
// waits for its data (no proactive route); once locked the other known
// source enters on the locked upstream.
TEST(RuleMatching, MutexProactiveRoutesFollowTheLock) {
    instance_settings s = two_up(matching(upstream_in_matching::mutex, 5000ms));
    s.forwarding.proactive_include = true;
    instance inst(s, at(0s));
    actions out;
    join(inst, d1, G, out, T::allow_new_sources, {S1, S2});
    EXPECT_FALSE(inst.routes().route({ip(S1), ip(G)}));
    inst.handle(upcall_event{upcall_kind::nocache, up2, ip(S1), ip(G)}, at(2s), out);
    ASSERT_TRUE(inst.routes().route({ip(S1), ip(G)}));
    EXPECT_EQ(inst.routes().route({ip(S1), ip(G)})->input, up2);
    ASSERT_TRUE(inst.routes().route({ip(S2), ip(G)}));
    EXPECT_EQ(inst.routes().route({ip(S2), ip(G)})->input, up2);
}

// By default (routes from upcalls only) the other known source has no route
// until its own data, which then enters on the locked upstream.
TEST(RuleMatching, MutexUpcallRoutesFollowTheLock) {
    instance inst(two_up(matching(upstream_in_matching::mutex, 5000ms)), at(0s));
    actions out;
    join(inst, d1, G, out, T::allow_new_sources, {S1, S2});
    inst.handle(upcall_event{upcall_kind::nocache, up2, ip(S1), ip(G)}, at(2s), out);
    ASSERT_TRUE(inst.routes().route({ip(S1), ip(G)}));
    EXPECT_EQ(inst.routes().route({ip(S1), ip(G)})->input, up2);
    EXPECT_FALSE(inst.routes().route({ip(S2), ip(G)}));
    inst.handle(upcall_event{upcall_kind::nocache, up2, ip(S2), ip(G)}, at(2100ms), out);
    ASSERT_TRUE(inst.routes().route({ip(S2), ip(G)}));
    EXPECT_EQ(inst.routes().route({ip(S2), ip(G)})->input, up2);
    EXPECT_EQ(inst.routes().route({ip(S2), ip(G)})->outputs, std::vector<if_index>{d1});
}

// While locked, data still arriving on the upstream being left does not
// move the route away from the locked upstream.
TEST_F(MutexFixture, LeftUpstreamDoesNotStealTheRoute) {
    out.clear();
    inst.handle(upcall_event{upcall_kind::wrongvif, up1, ip(S1), ip(G)}, at(2500ms), out);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(inst.routes().route({ip(S1), ip(G)})->input, up2);
    EXPECT_EQ(inst.locked_upstream(ip(G)), up2);
    // A new source on up1 still gets its route (nothing to steal).
    inst.handle(upcall_event{upcall_kind::nocache, up1, ip(S2), ip(G)}, at(2500ms), out);
    EXPECT_EQ(inst.routes().route({ip(S2), ip(G)})->input, up1);
}

// The group ends while locked: the lock is forgotten.
TEST_F(MutexFixture, LeaveForgetsTheLock) {
    inst.handle(link_event{d1, false}, at(3s), out);
    EXPECT_FALSE(inst.locked_upstream(ip(G)));
}

// `out first`: local data goes only to the first allowed upstream.
TEST(RuleMatching, OutFirstSendsLocalDataToTheFirstAllowedUpstream) {
    filter_settings f;
    f.out_matching = upstream_out_matching::first;
    f.upstream[up1].out = blacklist({rule("239.2.0.0/16", "*")});
    instance inst(two_up(f), at(0s));
    actions out;
    inst.handle(upcall_event{upcall_kind::nocache, d1, ip(S1), ip(G)}, at(2s), out);
    EXPECT_EQ(inst.routes().route({ip(S1), ip(G)})->outputs, std::vector<if_index>{up1});
    inst.handle(upcall_event{upcall_kind::nocache, d1, ip(S1), ip("239.2.0.1")}, at(2s), out);
    EXPECT_EQ(inst.routes().route({ip(S1), ip("239.2.0.1")})->outputs, std::vector<if_index>{up2});
}

// `out all` (default): local data goes to every allowed upstream.
TEST(RuleMatching, OutAllSendsLocalDataToEveryAllowedUpstream) {
    filter_settings f;
    f.upstream[up1].out = blacklist({rule("239.2.0.0/16", "*")});
    instance inst(two_up(f), at(0s));
    actions out;
    inst.handle(upcall_event{upcall_kind::nocache, d1, ip(S1), ip(G)}, at(2s), out);
    EXPECT_EQ(inst.routes().route({ip(S1), ip(G)})->outputs, (std::vector<if_index>{up1, up2}));
    inst.handle(upcall_event{upcall_kind::nocache, d1, ip(S1), ip("239.2.0.1")}, at(2s), out);
    EXPECT_EQ(inst.routes().route({ip(S1), ip("239.2.0.1")})->outputs, std::vector<if_index>{up2});
}

// Random joins, leaves, data and time with `first` and filters: every
// explicit source is reported on exactly the first upstream allowing it,
// and no two upstreams ever report the same (S,G) for INCLUDE state.
TEST(RuleMatchingRandom, FirstNeverReportsASourceTwice) {
    std::mt19937 rng(5);
    filter_settings f = matching(upstream_in_matching::first);
    f.upstream[up1].in = whitelist({rule("239.0.0.0/8", "198.51.100.1"), rule("239.0.0.0/8", "198.51.100.2")});
    f.upstream[up2].in = blacklist({rule("239.0.0.0/8", "198.51.100.2")});
    instance_settings s = two_up(f);
    s.upstreams = {up1, up2, 3};
    instance inst(s, at(0s));
    const std::vector<const char*> pool{S1, S2, "198.51.100.3", "203.0.113.4"};
    const std::vector<const char*> groups{"239.5.0.1", "239.5.0.2"};
    time_point now = at(1s);
    actions out;
    for (int step = 0; step < 2000; ++step) {
        if (rng() % 6 == 0) {
            now += duration{static_cast<duration::rep>(rng() % 5'000'000)};
            run(inst, now, out, [](const route_key&, time_point) { return std::uint64_t{0}; });
        } else {
            wire::group_record r{static_cast<wire::record_type>(1 + rng() % 6), ip(groups[rng() % 2]), {}, {}};
            for (const char* src : pool)
                if (rng() % 2) r.sources.push_back(ip(src));
            inst.handle(v3_report(rng() % 2 ? d1 : d2, "192.0.2.10", {r}), now, out);
        }
        out.clear();
        for (const char* g : groups) {
            const membership m = inst.merged(ip(g));
            for (const char* src : pool) {
                unsigned holders = 0;
                for (if_index u : s.upstreams) holders += inst.reported(u, ip(g)).wants(ip(src)) ? 1u : 0u;
                ASSERT_EQ(holders, m.wants(ip(src)) ? 1u : 0u) << "step " << step << " " << g << " " << src;
                // S2 is blacklisted on up2 and allowed on up1: it can only be on up1.
                if (m.wants(ip(S2))) {
                    ASSERT_TRUE(inst.reported(up1, ip(g)).wants(ip(S2)));
                }
            }
        }
    }
}

}  // namespace
}  // namespace mcproxy::core
