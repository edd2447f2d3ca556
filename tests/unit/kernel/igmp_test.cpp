// SPDX-License-Identifier: GPL-2.0-or-later
// Which IGMP messages reach the IPv4 mroute socket, and what igmp_socket puts on the wire.
#include "kernel/netns_fixture.hpp"
#include "mcproxy/kernel/igmp_socket.hpp"
#include "mcproxy/kernel/mroute4.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>

using namespace mcproxy::kernel;
using mcproxy::net::address;
using kt::sh;

namespace {

address a(const char* s) { return *address::parse(s); }
const kt::bytes router_alert{148, 4, 0, 0};

class Igmp : public kt::netns_test {
protected:
    void SetUp() override {
        kt::netns_test::SetUp();
        if (IsSkipped()) return;
        veth("veth0", "veth1");
        ASSERT_TRUE(sh("ip addr add 198.51.100.1/24 dev veth0"));
        down = kt::ifindex("veth0");
        auto m = mroute4::open();
        ASSERT_TRUE(m) << m.message();
        mr.emplace(std::move(*m));
        ASSERT_TRUE(mr->add_vif(down));
    }

    // The first IGMP packet the mroute socket delivers within the timeout.
    std::optional<received_packet> next_igmp(int timeout_ms = 1000) {
        return kt::poll_for(
            mr->native_handle(),
            [&]() -> std::optional<received_packet> {
                auto r = mr->receive();
                if (!r || !*r) return std::nullopt;
                if (auto* p = std::get_if<received_packet>(&**r)) return *p;
                return std::nullopt;
            },
            timeout_ms);
    }

    // True if exactly this datagram arrives (other packets, such as the
    // kernel's own looped-back reports for groups we joined, are skipped).
    bool delivered(const kt::bytes& datagram, int timeout_ms = 1000) {
        kt::link_socket inject("veth1", ETH_P_IP);
        if (!inject.send(datagram)) return false;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        for (int i = 0; i < 100 && std::chrono::steady_clock::now() < deadline; ++i) {
            auto p = next_igmp(timeout_ms);
            if (!p) return false;
            if (p->bytes == datagram) return p->ifindex == down;
        }
        return false;
    }

    unsigned down = 0;
    std::optional<mroute4> mr;
};

TEST_F(Igmp, V2ReportToGroupWithRouterAlertReachesMrouteSocket) {
    auto d = kt::ipv4("198.51.100.20", "239.1.2.3", IPPROTO_IGMP, 1, kt::igmpv2(0x16, "239.1.2.3"), router_alert);
    kt::link_socket inject("veth1", ETH_P_IP);
    ASSERT_TRUE(inject.send(d));
    auto p = next_igmp();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ifindex, down);
    EXPECT_EQ(p->source, a("198.51.100.20"));
    EXPECT_EQ(p->destination, a("239.1.2.3"));
    EXPECT_EQ(p->ttl, 1);
    EXPECT_TRUE(p->router_alert);
    EXPECT_EQ(p->payload_offset, 24u);
    EXPECT_EQ(kt::bytes(p->payload().begin(), p->payload().end()), kt::igmpv2(0x16, "239.1.2.3"));
}

TEST_F(Igmp, V1ReportWithoutRouterAlertReachesMrouteSocket) {
    auto d = kt::ipv4("198.51.100.21", "239.1.2.4", IPPROTO_IGMP, 1, kt::igmpv2(0x12, "239.1.2.4"));
    kt::link_socket inject("veth1", ETH_P_IP);
    ASSERT_TRUE(inject.send(d));
    auto p = next_igmp();
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->router_alert);
    EXPECT_EQ(p->ifindex, down);
}

TEST_F(Igmp, GeneralQueryToAllSystemsReachesMrouteSocket) {
    EXPECT_TRUE(delivered(kt::ipv4("198.51.100.30", "224.0.0.1", IPPROTO_IGMP, 1, kt::igmpv2(0x11, "0.0.0.0"), router_alert)));
}

// 224.0.0.x is local multicast: the kernel delivers it only when the
// interface has joined the group (the mroute path skips local groups).
TEST_F(Igmp, V3ReportsNeedJoinOfAllIgmpv3Routers) {
    auto v3 = kt::ipv4("198.51.100.22", "224.0.0.22", IPPROTO_IGMP, 1, kt::igmpv2(0x22, "0.0.0.0"), router_alert);
    EXPECT_FALSE(delivered(v3, 300)) << "unexpected: delivered without joining 224.0.0.22";
    ASSERT_TRUE(mr->join(down, a("224.0.0.22")));
    EXPECT_TRUE(delivered(v3));
    // RFC 3376 4.2.13: reports may come from 0.0.0.0.
    EXPECT_TRUE(delivered(kt::ipv4("0.0.0.0", "224.0.0.22", IPPROTO_IGMP, 1, kt::igmpv2(0x22, "0.0.0.0"), router_alert)));
    ASSERT_TRUE(mr->leave(down, a("224.0.0.22")));
}

// Joining makes the kernel's host side send its own report for 224.0.0.22,
// and the looped-back copy reaches the mroute socket: the daemon must ignore
// IGMP whose source is one of its own addresses.
TEST_F(Igmp, KernelsOwnReportForJoinedGroupLoopsBack) {
    ASSERT_TRUE(mr->join(down, a("224.0.0.22")));
    auto p = next_igmp();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->source, a("198.51.100.1"));
    EXPECT_EQ(p->destination, a("224.0.0.22"));
    EXPECT_EQ(p->payload()[0], 0x22);
}

TEST_F(Igmp, V2LeavesNeedJoinOfAllRouters) {
    auto leave = kt::ipv4("198.51.100.23", "224.0.0.2", IPPROTO_IGMP, 1, kt::igmpv2(0x17, "239.1.2.3"), router_alert);
    EXPECT_FALSE(delivered(leave, 300)) << "unexpected: delivered without joining 224.0.0.2";
    ASSERT_TRUE(mr->join(down, a("224.0.0.2")));
    EXPECT_TRUE(delivered(leave));
}

// Every mroute socket is on the kernel's Router Alert chain, so IGMP with
// Router Alert reaches the sockets of all instances: each instance must
// keep only messages whose ifindex is one of its interfaces.
TEST_F(Igmp, RouterAlertIgmpReachesEveryInstancesSocket) {
    auto other = mroute4::open(10);
    ASSERT_TRUE(other) << other.message();
    veth("veth2", "veth3");
    ASSERT_TRUE(other->add_vif(kt::ifindex("veth2")));
    kt::link_socket inject("veth1", ETH_P_IP);
    auto d = kt::ipv4("198.51.100.20", "239.1.2.3", IPPROTO_IGMP, 1, kt::igmpv2(0x16, "239.1.2.3"), router_alert);
    ASSERT_TRUE(inject.send(d));
    auto p = next_igmp();
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ifindex, down);
    auto q = kt::poll_for(other->native_handle(), [&]() -> std::optional<received_packet> {
        auto r = other->receive();
        if (!r || !*r) return std::nullopt;
        if (auto* x = std::get_if<received_packet>(&**r)) return *x;
        return std::nullopt;
    });
    ASSERT_TRUE(q) << "the other instance's socket gets a copy too";
    EXPECT_EQ(q->ifindex, down);
}

// Downstream links may have no IPv4 address (RFC 3376 lets hosts report from 0.0.0.0).
TEST_F(Igmp, JoinAndReceiveOnInterfaceWithoutAddress) {
    veth("veth4", "veth5");
    const unsigned idx = kt::ifindex("veth4");
    ASSERT_TRUE(mr->add_vif(idx));
    ASSERT_TRUE(mr->join(idx, a("224.0.0.22")));
    kt::link_socket inject("veth5", ETH_P_IP);
    auto v3 = kt::ipv4("0.0.0.0", "224.0.0.22", IPPROTO_IGMP, 1, kt::igmpv2(0x22, "0.0.0.0"), router_alert);
    ASSERT_TRUE(inject.send(v3));
    std::optional<received_packet> got;
    for (int i = 0; i < 10 && !got; ++i) {
        auto p = next_igmp();
        if (!p) break;
        if (p->bytes == v3) got = p;
    }
    ASSERT_TRUE(got);
    EXPECT_EQ(got->ifindex, idx);
}

TEST_F(Igmp, JoinRejectsNonMulticast) {
    auto s = mr->join(down, a("198.51.100.9"));
    EXPECT_FALSE(s);
    EXPECT_NE(s.message().find("not an IPv4 multicast group"), std::string::npos);
}

TEST_F(Igmp, SendsWithTtlOneRouterAlertAndInterfaceSource) {
    auto sock = igmp_socket::open();
    ASSERT_TRUE(sock) << sock.message();
    kt::link_socket capture("veth1", ETH_P_IP);
    const auto report = kt::igmpv2(0x16, "239.1.2.3");
    ASSERT_TRUE(sock->send(down, a("198.51.100.1"), a("239.1.2.3"), report));
    auto f = capture.capture([](const kt::bytes& b) { return b.size() >= 24 && b[9] == IPPROTO_IGMP && b[16] == 239; });
    ASSERT_TRUE(f);
    auto p = parse_ipv4_igmp(*f, 0);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ttl, 1);
    EXPECT_TRUE(p->router_alert);
    EXPECT_EQ(p->source, a("198.51.100.1"));
    EXPECT_EQ(p->destination, a("239.1.2.3"));
    EXPECT_EQ((*f)[1], 0xc0);
    EXPECT_EQ(kt::checksum(f->data(), 24), 0) << "valid header checksum";
    EXPECT_EQ(kt::bytes(p->payload().begin(), p->payload().end()), report);
}

TEST_F(Igmp, SendsFromZeroAddressOnInterfaceWithoutAddress) {
    veth("veth4", "veth5");  // no IPv4 address
    auto sock = igmp_socket::open();
    ASSERT_TRUE(sock) << sock.message();
    kt::link_socket capture("veth5", ETH_P_IP);
    ASSERT_TRUE(sock->send(kt::ifindex("veth4"), a("0.0.0.0"), a("224.0.0.22"), kt::igmpv2(0x22, "0.0.0.0")));
    auto f = capture.capture([](const kt::bytes& b) { return b.size() >= 24 && b[9] == IPPROTO_IGMP; });
    ASSERT_TRUE(f);
    auto p = parse_ipv4_igmp(*f, 0);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->source, a("0.0.0.0"));
    EXPECT_EQ(p->destination, a("224.0.0.22"));
    EXPECT_EQ(p->ttl, 1);
    EXPECT_TRUE(p->router_alert);
}

// Point-to-point links (tun, ppp) have no link-layer header: no MAC is given.
TEST_F(Igmp, SendsOnTunDevice) {
    const int tun = ::open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (tun < 0) GTEST_SKIP() << "no /dev/net/tun";
    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
    std::strncpy(ifr.ifr_name, "tun7", IFNAMSIZ - 1);
    ASSERT_EQ(::ioctl(tun, TUNSETIFF, &ifr), 0);
    ASSERT_TRUE(sh("ip link set tun7 up && ip addr add 192.0.2.1/32 dev tun7"));
    auto sock = igmp_socket::open();
    ASSERT_TRUE(sock) << sock.message();
    const auto report = kt::igmpv2(0x16, "239.1.2.9");
    ASSERT_TRUE(sock->send(kt::ifindex("tun7"), a("192.0.2.1"), a("239.1.2.9"), report));
    std::optional<received_packet> p;
    for (int i = 0; i < 50 && !p; ++i) {  // skip the kernel's own IPv6/IGMP chatter on the new link
        if (!kt::wait_readable(tun, 1000)) break;
        kt::bytes b(2048);
        const ssize_t n = ::read(tun, b.data(), b.size());
        if (n <= 0) break;
        b.resize(static_cast<std::size_t>(n));
        auto q = parse_ipv4_igmp(b, 0);
        if (q && q->destination == a("239.1.2.9")) p = q;
    }
    ::close(tun);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->source, a("192.0.2.1"));
    EXPECT_EQ(p->ttl, 1);
    EXPECT_TRUE(p->router_alert);
    EXPECT_EQ(kt::bytes(p->payload().begin(), p->payload().end()), report);
}

TEST_F(Igmp, SendOnMissingInterfaceFails) {
    auto sock = igmp_socket::open();
    ASSERT_TRUE(sock);
    auto s = sock->send(9999, a("0.0.0.0"), a("224.0.0.22"), kt::igmpv2(0x22, "0.0.0.0"));
    EXPECT_FALSE(s);
    EXPECT_NE(s.message().find("ifindex 9999"), std::string::npos) << s.message();
}

TEST_F(Igmp, OwnSentMessagesDoNotLoopBackToMrouteSocket) {
    auto sock = igmp_socket::open();
    ASSERT_TRUE(sock) << sock.message();
    ASSERT_TRUE(sock->send(down, a("198.51.100.1"), a("224.0.0.1"), kt::igmpv2(0x11, "0.0.0.0")));
    EXPECT_FALSE(next_igmp(200));
}

// Needs neither a namespace nor multicast routing: only an ifindex that no
// interface has. Naming it in the message (if_indextoname) fails with ENXIO
// and overwrites errno; the error must still be the failed ioctl's ENODEV.
TEST(IgmpSocketError, MissingInterfaceKeepsTheErrnoOfTheFailedCall) {
    auto sock = igmp_socket::open();
    if (!sock) GTEST_SKIP() << sock.message();
    const unsigned missing = kt::unused_ifindex();
    auto s = sock->send(missing, a("0.0.0.0"), a("224.0.0.22"), kt::igmpv2(0x22, "0.0.0.0"));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code().value(), ENODEV) << s.message();
    EXPECT_NE(s.message().find("the interface does not exist"), std::string::npos) << s.message();
}

TEST(IgmpParse, RejectsTruncatedAndInconsistentDatagrams) {
    auto good = kt::ipv4("198.51.100.20", "239.1.2.3", IPPROTO_IGMP, 1, kt::igmpv2(0x16, "239.1.2.3"), router_alert);
    ASSERT_TRUE(parse_ipv4_igmp(good, 3));
    for (std::size_t n = 0; n < 32; ++n)
        EXPECT_FALSE(parse_ipv4_igmp(kt::bytes(good.begin(), good.begin() + static_cast<long>(n)), 3)) << n;
    auto bad_ihl = good;
    bad_ihl[0] = 0x44;  // IHL 16 bytes < 20
    EXPECT_FALSE(parse_ipv4_igmp(bad_ihl, 3));
    auto long_total = good;
    long_total[3] = static_cast<std::uint8_t>(long_total[3] + 1);
    EXPECT_FALSE(parse_ipv4_igmp(long_total, 3));
    auto udp = good;
    udp[9] = IPPROTO_UDP;
    EXPECT_FALSE(parse_ipv4_igmp(udp, 3));
    auto truncated_option = kt::ipv4("198.51.100.20", "239.1.2.3", IPPROTO_IGMP, 1, kt::igmpv2(0x16, "239.1.2.3"),
                                     {1, 148, 4, 0});  // NOP, then RA cut by the header end
    auto p = parse_ipv4_igmp(truncated_option, 3);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->router_alert);
}

TEST(IgmpBuild, HeaderMatchesRfc) {
    const kt::bytes msg{0x11, 0, 0, 0, 0, 0, 0, 0};
    auto d = build_ipv4_igmp(a("192.0.2.1"), a("224.0.0.1"), msg);
    ASSERT_EQ(d.size(), 32u);
    EXPECT_EQ(d[0], 0x46);
    EXPECT_EQ(d[8], 1);
    EXPECT_EQ(d[9], 2);
    EXPECT_EQ(kt::bytes(d.begin() + 20, d.begin() + 24), (kt::bytes{148, 4, 0, 0}));
    EXPECT_EQ(kt::bytes(d.begin() + 24, d.end()), msg);
    EXPECT_EQ(kt::checksum(d.data(), 24), 0);
}

}  // namespace
