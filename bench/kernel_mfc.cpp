// SPDX-License-Identifier: GPL-2.0-or-later
// How fast the kernel takes multicast forwarding cache changes and counter
// reads through mcproxy's wrappers. Needs root; runs in its own network
// namespace (unshare), so the system's tables are not touched.
#include "mcproxy/kernel/mroute4.hpp"
#include "mcproxy/kernel/mroute6.hpp"

#include <benchmark/benchmark.h>

#include <net/if.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <optional>

using namespace mcproxy::kernel;
using mcproxy::net::address;

namespace {

// Two VIFs on loopback-like interfaces made in the benchmark's namespace.
struct setup {
    bool ok = false;
    unsigned a = 0, b = 0;
};

setup& environment() {
    static setup s = [] {
        setup r;
        if (::geteuid() != 0 || ::unshare(CLONE_NEWNET) != 0) return r;
        if (std::system("ip link add bench0 type veth peer name bench1 >/dev/null 2>&1") != 0) return r;
        r.a = if_nametoindex("bench0");
        r.b = if_nametoindex("bench1");
        r.ok = r.a != 0 && r.b != 0;
        return r;
    }();
    return s;
}

address v4_source(std::uint32_t i) { return address::v4(0xC6120000u | (i & 0xFFFF));  /* 198.18.x.y */ }
address v6_source(std::uint32_t i) {
    std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
    b[14] = static_cast<std::uint8_t>(i >> 8);
    b[15] = static_cast<std::uint8_t>(i);
    return address::v6(b);
}

template <class M>
std::optional<M> open_with_vifs() {
    auto& env = environment();
    if (!env.ok) return std::nullopt;
    auto m = M::open();
    if (!m) return std::nullopt;
    if constexpr (std::is_same_v<M, mroute4>) {
        if (!m->add_vif(env.a) || !m->add_vif(env.b)) return std::nullopt;
    } else {
        if (!m->add_mif(env.a) || !m->add_mif(env.b)) return std::nullopt;
    }
    return std::move(*m);
}

void BM_mfc4_add_remove(benchmark::State& state) {
    auto m = open_with_vifs<mroute4>();
    if (!m) { state.SkipWithError("needs root and network namespaces"); return; }
    const auto g = address::v4(0xEF010203u);
    std::uint32_t i = 0;
    for (auto _ : state) {
        const auto s = v4_source(i++);
        if (!m->set_route({s, g, environment().a, {{environment().b, 1}}})) state.SkipWithError("set_route failed");
        if (!m->remove_route(s, g)) state.SkipWithError("remove_route failed");
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 2);
}
BENCHMARK(BM_mfc4_add_remove);

void BM_mfc6_add_remove(benchmark::State& state) {
    auto m = open_with_vifs<mroute6>();
    if (!m) { state.SkipWithError("needs root and network namespaces"); return; }
    const auto g = *address::parse("ff3e::1:3");
    std::uint32_t i = 0;
    for (auto _ : state) {
        const auto s = v6_source(i++);
        if (!m->set_route({s, g, environment().a, {{environment().b, 1}}})) state.SkipWithError("set_route failed");
        if (!m->remove_route(s, g)) state.SkipWithError("remove_route failed");
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 2);
}
BENCHMARK(BM_mfc6_add_remove);

// Counter reads over a table of state.range(0) entries (idle expiry scans them all).
void BM_mfc4_counters(benchmark::State& state) {
    auto m = open_with_vifs<mroute4>();
    if (!m) { state.SkipWithError("needs root and network namespaces"); return; }
    const auto g = address::v4(0xEF010204u);
    const auto n = static_cast<std::uint32_t>(state.range(0));
    for (std::uint32_t i = 0; i < n; ++i)
        if (!m->set_route({v4_source(i), g, environment().a, {{environment().b, 1}}})) {
            state.SkipWithError("set_route failed");
            return;
        }
    std::uint32_t i = 0;
    for (auto _ : state) {
        auto c = m->counters(v4_source(i++ % n), g);
        benchmark::DoNotOptimize(c);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_mfc4_counters)->Arg(100)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
