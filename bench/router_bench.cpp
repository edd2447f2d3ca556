// SPDX-License-Identifier: GPL-2.0-or-later
// Downstream router benchmarks: group records processed per second on an
// interface with 10,000 groups (IS_EX / ALLOW / BLOCK mix), and heap bytes
// per group and per source record.
//
// Memory is counted, not estimated: this binary replaces the global
// operator new/delete and sums malloc_usable_size() of every live block
// (the bytes malloc really hands out, without its per-block header).
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <random>

#include "mcproxy/core/router.hpp"

namespace {

std::atomic<long long> live_bytes{0};

}  // namespace

void* operator new(std::size_t n) {
    void* p = std::malloc(n ? n : 1);
    if (!p) throw std::bad_alloc();
    live_bytes.fetch_add(static_cast<long long>(malloc_usable_size(p)), std::memory_order_relaxed);
    return p;
}
// GCC sees free() inlined into callers of operator new and warns; this
// operator delete is the matching one for the operator new above.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept {
    if (!p) return;
    live_bytes.fetch_sub(static_cast<long long>(malloc_usable_size(p)), std::memory_order_relaxed);
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

namespace {

using namespace mcproxy;
using namespace std::chrono_literals;
using core::time_point;
using wire::record_type;

constexpr int group_count = 10000;

net::address group_addr(bool v6, int i) {
    if (!v6) return net::address::v4(0xEF010000u + static_cast<std::uint32_t>(i));  // 239.1.x.y
    std::array<std::uint8_t, 16> b{0xff, 0x05};
    b[12] = static_cast<std::uint8_t>(i >> 24);
    b[13] = static_cast<std::uint8_t>(i >> 16);
    b[14] = static_cast<std::uint8_t>(i >> 8);
    b[15] = static_cast<std::uint8_t>(i);
    return net::address::v6(b);
}
net::address source_addr(bool v6, int i) {
    if (!v6) return net::address::v4(0xC6120000u + static_cast<std::uint32_t>(i));  // 198.18.x.y
    std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
    b[14] = static_cast<std::uint8_t>(i >> 8);
    b[15] = static_cast<std::uint8_t>(i);
    return net::address::v6(b);
}
net::address host_addr(bool v6, int i) {
    if (!v6) return net::address::v4(0xC6336400u + static_cast<std::uint32_t>(i % 200 + 1));  // 198.51.100.x
    std::array<std::uint8_t, 16> b{0xfe, 0x80};
    b[15] = static_cast<std::uint8_t>(i % 200 + 1);
    return net::address::v6(b);
}

core::router_settings settings(bool v6) {
    core::router_settings s;
    s.iface = 3;
    s.ver = v6 ? wire::version::mldv2 : wire::version::igmpv3;
    s.own_address = v6 ? *net::address::parse("fe80::1") : *net::address::parse("198.51.100.254");
    s.max_groups = 2 * group_count;
    return s;
}

wire::message one_record(bool v6, record_type t, int group, std::vector<net::address> sources) {
    wire::report_v3 r;
    r.ver = v6 ? wire::version::mldv2 : wire::version::igmpv3;
    r.records.push_back(wire::group_record{t, group_addr(v6, group), std::move(sources), {}});
    return r;
}

/// Records per second: 10,000 groups in EXCLUDE mode, a stream of
/// single-record reports (50 % IS_EX, 25 % ALLOW, 25 % BLOCK, two sources
/// of 16 each) from 200 hosts, the clock moving 20 us per record and
/// advance() run every 1,000 records (expiry, retransmissions).
void records_per_second(benchmark::State& state) {
    const bool v6 = state.range(0) != 0;
    time_point now{};
    core::router r(settings(v6), now);
    core::actions out;
    r.advance(now, out);
    for (int g = 0; g < group_count; ++g)
        r.handle(one_record(v6, record_type::mode_is_exclude, g, {}), host_addr(v6, g), now, out);

    std::mt19937_64 rng(42);
    std::vector<wire::message> msgs;
    std::vector<net::address> from;
    constexpr int stream = 1 << 16;
    for (int i = 0; i < stream; ++i) {
        const int g = static_cast<int>(rng() % group_count);
        const int k = static_cast<int>(rng() % 4);
        const record_type t = k < 2 ? record_type::mode_is_exclude
                                    : k == 2 ? record_type::allow_new_sources : record_type::block_old_sources;
        msgs.push_back(one_record(v6, t, g,
                                  {source_addr(v6, static_cast<int>(rng() % 16)),
                                   source_addr(v6, static_cast<int>(rng() % 16))}));
        from.push_back(host_addr(v6, static_cast<int>(rng() % 200)));
    }
    std::size_t i = 0;
    std::int64_t records = 0;
    for (auto _ : state) {
        now += 20us;
        auto changed = r.handle(msgs[i], from[i], now, out);
        benchmark::DoNotOptimize(changed);
        if (++i == msgs.size()) i = 0;
        if ((++records % 1000) == 0) {
            r.advance(now, out);
            out.clear();
        }
    }
    state.SetItemsProcessed(records);
    state.counters["records_per_s"] = benchmark::Counter(static_cast<double>(records), benchmark::Counter::kIsRate);
    state.counters["groups"] = static_cast<double>(r.group_count());
    state.counters["sources"] = static_cast<double>(r.source_count());
}
BENCHMARK(records_per_second)->Arg(0)->Arg(1)->ArgName("ipv6");

/// Heap bytes of a router holding 10,000 groups, measured through the
/// counting allocator. Arg 0: sources per group; Arg 1: IPv6; Arg 2: the
/// reports come from a trackable host (explicit tracking entries) or from
/// the unspecified address (database only).
void memory(benchmark::State& state) {
    const int per_group = static_cast<int>(state.range(0));
    const bool v6 = state.range(1) != 0;
    const bool tracked = state.range(2) != 0;
    long long base_bytes = 0;
    long long with_sources = 0;
    std::size_t estimate = 0;
    for (auto _ : state) {
        auto build = [&](int n) {
            long long used = 0;
            {
                time_point now{};
                auto r = std::make_unique<core::router>(settings(v6), now);
                core::actions out;
                const net::address unspecified =
                    net::address::any(v6 ? net::family::ipv6 : net::family::ipv4);
                std::vector<wire::message> msgs;
                msgs.reserve(group_count);
                for (int g = 0; g < group_count; ++g) {
                    std::vector<net::address> s;
                    for (int k = 0; k < n; ++k) s.push_back(source_addr(v6, k));
                    msgs.push_back(one_record(v6, record_type::mode_is_include, g, std::move(s)));
                }
                const long long start = live_bytes.load();
                for (int g = 0; g < group_count; ++g) {
                    // INCLUDE{} groups are not kept: an empty-source group is an EXCLUDE{} join.
                    const wire::message m = n ? msgs[static_cast<std::size_t>(g)]
                                              : one_record(v6, record_type::mode_is_exclude, g, {});
                    r->handle(m, tracked ? host_addr(v6, g) : unspecified, now, out);
                }
                out.clear();
                out.shrink_to_fit();
                used = live_bytes.load() - start;
                estimate = r->memory_bytes();
                benchmark::DoNotOptimize(r);
            }
            return used;
        };
        base_bytes = build(0);
        with_sources = per_group ? build(per_group) : base_bytes;
    }
    state.counters["bytes_per_group"] = static_cast<double>(base_bytes) / group_count;
    if (per_group) {
        state.counters["bytes_per_group_with_sources"] = static_cast<double>(with_sources) / group_count;
        state.counters["bytes_per_source"] =
            static_cast<double>(with_sources - base_bytes) / (static_cast<double>(group_count) * per_group);
    }
    state.counters["estimate_bytes_per_group"] = static_cast<double>(estimate) / group_count;
}
BENCHMARK(memory)
    ->ArgsProduct({{1, 4, 16}, {0, 1}, {0, 1}})
    ->ArgNames({"sources", "ipv6", "tracked"})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
