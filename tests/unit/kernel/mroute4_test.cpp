// SPDX-License-Identifier: GPL-2.0-or-later
// IPv4 multicast routing socket against the real kernel, in a fresh namespace.
#include "kernel/netns_fixture.hpp"
#include "mcproxy/kernel/mroute4.hpp"

#include <cstdio>

using namespace mcproxy::kernel;
using mcproxy::net::address;
using kt::sh;

namespace {

address a(const char* s) { return *address::parse(s); }

// /proc/net/ip_mr_cache prints addresses as the raw 32-bit value in hex.
std::string proc_hex(const char* addr) {
    auto b = kt::v4(addr);
    std::uint32_t raw = 0;
    std::memcpy(&raw, b.data(), 4);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%08X", raw);
    return buf;
}

std::string cache_line(const char* source, const char* group) {
    std::istringstream in(kt::read_file("/proc/thread-self/net/ip_mr_cache"));
    std::string line;
    const std::string prefix = proc_hex(group) + " " + proc_hex(source);
    while (std::getline(in, line))
        if (line.rfind(prefix, 0) == 0) return line;
    return {};
}

class Mroute4 : public kt::netns_test {
protected:
    void SetUp() override {
        kt::netns_test::SetUp();
        if (IsSkipped()) return;
        // veth0 (VIF, upstream side) <-> veth1 (injector); veth2 (VIF) <-> veth3 (capture).
        veth("veth0", "veth1");
        veth("veth2", "veth3");
        ASSERT_TRUE(sh("ip addr add 198.51.100.1/24 dev veth0"));
        ASSERT_TRUE(sh("ip addr add 203.0.113.1/24 dev veth2"));
        in = kt::ifindex("veth0");
        out = kt::ifindex("veth2");
    }

    std::optional<upcall> next_upcall(mroute4& m) {
        return kt::poll_for(m.native_handle(), [&]() -> std::optional<upcall> {
            auto r = m.receive();
            if (!r || !*r) return std::nullopt;
            if (auto* u = std::get_if<upcall>(&**r)) return *u;
            return std::nullopt;
        });
    }

    unsigned in = 0, out = 0;
};

TEST_F(Mroute4, AddsAndRemovesVifsByIfindex) {
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_vif(in));
    ASSERT_TRUE(m->add_vif(out));
    EXPECT_TRUE(m->add_vif(in));  // idempotent
    EXPECT_EQ(m->vifs().vif_of(in), 0);
    EXPECT_EQ(m->vifs().vif_of(out), 1);
    auto vifs = kt::read_file("/proc/thread-self/net/ip_mr_vif");
    EXPECT_NE(vifs.find("veth0"), std::string::npos) << vifs;
    EXPECT_NE(vifs.find("veth2"), std::string::npos) << vifs;
    ASSERT_TRUE(m->remove_vif(in));
    vifs = kt::read_file("/proc/thread-self/net/ip_mr_vif");
    EXPECT_EQ(vifs.find("veth0"), std::string::npos) << vifs;
    EXPECT_NE(vifs.find("veth2"), std::string::npos) << vifs;
    ASSERT_TRUE(m->close());
    vifs = kt::read_file("/proc/thread-self/net/ip_mr_vif");
    EXPECT_EQ(vifs.find("veth2"), std::string::npos) << "closing must flush VIFs: " << vifs;
}

TEST_F(Mroute4, ThirtyThirdVifFailsWithOutOfVifs) {
    ASSERT_TRUE(sh("for i in $(seq 0 32); do ip link add d$i type bridge || exit 1; done"));
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    for (int i = 0; i < 32; ++i) ASSERT_TRUE(m->add_vif(kt::ifindex("d" + std::to_string(i)))) << i;
    auto s = m->add_vif(kt::ifindex("d32"));
    ASSERT_FALSE(s);
    EXPECT_NE(s.message().find("out of VIFs"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("32"), std::string::npos) << s.message();
    // Freeing one makes room again.
    ASSERT_TRUE(m->remove_vif(kt::ifindex("d5")));
    EXPECT_TRUE(m->add_vif(kt::ifindex("d32")));
    EXPECT_EQ(m->vifs().vif_of(kt::ifindex("d32")), 5);
}

TEST_F(Mroute4, VifOfVanishedInterfaceRemovesCleanly) {
    ASSERT_TRUE(sh("ip link add dz type bridge"));
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    const unsigned dz = kt::ifindex("dz");
    ASSERT_TRUE(m->add_vif(dz));
    ASSERT_TRUE(sh("ip link del dz"));
    EXPECT_TRUE(m->remove_vif(dz)) << "the kernel already dropped the VIF";
    EXPECT_FALSE(m->vifs().vif_of(dz));
}

TEST_F(Mroute4, SecondOwnerOfTableGetsClearError) {
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    auto second = mroute4::open();
    ASSERT_FALSE(second);
    EXPECT_EQ(second.code(), std::error_code(EADDRINUSE, std::system_category()));
    EXPECT_NE(second.message().find("another multicast router"), std::string::npos) << second.message();
    // A separate table can be owned at the same time.
    auto other = mroute4::open(17);
    EXPECT_TRUE(other) << other.message();
}

TEST_F(Mroute4, CacheEntriesAddUpdateRemove) {
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_vif(in));
    ASSERT_TRUE(m->add_vif(out));
    ASSERT_TRUE(m->set_route({a("198.51.100.10"), a("239.1.2.3"), in, {{out, 1}}}));
    auto line = cache_line("198.51.100.10", "239.1.2.3");
    ASSERT_FALSE(line.empty()) << kt::read_file("/proc/thread-self/net/ip_mr_cache");
    EXPECT_NE(line.find(" 1:1"), std::string::npos) << line;  // oif VIF 1 with TTL 1
    // Update: swap direction and threshold.
    ASSERT_TRUE(m->set_route({a("198.51.100.10"), a("239.1.2.3"), out, {{in, 4}}}));
    line = cache_line("198.51.100.10", "239.1.2.3");
    EXPECT_NE(line.find(" 0:4"), std::string::npos) << line;
    EXPECT_EQ(line.find(" 1:1"), std::string::npos) << line;
    ASSERT_TRUE(m->remove_route(a("198.51.100.10"), a("239.1.2.3")));
    EXPECT_TRUE(cache_line("198.51.100.10", "239.1.2.3").empty());
    auto again = m->remove_route(a("198.51.100.10"), a("239.1.2.3"));
    EXPECT_FALSE(again);
    EXPECT_EQ(again.code(), std::error_code(ENOENT, std::system_category()));
    // Interfaces that are not VIFs are refused with a message.
    auto bad = m->set_route({a("198.51.100.10"), a("239.1.2.4"), 999, {}});
    EXPECT_FALSE(bad);
    EXPECT_NE(bad.message().find("not a VIF"), std::string::npos) << bad.message();
}

TEST_F(Mroute4, NoCacheUpcallThenForwardingAndCounters) {
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_vif(in));
    ASSERT_TRUE(m->add_vif(out));
    kt::link_socket inject("veth1", ETH_P_IP), capture("veth3", ETH_P_IP);
    ASSERT_TRUE(inject.ok() && capture.ok());
    const auto pkt = kt::ipv4("198.51.100.10", "239.1.2.3", IPPROTO_UDP, 8, kt::udp_payload(100));
    ASSERT_TRUE(inject.send(pkt));
    auto u = next_upcall(*m);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->kind, upcall_kind::nocache);
    EXPECT_EQ(u->ifindex, in);
    EXPECT_EQ(u->source, a("198.51.100.10"));
    EXPECT_EQ(u->group, a("239.1.2.3"));

    ASSERT_TRUE(m->set_route({a("198.51.100.10"), a("239.1.2.3"), in, {{out, 1}}}));
    auto before = m->counters(a("198.51.100.10"), a("239.1.2.3"));
    ASSERT_TRUE(before) << before.message();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(inject.send(pkt));
    auto fwd = capture.capture([](const kt::bytes& b) { return b.size() > 20 && b[9] == IPPROTO_UDP && b[19] == 3; });
    ASSERT_TRUE(fwd) << "forwarded packet not seen on veth3";
    EXPECT_EQ((*fwd)[8], 7) << "TTL decremented by forwarding";
    auto after = m->counters(a("198.51.100.10"), a("239.1.2.3"));
    ASSERT_TRUE(after) << after.message();
    EXPECT_GE(after->packets - before->packets, 3u);
    EXPECT_GE(after->bytes - before->bytes, 3u * pkt.size());
    auto missing = m->counters(a("198.51.100.11"), a("239.1.2.3"));
    EXPECT_FALSE(missing);
    EXPECT_EQ(missing.code(), std::error_code(EADDRNOTAVAIL, std::system_category())) << missing.message();
}

// The kernel holds packets without entry (a few per (S,G), briefly) and
// sends them once the entry is added in answer to the upcall.
TEST_F(Mroute4, PacketHeldForUpcallIsForwardedWhenEntryArrives) {
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_vif(in));
    ASSERT_TRUE(m->add_vif(out));
    kt::link_socket inject("veth1", ETH_P_IP), capture("veth3", ETH_P_IP);
    ASSERT_TRUE(inject.send(kt::ipv4("198.51.100.10", "239.1.2.7", IPPROTO_UDP, 8, kt::udp_payload(10))));
    auto u = next_upcall(*m);
    ASSERT_TRUE(u);
    EXPECT_FALSE(capture.capture([](const kt::bytes& b) { return b.size() > 20 && b[19] == 7; },
                                 std::chrono::milliseconds(100)))
        << "nothing forwarded before the entry exists";
    ASSERT_TRUE(m->set_route({u->source, u->group, u->ifindex, {{out, 1}}}));
    auto first = capture.capture([](const kt::bytes& b) { return b.size() > 20 && b[9] == IPPROTO_UDP && b[19] == 7; });
    EXPECT_TRUE(first) << "the held packet must go out after MRT_ADD_MFC";
}

TEST_F(Mroute4, WrongVifUpcallWhenPacketArrivesOnOutput) {
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_vif(in));
    ASSERT_TRUE(m->add_vif(out));
    ASSERT_TRUE(m->set_route({a("203.0.113.10"), a("239.1.2.5"), in, {{out, 1}}}));
    kt::link_socket inject("veth3", ETH_P_IP);
    ASSERT_TRUE(inject.send(kt::ipv4("203.0.113.10", "239.1.2.5", IPPROTO_UDP, 8, kt::udp_payload(10))));
    auto u = next_upcall(*m);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->kind, upcall_kind::wrong_vif);
    EXPECT_EQ(u->ifindex, out);
    EXPECT_EQ(u->group, a("239.1.2.5"));
    auto c = m->counters(a("203.0.113.10"), a("239.1.2.5"));
    ASSERT_TRUE(c);
    EXPECT_GE(c->wrong_if, 1u);
}

TEST_F(Mroute4, NoWrongVifUpcallFromInterfaceOutsideTheEntry) {
    veth("veth4", "veth5");
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_vif(in));
    ASSERT_TRUE(m->add_vif(out));
    ASSERT_TRUE(m->add_vif(kt::ifindex("veth4")));
    ASSERT_TRUE(m->set_route({a("203.0.113.10"), a("239.1.2.6"), in, {{out, 1}}}));
    kt::link_socket inject("veth5", ETH_P_IP);
    ASSERT_TRUE(inject.send(kt::ipv4("203.0.113.10", "239.1.2.6", IPPROTO_UDP, 8, kt::udp_payload(10))));
    EXPECT_FALSE(kt::wait_readable(m->native_handle(), 300)) << "the kernel asserts only on output interfaces";
    auto c = m->counters(a("203.0.113.10"), a("239.1.2.6"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->wrong_if, 1u);
    // The kernel counts every packet that matches (S,G), before the interface check.
    EXPECT_EQ(c->packets, 1u);
}

TEST_F(Mroute4, OwnTableKeepsEntriesOutOfDefaultTable) {
    auto m = mroute4::open(42);
    ASSERT_TRUE(m) << m.message();
    EXPECT_EQ(m->table(), 42u);
    ASSERT_TRUE(m->add_vif(in));
    ASSERT_TRUE(m->add_vif(out));
    ASSERT_TRUE(m->set_route({a("198.51.100.10"), a("239.9.9.9"), in, {{out, 1}}}));
    EXPECT_TRUE(cache_line("198.51.100.10", "239.9.9.9").empty()) << "proc shows only the default table";
    EXPECT_TRUE(kt::read_file("/proc/thread-self/net/ip_mr_vif").find("veth0") == std::string::npos);
    // `ip mroute show table 42` (test-side check through rtnetlink).
    FILE* p = ::popen("ip mroute show table 42", "r");
    ASSERT_NE(p, nullptr);
    char buf[512] = {};
    std::string out_text;
    while (std::fgets(buf, sizeof buf, p) != nullptr) out_text += buf;
    ::pclose(p);
    EXPECT_NE(out_text.find("(198.51.100.10,239.9.9.9)"), std::string::npos) << out_text;
    EXPECT_NE(out_text.find("Iif: veth0"), std::string::npos) << out_text;
    EXPECT_NE(out_text.find("veth2"), std::string::npos) << out_text;
}

}  // namespace

// Upcalls for several new (S,G) come out of one receive_batch call, in
// arrival order, and a short read reports the queue empty.
TEST_F(Mroute4, ReceiveBatchReadsSeveralUpcallsAtOnce) {
    auto m = mroute4::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_vif(in));
    ASSERT_TRUE(m->add_vif(out));
    kt::link_socket inject("veth1", ETH_P_IP);
    ASSERT_TRUE(inject.ok());
    // The kernel keeps at most 10 unresolved entries per table: stay below.
    constexpr int n = 8;
    for (int i = 0; i < n; ++i) {
        const std::string g = "239.1.3." + std::to_string(i + 1);
        ASSERT_TRUE(inject.send(kt::ipv4("198.51.100.10", g.c_str(), IPPROTO_UDP, 8, kt::udp_payload(10))));
    }
    std::vector<upcall> got;
    bool drained = false;
    for (int round = 0; round < 200 && got.size() < n; ++round) {
        auto r = m->receive_batch(64, [&](mroute4_message&& msg) {
            if (auto* u = std::get_if<upcall>(&msg)) got.push_back(*u);
        });
        ASSERT_TRUE(r) << r.message();
        drained = r.value();
        if (got.size() < n) ::usleep(5000);
    }
    ASSERT_EQ(got.size(), static_cast<std::size_t>(n));
    EXPECT_TRUE(drained);
    for (int i = 0; i < n; ++i) {
        EXPECT_EQ(got[static_cast<std::size_t>(i)].kind, upcall_kind::nocache);
        EXPECT_EQ(got[static_cast<std::size_t>(i)].group, a(("239.1.3." + std::to_string(i + 1)).c_str()));
    }
    // Nothing queued: an empty read, reported as drained.
    std::size_t more = 0;
    auto r = m->receive_batch(64, [&](mroute4_message&&) { ++more; });
    ASSERT_TRUE(r);
    EXPECT_TRUE(r.value());
    EXPECT_EQ(more, 0u);
    // max bounds what one call reads.
    ASSERT_TRUE(inject.send(kt::ipv4("198.51.100.10", "239.1.3.100", IPPROTO_UDP, 8, kt::udp_payload(10))));
    ASSERT_TRUE(inject.send(kt::ipv4("198.51.100.10", "239.1.3.101", IPPROTO_UDP, 8, kt::udp_payload(10))));
    ::usleep(20000);
    r = m->receive_batch(1, [&](mroute4_message&&) { ++more; });
    ASSERT_TRUE(r);
    EXPECT_EQ(more, 1u);
    EXPECT_FALSE(r.value());
}
