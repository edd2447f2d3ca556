// SPDX-License-Identifier: GPL-2.0-or-later
// Upstream-side micro-benchmarks: RFC 4605 merging of 32 downstreams, the
// cost of one membership change through merge + host report + routes, and
// records per second through host report generation. Prints figures; no
// pass/fail on time.
#include <benchmark/benchmark.h>

#include "mcproxy/core/aggregator.hpp"
#include "mcproxy/core/forwarding.hpp"
#include "mcproxy/core/host.hpp"

namespace {

using namespace mcproxy;
using namespace mcproxy::core;

net::address group_v4(std::uint32_t i) { return net::address::v4(0xEF000000u + i); }
net::address source_v4(std::uint32_t i) { return net::address::v4(0xC6120000u + i); }

membership make(filter_mode mode, std::uint32_t first, std::uint32_t count) {
    std::vector<net::address> v;
    for (std::uint32_t i = 0; i < count; ++i) v.push_back(source_v4(first + i));
    return membership{mode, source_set(std::move(v))};
}

constexpr if_index downstreams = 32;
constexpr std::uint32_t groups = 1000;

/// Fills 32 downstreams x `groups` with memberships of `sources` sources
/// (half INCLUDE, half EXCLUDE).
void fill(aggregator& a, std::uint32_t sources) {
    for (std::uint32_t g = 0; g < groups; ++g)
        for (if_index d = 1; d <= downstreams; ++d)
            a.set(d, group_v4(g), make(d % 2 ? filter_mode::include : filter_mode::exclude, d, sources));
}

// One downstream changes one group; the merge over 32 downstreams is
// updated incrementally. Each iteration is one merge.
void BM_Merge32Downstreams(benchmark::State& state) {
    const auto sources = static_cast<std::uint32_t>(state.range(0));
    aggregator a;
    fill(a, sources);
    // Two prepared states per downstream, so the loop measures the merge only.
    std::vector<membership> even, odd;
    for (if_index d = 0; d <= downstreams; ++d) {
        even.push_back(make(filter_mode::include, d + 100, sources));
        odd.push_back(make(filter_mode::exclude, d + 100, sources));
    }
    std::uint32_t i = 0;
    std::size_t changed = 0;
    for (auto _ : state) {
        const std::uint32_t g = i % groups;
        const auto d = static_cast<if_index>(1 + (i / groups) % downstreams);
        // Alternate between two different states so every call is a change.
        const bool flip = (i / (groups * downstreams)) % 2 == 0;
        changed += a.set(d, group_v4(g), flip ? even[d] : odd[d]);
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["merged_changes"] = static_cast<double>(changed);
}
BENCHMARK(BM_Merge32Downstreams)->Arg(0)->Arg(4)->Arg(16)->Arg(64);

// The full cost of one downstream membership change as the instance pays
// it: merge, host state-change report (built and packed), route refresh.
// Arg 1 = 1: every change flips the merged state (downstream 2 toggles
// between INCLUDE and EXCLUDE while the others are INCLUDE), so a report
// and a route update follow; 0: the change is absorbed by the merge.
void BM_MembershipChangeCost(benchmark::State& state) {
    const auto sources = static_cast<std::uint32_t>(state.range(0));
    const bool visible = state.range(1) != 0;
    aggregator a;
    for (std::uint32_t g = 0; g < groups; ++g)
        for (if_index d = 1; d <= downstreams; ++d)
            a.set(d, group_v4(g), make(visible ? filter_mode::include : filter_mode::exclude, d, sources));
    host_settings hs;
    hs.iface = 100;
    host h(hs);
    forwarding_settings fs;
    fs.proactive_include = false;
    forwarding f(fs, a);
    actions out;
    time_point now{};
    std::vector<if_index> downs;
    for (if_index d = 1; d <= downstreams; ++d) downs.push_back(d);
    f.set_interfaces({100}, downs, now, out);
    for (std::uint32_t g = 0; g < groups; ++g) {
        h.set_membership(group_v4(g), a.merged(group_v4(g)), now, out);
        f.on_upcall(100, source_v4(1000), group_v4(g), now, out);
    }
    const membership in_state = make(filter_mode::include, 2, sources);
    const membership ex_state = make(filter_mode::exclude, 500, sources);
    const membership ex_other = make(filter_mode::exclude, 600, sources);
    std::uint32_t i = 0;
    std::size_t sent = 0;
    for (auto _ : state) {
        out.clear();
        const std::uint32_t g = i % groups;
        const bool flip = (i / groups) % 2 != 0;
        const membership& m = visible ? (flip ? in_state : ex_state) : (flip ? ex_state : ex_other);
        if (a.set(2, group_v4(g), m)) h.set_membership(group_v4(g), a.merged(group_v4(g)), now, out);
        f.on_membership_change(group_v4(g), now, out);
        sent += out.size();
        now += std::chrono::microseconds(1);
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["actions_per_change"] =
        static_cast<double>(sent) / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}
BENCHMARK(BM_MembershipChangeCost)->Args({0, 1})->Args({16, 1})->Args({0, 0})->Args({16, 0});

// Host report generation: a general query answered for `groups` groups
// with `sources` sources each. Items are group records put into reports.
void BM_HostReportRecords(benchmark::State& state) {
    const auto n = static_cast<std::uint32_t>(state.range(0));
    const auto sources = static_cast<std::uint32_t>(state.range(1));
    host_settings hs;
    host h(hs);
    actions out;
    time_point now{};
    const filter_mode mode = sources == 0 ? filter_mode::exclude : filter_mode::include;
    for (std::uint32_t g = 0; g < n; ++g) h.set_membership(group_v4(g), make(mode, g, sources), now, out);
    for (int k = 0; k < 10 && h.next_deadline(); ++k) h.advance(*h.next_deadline(), out);
    now = time_point{} + std::chrono::seconds(10);
    wire::query q;
    q.ver = wire::version::igmpv3;
    q.group = net::address::any(net::family::ipv4);
    q.max_resp = std::chrono::milliseconds(1);
    std::size_t reports = 0;
    for (auto _ : state) {
        out.clear();
        h.on_query(q, now, out);
        now += std::chrono::milliseconds(2);
        h.advance(now, out);
        reports += out.size();
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
    state.counters["reports_per_answer"] =
        static_cast<double>(reports) / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}
BENCHMARK(BM_HostReportRecords)->Args({10000, 0})->Args({10000, 4})->Args({1000, 64});

// State-change records: each iteration changes one group's source list
// (ALLOW/BLOCK sent at once); items are the state-change records built.
void BM_HostStateChangeRecords(benchmark::State& state) {
    host_settings hs;
    host h(hs);
    actions out;
    time_point now{};
    std::uint32_t i = 0;
    std::size_t records = 0;
    for (auto _ : state) {
        out.clear();
        const std::uint32_t g = i % 10000;
        h.set_membership(group_v4(g), make(filter_mode::include, (i / 10000) % 2 ? 1 : 3, 4), now, out);
        for (const auto& a : out)
            if (const auto* s = std::get_if<send_action>(&a))
                records += std::get<wire::report_v3>(s->msg).records.size();
        if (i % 64 == 0) {
            now += std::chrono::seconds(2);
            h.advance(now, out);
        }
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(records));
}
BENCHMARK(BM_HostStateChangeRecords);

}  // namespace

BENCHMARK_MAIN();
