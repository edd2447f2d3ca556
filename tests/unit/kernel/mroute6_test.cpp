// SPDX-License-Identifier: GPL-2.0-or-later
// IPv6 multicast routing socket against the real kernel, in a fresh namespace.
#include "kernel/netns_fixture.hpp"
#include "mcproxy/kernel/mroute6.hpp"

using namespace mcproxy::kernel;
using mcproxy::net::address;
using kt::sh;

namespace {

address a(const char* s) { return *address::parse(s); }

std::string cache_line6(const char* source, const char* group) {
    std::istringstream in(kt::read_file("/proc/thread-self/net/ip6_mr_cache"));
    std::string line;
    const std::string prefix = kt::proc_v6(group) + " " + kt::proc_v6(source);
    while (std::getline(in, line))
        if (line.rfind(prefix, 0) == 0) return line;
    return {};
}

kt::bytes udp6(const char* src, const char* dst, std::uint8_t hops) {
    auto u = kt::udp_payload(64);
    kt::put16(u, 6, kt::checksum6(src, dst, IPPROTO_UDP, u));
    return kt::ipv6(src, dst, IPPROTO_UDP, hops, u);
}

class Mroute6 : public kt::netns_test {
protected:
    void SetUp() override {
        kt::netns_test::SetUp();
        if (IsSkipped()) return;
        veth("veth0", "veth1");
        veth("veth2", "veth3");
        in = kt::ifindex("veth0");
        out = kt::ifindex("veth2");
    }

    std::optional<upcall> next_upcall(mroute6& m) {
        return kt::poll_for(m.native_handle(), [&]() -> std::optional<upcall> {
            auto r = m.receive();
            if (!r || !*r) return std::nullopt;
            return **r;
        });
    }

    unsigned in = 0, out = 0;
};

TEST_F(Mroute6, AddsAndRemovesMifsByIfindex) {
    auto m = mroute6::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_mif(in));
    ASSERT_TRUE(m->add_mif(out));
    auto mifs = kt::read_file("/proc/thread-self/net/ip6_mr_vif");
    EXPECT_NE(mifs.find("veth0"), std::string::npos) << mifs;
    EXPECT_NE(mifs.find("veth2"), std::string::npos) << mifs;
    ASSERT_TRUE(m->remove_mif(out));
    mifs = kt::read_file("/proc/thread-self/net/ip6_mr_vif");
    EXPECT_EQ(mifs.find("veth2"), std::string::npos) << mifs;
    EXPECT_EQ(kt::read_file("/proc/sys/net/ipv6/conf/all/mc_forwarding"), "1\n");
    ASSERT_TRUE(m->close());
    mifs = kt::read_file("/proc/thread-self/net/ip6_mr_vif");
    EXPECT_EQ(mifs.find("veth0"), std::string::npos) << "closing must flush MIFs: " << mifs;
}

TEST_F(Mroute6, ThirtyThirdMifFailsWithOutOfVifs) {
    ASSERT_TRUE(sh("for i in $(seq 0 32); do ip link add d$i type bridge || exit 1; done"));
    auto m = mroute6::open();
    ASSERT_TRUE(m) << m.message();
    for (int i = 0; i < 32; ++i) ASSERT_TRUE(m->add_mif(kt::ifindex("d" + std::to_string(i)))) << i;
    auto s = m->add_mif(kt::ifindex("d32"));
    ASSERT_FALSE(s);
    EXPECT_NE(s.message().find("out of VIFs"), std::string::npos) << s.message();
}

TEST_F(Mroute6, SecondOwnerOfTableGetsClearError) {
    auto m = mroute6::open();
    ASSERT_TRUE(m) << m.message();
    auto second = mroute6::open();
    ASSERT_FALSE(second);
    EXPECT_EQ(second.code(), std::error_code(EADDRINUSE, std::system_category()));
    EXPECT_NE(second.message().find("another multicast router"), std::string::npos) << second.message();
    EXPECT_TRUE(mroute6::open(23)) << "a separate table is free";
}

TEST_F(Mroute6, CacheEntriesAddUpdateRemove) {
    auto m = mroute6::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_mif(in));
    ASSERT_TRUE(m->add_mif(out));
    ASSERT_TRUE(m->set_route({a("2001:db8:1::10"), a("ff3e::1:3"), in, {{out, 1}}}));
    auto line = cache_line6("2001:db8:1::10", "ff3e::1:3");
    ASSERT_FALSE(line.empty()) << kt::read_file("/proc/thread-self/net/ip6_mr_cache");
    EXPECT_NE(line.find(" 1:1"), std::string::npos) << line;
    ASSERT_TRUE(m->set_route({a("2001:db8:1::10"), a("ff3e::1:3"), out, {{in, 1}}}));
    line = cache_line6("2001:db8:1::10", "ff3e::1:3");
    EXPECT_NE(line.find(" 0:1"), std::string::npos) << line;
    EXPECT_EQ(line.find(" 1:1"), std::string::npos) << line;
    ASSERT_TRUE(m->remove_route(a("2001:db8:1::10"), a("ff3e::1:3")));
    EXPECT_TRUE(cache_line6("2001:db8:1::10", "ff3e::1:3").empty());
    EXPECT_EQ(m->remove_route(a("2001:db8:1::10"), a("ff3e::1:3")).code(),
              std::error_code(ENOENT, std::system_category()));
    EXPECT_FALSE(m->set_route({a("192.0.2.1"), a("239.1.1.1"), in, {}})) << "wrong family refused";
}

TEST_F(Mroute6, NoCacheUpcallThenForwardingAndCounters) {
    auto m = mroute6::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_mif(in));
    ASSERT_TRUE(m->add_mif(out));
    kt::link_socket inject("veth1", ETH_P_IPV6), capture("veth3", ETH_P_IPV6);
    ASSERT_TRUE(inject.ok() && capture.ok());
    const auto pkt = udp6("2001:db8:1::10", "ff05::1:3", 8);
    ASSERT_TRUE(inject.send(pkt));
    auto u = next_upcall(*m);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->kind, upcall_kind::nocache);
    EXPECT_EQ(u->ifindex, in);
    EXPECT_EQ(u->source, a("2001:db8:1::10"));
    EXPECT_EQ(u->group, a("ff05::1:3"));

    ASSERT_TRUE(m->set_route({a("2001:db8:1::10"), a("ff05::1:3"), in, {{out, 1}}}));
    auto before = m->counters(a("2001:db8:1::10"), a("ff05::1:3"));
    ASSERT_TRUE(before) << before.message();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(inject.send(pkt));
    auto fwd = capture.capture([](const kt::bytes& b) { return b.size() > 40 && b[6] == IPPROTO_UDP && b[24] == 0xff; });
    ASSERT_TRUE(fwd) << "forwarded packet not seen on veth3";
    EXPECT_EQ((*fwd)[7], 7) << "hop limit decremented";
    auto after = m->counters(a("2001:db8:1::10"), a("ff05::1:3"));
    ASSERT_TRUE(after);
    EXPECT_GE(after->packets - before->packets, 3u);
    EXPECT_GE(after->bytes - before->bytes, 3u * (pkt.size() - 40));
    auto missing = m->counters(a("2001:db8:1::11"), a("ff05::1:3"));
    EXPECT_EQ(missing.code(), std::error_code(EADDRNOTAVAIL, std::system_category())) << missing.message();
}

TEST_F(Mroute6, PacketHeldForUpcallIsForwardedWhenEntryArrives) {
    auto m = mroute6::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_mif(in));
    ASSERT_TRUE(m->add_mif(out));
    kt::link_socket inject("veth1", ETH_P_IPV6), capture("veth3", ETH_P_IPV6);
    ASSERT_TRUE(inject.send(udp6("2001:db8:1::10", "ff3e::7", 8)));
    auto u = next_upcall(*m);
    ASSERT_TRUE(u);
    ASSERT_TRUE(m->set_route({u->source, u->group, u->ifindex, {{out, 1}}}));
    auto first = capture.capture([](const kt::bytes& b) { return b.size() > 40 && b[6] == IPPROTO_UDP && b[39] == 7; });
    EXPECT_TRUE(first) << "the held packet must go out after MRT6_ADD_MFC";
}

TEST_F(Mroute6, WrongMifUpcallWhenPacketArrivesOnOutput) {
    auto m = mroute6::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_mif(in));
    ASSERT_TRUE(m->add_mif(out));
    ASSERT_TRUE(m->set_route({a("2001:db8:2::10"), a("ff3e::5"), in, {{out, 1}}}));
    kt::link_socket inject("veth3", ETH_P_IPV6);
    ASSERT_TRUE(inject.send(udp6("2001:db8:2::10", "ff3e::5", 8)));
    auto u = next_upcall(*m);
    ASSERT_TRUE(u);
    EXPECT_EQ(u->kind, upcall_kind::wrong_vif);
    EXPECT_EQ(u->ifindex, out);
    EXPECT_EQ(u->group, a("ff3e::5"));
}

TEST_F(Mroute6, SocketDeliversUpcallsButNoMld) {
    auto m = mroute6::open();
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_mif(in));
    kt::link_socket inject("veth1", ETH_P_IPV6);
    const char* src = "fe80::1";
    auto query = kt::mldv1(130, src, "ff02::1", "::");
    ASSERT_TRUE(inject.send(kt::ipv6(src, "ff02::1", 58, 1, query, kt::hbh_router_alert())));
    EXPECT_FALSE(kt::wait_readable(m->native_handle(), 200)) << "ICMPv6 filter must keep MLD off this socket";
}

TEST_F(Mroute6, OwnTableKeepsEntriesOutOfDefaultTable) {
    auto m = mroute6::open(42);
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_mif(in));
    ASSERT_TRUE(m->add_mif(out));
    ASSERT_TRUE(m->set_route({a("2001:db8:1::10"), a("ff3e::9"), in, {{out, 1}}}));
    EXPECT_TRUE(cache_line6("2001:db8:1::10", "ff3e::9").empty());
    FILE* p = ::popen("ip -6 mroute show table 42", "r");
    ASSERT_NE(p, nullptr);
    char buf[512] = {};
    std::string text;
    while (std::fgets(buf, sizeof buf, p) != nullptr) text += buf;
    ::pclose(p);
    EXPECT_NE(text.find("(2001:db8:1::10,ff3e::9)"), std::string::npos) << text;
    EXPECT_NE(text.find("Iif: veth0"), std::string::npos) << text;
}

}  // namespace
