// SPDX-License-Identifier: GPL-2.0-or-later
// Filter and rule-matching micro-benchmarks (doc/filters.md): the cost of one
// downstream join/leave through core::instance without filters, with
// filters on every interface and with `first` over two upstreams; and the
// per-(S,G) filter decision for tables of growing size. Prints figures; no
// pass/fail on time.
#include <benchmark/benchmark.h>

#include "mcproxy/core/instance.hpp"
#include "mcproxy/core/source_filter.hpp"

namespace {

using namespace mcproxy;
using namespace mcproxy::core;

net::address group_v4(std::uint32_t i) { return net::address::v4(0xEF000000u + i); }
net::address source_v4(std::uint32_t i) { return net::address::v4(0xC6336400u + (i & 0xff)); }

/// A table of `n` rules: group ranges of 16 from 239.0.0.0, one source each.
source_filter table(std::uint32_t n, filter_kind k) {
    std::vector<filter_rule> rules;
    for (std::uint32_t i = 0; i < n; ++i)
        rules.push_back(filter_rule{std::nullopt, {group_v4(i * 16), group_v4(i * 16 + 15)},
                                    address_range::single(source_v4(i))});
    return source_filter(k, std::move(rules));
}

// Arg 0: filters (0 none, 1 a 64-rule table on every interface and
// direction); arg 1: upstreams (1, or 2 with `first`). Each iteration is
// one IGMPv3 TO_EX of a new group from a host on a downstream, through
// router, merge, filters, matching, host report and routes.
void BM_InstanceJoinLeave(benchmark::State& state) {
    const bool filtered = state.range(0) != 0;
    const auto ups = static_cast<if_index>(state.range(1));
    instance_settings s;
    s.ver = wire::version::igmpv3;
    for (if_index u = 1; u <= ups; ++u) s.upstreams.push_back(u);
    for (if_index d = 11; d < 19; ++d) s.downstreams.push_back(d);
    s.filters.in_matching = upstream_in_matching::first;
    if (filtered) {
        for (if_index u : s.upstreams) s.filters.upstream[u] = {table(64, filter_kind::blacklist), table(64, filter_kind::blacklist)};
        for (if_index d : s.downstreams)
            s.filters.downstream[d] = {table(64, filter_kind::blacklist), table(64, filter_kind::blacklist)};
    }
    time_point now{};
    instance inst(s, now);
    actions out;
    std::uint32_t i = 0;
    std::size_t reports = 0;
    constexpr std::uint32_t batch = 10000;
    for (auto _ : state) {
        out.clear();
        if (i % batch == 0 && i != 0) {
            // Every group of the batch ends (Group Membership Interval
            // without refresh), outside the timed region.
            state.PauseTiming();
            now += std::chrono::seconds(300);
            for (int k = 0; k < 1000000; ++k) {
                auto d = inst.next_deadline();
                if (!d || *d > now) break;
                inst.advance(*d, out);
            }
            out.clear();
            state.ResumeTiming();
        }
        // A new join: the merged state changes, every upstream that gets it reports.
        wire::group_record r{wire::record_type::change_to_exclude, group_v4(i % batch), {}, {}};
        inst.handle(message_event{static_cast<if_index>(11 + i % 8), net::address::v4(0xC0000200u + 10),
                                  net::address::v4(0xE0000016u), wire::report_v3{wire::version::igmpv3, {r}}},
                    now, out);
        benchmark::DoNotOptimize(out.data());
        for (const auto& a : out) reports += std::holds_alternative<send_action>(a) ? 1 : 0;
        now += std::chrono::microseconds(1);
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["sends_per_op"] =
        static_cast<double>(reports) / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
}
BENCHMARK(BM_InstanceJoinLeave)->Args({0, 1})->Args({1, 1})->Args({0, 2})->Args({1, 2});

// One allows() decision against a whitelist of `n` rules (the route
// filter); the groups asked for are inside the table's range half the time.
void BM_FilterAllows(benchmark::State& state) {
    const source_filter f = table(static_cast<std::uint32_t>(state.range(0)), filter_kind::whitelist);
    std::uint32_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(f.allows(source_v4(i * 7), group_v4(i * 13 % static_cast<std::uint32_t>(state.range(0) * 32)), 1));
        ++i;
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FilterAllows)->Arg(16)->Arg(256)->Arg(4096);

}  // namespace

BENCHMARK_MAIN();
