// SPDX-License-Identifier: GPL-2.0-or-later
// Which MLD messages reach the ICMPv6 socket, and what mld_socket puts on the wire.
#include "kernel/netns_fixture.hpp"
#include "mcproxy/kernel/mld_socket.hpp"
#include "mcproxy/kernel/mroute6.hpp"

using namespace mcproxy::kernel;
using mcproxy::net::address;
using kt::sh;

namespace {

address a(const char* s) { return *address::parse(s); }
constexpr const char* host = "fe80::1234";

class Mld : public kt::netns_test {
protected:
    void SetUp() override {
        kt::netns_test::SetUp();
        if (IsSkipped()) return;
        veth("veth0", "veth1");
        down = kt::ifindex("veth0");
        auto s = mld_socket::open();
        ASSERT_TRUE(s) << s.message();
        sock.emplace(std::move(*s));
    }

    void start_routing() {
        auto m = mroute6::open();
        ASSERT_TRUE(m) << m.message();
        mr.emplace(std::move(*m));
        ASSERT_TRUE(mr->add_mif(down));
    }

    std::optional<received_packet> next_mld(int timeout_ms = 1000) {
        return kt::poll_for(
            sock->native_handle(),
            [&]() -> std::optional<received_packet> {
                auto r = sock->receive();
                if (!r || !*r) return std::nullopt;
                return std::move(**r);
            },
            timeout_ms);
    }

    // Injects an MLD message from `host` into veth0 and returns what the socket
    // reads for it (other messages, e.g. the kernel's own reports, are skipped).
    std::optional<received_packet> roundtrip(const kt::bytes& mld, const char* dst, bool router_alert,
                                             int timeout_ms = 1000) {
        kt::link_socket inject("veth1", ETH_P_IPV6);
        const auto pkt = router_alert ? kt::ipv6(host, dst, 58, 1, mld, kt::hbh_router_alert())
                                      : kt::ipv6(host, dst, 58, 1, mld);
        if (!inject.send(pkt)) return std::nullopt;
        for (int i = 0; i < 100; ++i) {
            auto p = next_mld(timeout_ms);
            if (!p) return std::nullopt;
            if (p->source == a(host)) return p;
        }
        return std::nullopt;
    }

    unsigned down = 0;
    std::optional<mld_socket> sock;
    std::optional<mroute6> mr;
};

TEST_F(Mld, QueryToAllNodesArrivesWithMetadata) {
    auto q = kt::mldv1(130, host, "ff02::1", "::");
    auto p = roundtrip(q, "ff02::1", true);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->ifindex, down);
    EXPECT_EQ(p->source, a(host));
    EXPECT_EQ(p->destination, a("ff02::1"));
    EXPECT_EQ(p->ttl, 1);
    EXPECT_TRUE(p->router_alert);
    EXPECT_EQ(kt::bytes(p->payload().begin(), p->payload().end()), q);
}

TEST_F(Mld, RouterAlertAbsenceIsReported) {
    auto p = roundtrip(kt::mldv1(130, host, "ff02::1", "::"), "ff02::1", false);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->router_alert);
}

// MLDv1 reports go to the group itself. The kernel hands MLD with the
// Router Alert option to local delivery only while multicast forwarding
// is on (an mroute6 socket with a MIF on the interface).
TEST_F(Mld, V1ReportToArbitraryGroupNeedsMulticastRouting) {
    auto r = kt::mldv1(131, host, "ff05::1:3", "ff05::1:3");
    EXPECT_FALSE(roundtrip(r, "ff05::1:3", true, 300)) << "unexpected: delivered without MRT6_INIT";
    start_routing();
    auto p = roundtrip(r, "ff05::1:3", true);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->destination, a("ff05::1:3"));
    EXPECT_TRUE(p->router_alert);
    EXPECT_EQ(p->ifindex, down);
}

TEST_F(Mld, V1ReportWithoutRouterAlertIsNotDelivered) {
    start_routing();
    EXPECT_FALSE(roundtrip(kt::mldv1(131, host, "ff3e::7", "ff3e::7"), "ff3e::7", false, 300));
}

TEST_F(Mld, V2ReportsNeedJoinOfAllMldv2Routers) {
    start_routing();
    kt::bytes report(8, 0);  // MLDv2 report with no records
    report[0] = 143;
    kt::put16(report, 2, kt::checksum6(host, "ff02::16", 58, report));
    EXPECT_FALSE(roundtrip(report, "ff02::16", true, 300)) << "unexpected: delivered without joining ff02::16";
    ASSERT_TRUE(sock->join(down, a("ff02::16")));
    auto p = roundtrip(report, "ff02::16", true);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->payload()[0], 143);
    EXPECT_EQ(p->destination, a("ff02::16"));
}

TEST_F(Mld, V1DoneNeedsJoinOfAllRouters) {
    auto done = kt::mldv1(132, host, "ff02::2", "ff05::1:3");
    // IPv6 forwarding off in a fresh namespace, so nothing joined ff02::2 yet.
    EXPECT_FALSE(roundtrip(done, "ff02::2", true, 300)) << "unexpected: delivered without joining ff02::2";
    ASSERT_TRUE(sock->join(down, a("ff02::2")));
    auto p = roundtrip(done, "ff02::2", true);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->payload()[0], 132);
}

TEST_F(Mld, OtherIcmpv6IsFilteredOut) {
    kt::bytes echo(8, 0);
    echo[0] = 128;  // echo request
    kt::put16(echo, 2, kt::checksum6(host, "ff02::1", 58, echo));
    EXPECT_FALSE(roundtrip(echo, "ff02::1", false, 300));
}

TEST_F(Mld, SendsWithHopLimitOneRouterAlertAndLinkLocalSource) {
    const auto ll = kt::wait_link_local("veth0");
    ASSERT_FALSE(ll.empty());
    kt::link_socket capture("veth1", ETH_P_IPV6);
    kt::bytes report(8, 0);
    report[0] = 143;
    ASSERT_TRUE(sock->send(down, a(ll.c_str()), a("ff02::16"), report));
    auto f = capture.capture([](const kt::bytes& b) { return b.size() >= 56 && b[6] == 0 && b[48] == 143; });
    ASSERT_TRUE(f) << "MLD report not seen on veth1";
    EXPECT_EQ((*f)[7], 1) << "hop limit";
    const auto src = kt::v6(ll.c_str()), dst = kt::v6("ff02::16");
    EXPECT_EQ(kt::bytes(f->begin() + 8, f->begin() + 24), kt::bytes(src.begin(), src.end()));
    EXPECT_EQ(kt::bytes(f->begin() + 24, f->begin() + 40), kt::bytes(dst.begin(), dst.end()));
    EXPECT_EQ((*f)[40], 58) << "hop-by-hop next header ICMPv6";
    EXPECT_TRUE(hop_by_hop_has_router_alert(std::span<const std::uint8_t>(f->data() + 40, 8)));
    const kt::bytes icmp(f->begin() + 48, f->end());
    EXPECT_EQ(kt::checksum6(ll.c_str(), "ff02::16", 58, icmp), 0) << "kernel filled in the checksum";
}

TEST_F(Mld, SendFromForeignSourceFailsWithHint) {
    auto s = sock->send(down, a("2001:db8::99"), a("ff02::16"), kt::bytes(8, 0));
    EXPECT_FALSE(s);
    EXPECT_NE(s.message().find("sending MLD"), std::string::npos) << s.message();
}

TEST_F(Mld, OwnSentMessagesDoNotLoopBack) {
    ASSERT_TRUE(sock->join(down, a("ff02::16")));
    while (next_mld(200)) {}  // the kernel's own report for the join, if any
    const auto ll = kt::wait_link_local("veth0");
    ASSERT_FALSE(ll.empty());
    kt::bytes report(8, 0);
    report[0] = 143;
    ASSERT_TRUE(sock->send(down, a(ll.c_str()), a("ff02::16"), report));
    auto p = next_mld(200);
    EXPECT_FALSE(p && p->source == a(ll.c_str()) && p->payload()[0] == 143 && p->bytes.size() == 8);
}

// Needs neither a namespace nor multicast routing: only an ifindex that no
// interface has. Naming it in the message (if_indextoname) fails with ENXIO
// and overwrites errno; the error must still be the setsockopt's ENODEV.
TEST(MldSocketError, MissingInterfaceKeepsTheErrnoOfTheFailedCall) {
    auto sock = mld_socket::open();
    if (!sock) GTEST_SKIP() << sock.message();
    const unsigned missing = kt::unused_ifindex();
    auto s = sock->join(missing, a("ff02::16"));
    ASSERT_FALSE(s);
    EXPECT_EQ(s.code().value(), ENODEV) << s.message();
    EXPECT_NE(s.message().find("ifindex " + std::to_string(missing)), std::string::npos) << s.message();
}

TEST(MldParse, HopByHopRouterAlertBounds) {
    EXPECT_TRUE(hop_by_hop_has_router_alert(kt::hbh_router_alert()));
    EXPECT_FALSE(hop_by_hop_has_router_alert(kt::bytes{58, 0, 1, 4, 0, 0, 0, 0}));  // PadN only
    EXPECT_TRUE(hop_by_hop_has_router_alert(kt::bytes{58, 0, 0, 0, 5, 2, 0, 0}));   // Pad1s first
    EXPECT_FALSE(hop_by_hop_has_router_alert(kt::bytes{58, 0, 1, 9, 5, 2, 0, 0}));  // PadN overruns
    EXPECT_FALSE(hop_by_hop_has_router_alert(kt::bytes{58, 1, 5, 2, 0, 0, 1, 0}));  // claims 16 bytes
    EXPECT_FALSE(hop_by_hop_has_router_alert(kt::bytes{58}));
    EXPECT_FALSE(hop_by_hop_has_router_alert(kt::bytes{}));
}

}  // namespace
