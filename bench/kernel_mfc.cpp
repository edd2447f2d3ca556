// SPDX-License-Identifier: GPL-2.0-or-later
// How fast the kernel takes multicast forwarding cache changes and counter
// reads through mcproxy's wrappers. Needs root; runs in its own network
// namespace (unshare), so the system's tables are not touched.
#include "mcproxy/kernel/mroute4.hpp"
#include "mcproxy/kernel/mroute6.hpp"

#include <benchmark/benchmark.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
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

// The parts of the pair above, each alone: the daemon's work for a new
// route is one add of an entry that does not exist yet, so that (not the
// average of an add and a delete) is the ceiling to compare it with.
// Entries go in batches of `batch`; the other half of the pair runs with the
// clock paused.
constexpr std::uint32_t batch = 4096;

void BM_mfc4_add_new(benchmark::State& state) {
    auto m = open_with_vifs<mroute4>();
    if (!m) { state.SkipWithError("needs root and network namespaces"); return; }
    const auto g = address::v4(0xEF010205u);
    const mfc_output out{environment().b, 1};
    std::uint32_t i = 0;
    for (auto _ : state) {
        if (!m->set_route({v4_source(i), g, environment().a, {out}})) state.SkipWithError("set_route failed");
        if (++i == batch) {
            state.PauseTiming();
            for (std::uint32_t k = 0; k < batch; ++k) (void)m->remove_route(v4_source(k), g);
            i = 0;
            state.ResumeTiming();
        }
    }
    for (std::uint32_t k = 0; k < i; ++k) (void)m->remove_route(v4_source(k), g);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_mfc4_add_new);

void BM_mfc4_delete(benchmark::State& state) {
    auto m = open_with_vifs<mroute4>();
    if (!m) { state.SkipWithError("needs root and network namespaces"); return; }
    const auto g = address::v4(0xEF010206u);
    const mfc_output out{environment().b, 1};
    std::uint32_t i = batch;
    for (auto _ : state) {
        if (i == batch) {
            state.PauseTiming();
            for (std::uint32_t k = 0; k < batch; ++k) (void)m->set_route({v4_source(k), g, environment().a, {out}});
            i = 0;
            state.ResumeTiming();
        }
        if (!m->remove_route(v4_source(i++), g)) state.SkipWithError("remove_route failed");
    }
    for (; i < batch; ++i) (void)m->remove_route(v4_source(i), g);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_mfc4_delete);

// MRT_ADD_MFC of an entry that exists (new outputs): what a listener change costs.
void BM_mfc4_update(benchmark::State& state) {
    auto m = open_with_vifs<mroute4>();
    if (!m) { state.SkipWithError("needs root and network namespaces"); return; }
    const auto g = address::v4(0xEF010207u);
    const auto s = v4_source(1);
    std::uint32_t i = 0;
    for (auto _ : state) {
        std::vector<mfc_output> outs;
        if (i++ % 2 == 0) outs.push_back({environment().b, 1});
        if (!m->set_route({s, g, environment().a, outs})) state.SkipWithError("set_route failed");
    }
    (void)m->remove_route(s, g);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_mfc4_update);

// What the daemon does for a route the data asks for: read the NOCACHE
// upcall, then add the entry, which makes the kernel forward the packet it
// queued (one here). The packet is sent with the clock paused, from the peer
// of the input VIF through a packet socket (so no local route or source
// check is involved); the output VIF's peer is no VIF, so nothing loops.
struct resolve_setup {
    bool ok = false;
    unsigned in = 0, out = 0, inject = 0;
};

resolve_setup& resolve_environment() {
    static resolve_setup s = [] {
        resolve_setup r;
        if (!environment().ok) return r;
        if (std::system("ip link add benchr0 type veth peer name benchr1 >/dev/null 2>&1 && "
                        "ip link add benchr2 type veth peer name benchr3 >/dev/null 2>&1 && "
                        "for i in benchr0 benchr1 benchr2 benchr3; do ip link set $i up || exit 1; done") != 0)
            return r;
        r.in = if_nametoindex("benchr0");
        r.out = if_nametoindex("benchr2");
        r.inject = if_nametoindex("benchr1");
        r.ok = r.in != 0 && r.out != 0 && r.inject != 0;
        return r;
    }();
    return s;
}

// An IPv4/UDP datagram from 198.18.1.1 to 239.2.(i>>8).(i&255), TTL 8.
std::array<std::uint8_t, 48> udp_datagram(std::uint32_t i) {
    std::array<std::uint8_t, 48> p{};
    p[0] = 0x45;
    p[3] = static_cast<std::uint8_t>(p.size());
    p[8] = 8;
    p[9] = 17;
    const std::array<std::uint8_t, 8> addrs{198, 18, 1, 1, 239, 2, static_cast<std::uint8_t>(i >> 8),
                                            static_cast<std::uint8_t>(i)};
    std::copy(addrs.begin(), addrs.end(), p.begin() + 12);
    std::uint32_t sum = 0;
    for (std::size_t k = 0; k < 20; k += 2) sum += static_cast<std::uint32_t>(p[k] << 8 | p[k + 1]);
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    p[10] = static_cast<std::uint8_t>(~sum >> 8);
    p[11] = static_cast<std::uint8_t>(~sum);
    p[20] = 0x30; p[21] = 0x39;  // ports 12345 -> 12345
    p[22] = 0x30; p[23] = 0x39;
    p[25] = static_cast<std::uint8_t>(p.size() - 20);  // UDP length; checksum 0 (none)
    return p;
}

void BM_mfc4_upcall_and_add(benchmark::State& state) {
    auto& env = resolve_environment();
    if (!env.ok) { state.SkipWithError("needs root and network namespaces"); return; }
    auto m = mroute4::open();
    if (!m || !m->add_vif(env.in) || !m->add_vif(env.out)) { state.SkipWithError("mroute setup failed"); return; }
    const int ps = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
    if (ps < 0) { state.SkipWithError("packet socket failed"); return; }
    const auto s = address::v4(0xC6120101u);  // 198.18.1.1
    constexpr std::uint32_t groups = 1024;      // entries kept before the paused clean-up
    std::uint32_t i = 0;
    std::int64_t missed = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const auto pkt = udp_datagram(i);
        sockaddr_ll to{};
        to.sll_family = AF_PACKET;
        to.sll_protocol = htons(ETH_P_IP);
        to.sll_ifindex = static_cast<int>(env.inject);
        to.sll_halen = 6;
        const std::array<std::uint8_t, 6> mac{0x01, 0x00, 0x5e, 0x02, static_cast<std::uint8_t>(i >> 8),
                                              static_cast<std::uint8_t>(i)};
        std::copy(mac.begin(), mac.end(), to.sll_addr);
        (void)::sendto(ps, pkt.data(), pkt.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
        state.ResumeTiming();
        bool added = false;
        for (int tries = 0; tries < 10000 && !added; ++tries) {
            auto r = m->receive();
            if (!r || !r.value()) continue;
            if (const auto* u = std::get_if<upcall>(&*r.value()); u && u->kind == upcall_kind::nocache) {
                if (!m->set_route({u->source, u->group, u->ifindex, {{env.out, 1}}}))
                    state.SkipWithError("set_route failed");
                added = true;
            }
        }
        if (!added) ++missed;
        if (++i == groups) {
            state.PauseTiming();
            for (std::uint32_t k = 0; k < groups; ++k)
                (void)m->remove_route(s, address::v4(0xEF020000u | k));
            i = 0;
            state.ResumeTiming();
        }
    }
    for (std::uint32_t k = 0; k < i; ++k) (void)m->remove_route(s, address::v4(0xEF020000u | k));
    ::close(ps);
    state.counters["missed_upcalls"] = static_cast<double>(missed);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_mfc4_upcall_and_add);

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
