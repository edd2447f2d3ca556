// SPDX-License-Identifier: GPL-2.0-or-later
// One test per row of doc/packet-validation.md: every packet is built with
// the product's own encoders, then one field is broken.
#include "mcproxy/daemon/intake.hpp"

#include <map>
#include <string>

#include <gtest/gtest.h>

#include "mcproxy/config/parse.hpp"
#include "mcproxy/daemon/core_settings.hpp"
#include "mcproxy/kernel/igmp_socket.hpp"
#include "mcproxy/wire/checksum.hpp"
#include "mcproxy/wire/igmp_codec.hpp"
#include "mcproxy/wire/ipv4_header.hpp"
#include "mcproxy/wire/mld_codec.hpp"

using namespace mcproxy;
using daemon::drop_reason;

namespace {

net::address a(const char* s) { return *net::address::parse(s); }

// The downstream link of these tests: 198.51.100.1/24 is ours.
const std::vector<daemon::subnet> subnets{{a("198.51.100.1"), 24}};
const std::vector<net::address> own4{a("198.51.100.1")};
const daemon::link_view link4{subnets, own4, 1500};
const std::vector<net::address> own6{a("fe80::1")};
const daemon::link_view link6{{}, own6, 1500};

const net::address host4 = a("198.51.100.20");
const net::address host6 = a("fe80::20");
const net::address group4 = a("239.1.2.3");
const net::address group6 = a("ff05::123");

struct ip4 {
    net::address src = host4;
    net::address dst = a("224.0.0.22");
    std::uint8_t ttl = 1;
    bool router_alert = true;
};

std::vector<std::uint8_t> body(const wire::message& m) {
    auto e = wire::encode_igmp(m);
    EXPECT_TRUE(e.ok());
    return e.ok() ? *e : std::vector<std::uint8_t>{};
}

// An IPv4 datagram as the mroute socket delivers it, through the kernel layer's parser.
kernel::received_packet packet4(const std::vector<std::uint8_t>& igmp, const ip4& h = {}) {
    wire::ipv4_build b;
    b.src = h.src;
    b.dst = h.dst;
    b.ttl = h.ttl;
    b.router_alert = h.router_alert;
    std::vector<std::uint8_t> d;
    EXPECT_FALSE(wire::build_ipv4(b, igmp, d).has_value());
    auto p = kernel::parse_ipv4_igmp(std::move(d), 7);
    EXPECT_TRUE(p.has_value());
    return p ? *p : kernel::received_packet{};
}

// Rewrites the IPv4 header checksum after a header field was changed.
void fix_ip_checksum(kernel::received_packet& p) {
    p.bytes[10] = p.bytes[11] = 0;
    const std::uint16_t c = wire::internet_checksum(std::span<const std::uint8_t>(p.bytes).first(p.payload_offset));
    p.bytes[10] = static_cast<std::uint8_t>(c >> 8);
    p.bytes[11] = static_cast<std::uint8_t>(c);
}

wire::query query_of(wire::version v, const net::address& group) {
    wire::query q;
    q.ver = v;
    q.group = group;
    return q;
}

wire::message v3_join(const net::address& g) {
    return wire::report_v3{wire::version::igmpv3, {wire::group_record{wire::record_type::change_to_exclude, g, {}, {}}}};
}

kernel::received_packet packet6(const wire::message& m, const net::address& src = host6, int hops = 1,
                                bool router_alert = true, const net::address& dst = a("ff02::16")) {
    kernel::received_packet p;
    p.ifindex = 7;
    p.source = src;
    p.destination = dst;
    p.ttl = hops;
    p.router_alert = router_alert;
    auto e = wire::encode_mld(m, src, dst);
    EXPECT_TRUE(e.ok());
    if (e.ok()) p.bytes = *e;
    return p;
}

wire::message mld2_join(const net::address& g) {
    return wire::report_v3{wire::version::mldv2, {wire::group_record{wire::record_type::change_to_exclude, g, {}, {}}}};
}

void expect_drop(const daemon::intake_result& r, drop_reason why) {
    EXPECT_FALSE(r.msg.has_value());
    EXPECT_EQ(r.reason, why) << "dropped as " << daemon::to_string(r.reason) << ", expected "
                             << daemon::to_string(why);
}

void expect_accept(const daemon::intake_result& r) {
    EXPECT_TRUE(r.msg.has_value()) << "dropped as " << daemon::to_string(r.reason);
}

}  // namespace

// ---- names ---------------------------------------------------------------

TEST(IntakeNames, StableCounterLabels) {
    EXPECT_STREQ(daemon::to_string(drop_reason::truncated), "truncated");
    EXPECT_STREQ(daemon::to_string(drop_reason::bad_checksum), "bad_checksum");
    EXPECT_STREQ(daemon::to_string(drop_reason::bad_ttl), "bad_ttl");
    EXPECT_STREQ(daemon::to_string(drop_reason::no_router_alert), "no_router_alert");
    EXPECT_STREQ(daemon::to_string(drop_reason::not_link_local_source), "not_link_local_source");
    EXPECT_STREQ(daemon::to_string(drop_reason::off_link_source), "off_link_source");
    EXPECT_STREQ(daemon::to_string(drop_reason::own_message), "own_message");
    EXPECT_STREQ(daemon::to_string(drop_reason::fragment), "fragment");
    EXPECT_STREQ(daemon::to_string(drop_reason::malformed), "malformed");
    for (std::size_t i = 0; i < static_cast<std::size_t>(drop_reason::count_); ++i)
        EXPECT_STRNE(daemon::to_string(static_cast<drop_reason>(i)), "unknown") << i;
}

TEST(IntakeSubnet, Contains) {
    const daemon::subnet s{a("198.51.100.1"), 24};
    EXPECT_TRUE(s.contains(a("198.51.100.255")));
    EXPECT_FALSE(s.contains(a("198.51.101.1")));
    EXPECT_FALSE(s.contains(a("fe80::1")));
}

// ---- IGMP: accepted ------------------------------------------------------

TEST(IntakeIgmp, V3ReportFromOnLinkHostAccepted) {
    expect_accept(daemon::check_igmp(packet4(body(v3_join(group4))), link4));
}

TEST(IntakeIgmp, ReportFromUnspecifiedSourceAccepted) {
    // RFC 3376 4.2.13: routers MUST accept reports from 0.0.0.0.
    expect_accept(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = a("0.0.0.0")}), link4));
}

TEST(IntakeIgmp, V2ReportWithoutRouterAlertAccepted) {
    // RFC 2236 9 / RFC 3376 9.2: requiring RA breaks older hosts.
    const auto m = wire::report_v1v2{wire::version::igmpv2, group4};
    expect_accept(daemon::check_igmp(packet4(body(m), {.dst = group4, .router_alert = false}), link4));
}

TEST(IntakeIgmp, V2LeaveWithoutRouterAlertAccepted) {
    const auto m = wire::leave{wire::version::igmpv2, group4};
    expect_accept(daemon::check_igmp(packet4(body(m), {.dst = a("224.0.0.2"), .router_alert = false}), link4));
}

TEST(IntakeIgmp, V1ReportWithoutRouterAlertAccepted) {
    // RFC 1112 predates Router Alert (RFC 2113).
    const auto m = wire::report_v1v2{wire::version::igmpv1, group4};
    expect_accept(daemon::check_igmp(packet4(body(m), {.dst = group4, .router_alert = false}), link4));
}

TEST(IntakeIgmp, V1QueryWithoutRouterAlertAccepted) {
    const wire::query q = query_of(wire::version::igmpv1, a("0.0.0.0"));
    expect_accept(daemon::check_igmp(packet4(body(q), {.src = a("203.0.113.1"), .dst = a("224.0.0.1"),
                                                       .router_alert = false}),
                                     link4));
}

TEST(IntakeIgmp, QueryFromOffLinkSourceAccepted) {
    // The on-link rule is for reports (RFC 3376 9.2); a querier may sit in another subnet of the link.
    const wire::query q = query_of(wire::version::igmpv3, a("0.0.0.0"));
    expect_accept(daemon::check_igmp(packet4(body(q), {.src = a("203.0.113.1"), .dst = a("224.0.0.1")}), link4));
}

TEST(IntakeIgmp, OffLinkCheckSkippedWithoutSubnet) {
    // An unnumbered interface (no address) has no subnet to compare with.
    const daemon::link_view bare{{}, {}, 1500};
    expect_accept(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = a("203.0.113.9")}), bare));
}

TEST(IntakeIgmp, OffLinkCheckSkippedOnPointToPoint) {
    // A /32 (ppp, tunnels): the only neighbour is the peer, whatever its address.
    const std::vector<daemon::subnet> p2p{{a("198.51.100.1"), 32}};
    const daemon::link_view view{p2p, own4, 1500};
    expect_accept(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = a("203.0.113.9")}), view));
}

TEST(IntakeIgmp, OffLinkCheckCanBeTurnedOff) {
    const daemon::intake_policy off{.require_on_link_source = false};
    expect_accept(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = a("203.0.113.9")}), link4, off));
}

TEST(IntakeIgmp, SecondSubnetOfTheLinkCounts) {
    const std::vector<daemon::subnet> two{{a("198.51.100.1"), 24}, {a("192.0.2.1"), 28}};
    const daemon::link_view view{two, own4, 1500};
    expect_accept(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = a("192.0.2.14")}), view));
    expect_drop(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = a("192.0.2.17")}), view),
                drop_reason::off_link_source);
}

// ---- IGMP: refused -------------------------------------------------------

TEST(IntakeIgmp, TtlNotOneRefused) {
    expect_drop(daemon::check_igmp(packet4(body(v3_join(group4)), {.ttl = 2}), link4), drop_reason::bad_ttl);
    expect_drop(daemon::check_igmp(packet4(body(v3_join(group4)), {.ttl = 255}), link4), drop_reason::bad_ttl);
}

TEST(IntakeIgmp, V3ReportWithoutRouterAlertRefused) {
    expect_drop(daemon::check_igmp(packet4(body(v3_join(group4)), {.router_alert = false}), link4),
                drop_reason::no_router_alert);
}

TEST(IntakeIgmp, V2QueryWithoutRouterAlertRefused) {
    const wire::query q = query_of(wire::version::igmpv2, a("0.0.0.0"));
    expect_drop(daemon::check_igmp(packet4(body(q), {.src = a("203.0.113.1"), .dst = a("224.0.0.1"),
                                                     .router_alert = false}),
                                   link4),
                drop_reason::no_router_alert);
}

TEST(IntakeIgmp, V3QueryWithoutRouterAlertRefused) {
    const wire::query q = query_of(wire::version::igmpv3, a("0.0.0.0"));
    expect_drop(daemon::check_igmp(packet4(body(q), {.src = a("203.0.113.1"), .dst = a("224.0.0.1"),
                                                     .router_alert = false}),
                                   link4),
                drop_reason::no_router_alert);
}

TEST(IntakeIgmp, ReportFromOffLinkSourceRefused) {
    expect_drop(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = a("203.0.113.9")}), link4),
                drop_reason::off_link_source);
}

TEST(IntakeIgmp, V2LeaveFromOffLinkSourceRefused) {
    // RFC 3376 9.3: a forged leave denies service to real members.
    const auto m = wire::leave{wire::version::igmpv2, group4};
    expect_drop(daemon::check_igmp(packet4(body(m), {.src = a("203.0.113.9"), .dst = a("224.0.0.2")}), link4),
                drop_reason::off_link_source);
}

TEST(IntakeIgmp, OwnMessageRefused) {
    const wire::query q = query_of(wire::version::igmpv3, a("0.0.0.0"));
    expect_drop(daemon::check_igmp(packet4(body(q), {.src = own4[0], .dst = a("224.0.0.1")}), link4),
                drop_reason::own_message);
}

TEST(IntakeIgmp, BadIgmpChecksumRefused) {
    auto p = packet4(body(v3_join(group4)));
    p.bytes[p.payload_offset + 2] ^= 0x5a;
    expect_drop(daemon::check_igmp(p, link4), drop_reason::bad_checksum);
}

TEST(IntakeIgmp, BadIpHeaderChecksumRefused) {
    auto p = packet4(body(v3_join(group4)));
    p.bytes[10] ^= 0x01;
    expect_drop(daemon::check_igmp(p, link4), drop_reason::bad_checksum);
}

TEST(IntakeIgmp, TruncatedRefused) {
    // IGMP message of 6 bytes: shorter than any IGMP message (8).
    std::vector<std::uint8_t> igmp{0x16, 0, 0, 0, 239, 1};
    expect_drop(daemon::check_igmp(packet4(igmp, {.dst = group4}), link4), drop_reason::truncated);
}

TEST(IntakeIgmp, LyingRecordCountRefused) {
    // Number of Group Records 5 with one record present.
    auto igmp = body(v3_join(group4));
    igmp[7] = 5;
    igmp[2] = igmp[3] = 0;
    const std::uint16_t c = wire::internet_checksum(igmp);
    igmp[2] = static_cast<std::uint8_t>(c >> 8);
    igmp[3] = static_cast<std::uint8_t>(c);
    expect_drop(daemon::check_igmp(packet4(igmp), link4), drop_reason::bad_count);
}

TEST(IntakeIgmp, LyingSourceCountRefused) {
    // Number of Sources 60000 in a record with none.
    auto igmp = body(v3_join(group4));
    igmp[8 + 2] = 0xEA;
    igmp[8 + 3] = 0x60;
    igmp[2] = igmp[3] = 0;
    const std::uint16_t c = wire::internet_checksum(igmp);
    igmp[2] = static_cast<std::uint8_t>(c >> 8);
    igmp[3] = static_cast<std::uint8_t>(c);
    expect_drop(daemon::check_igmp(packet4(igmp), link4), drop_reason::bad_count);
}

TEST(IntakeIgmp, UnknownTypeRefused) {
    std::vector<std::uint8_t> igmp{0x13, 0, 0, 0, 0, 0, 0, 0};  // DVMRP
    const std::uint16_t c = wire::internet_checksum(igmp);
    igmp[2] = static_cast<std::uint8_t>(c >> 8);
    igmp[3] = static_cast<std::uint8_t>(c);
    expect_drop(daemon::check_igmp(packet4(igmp, {.dst = a("224.0.0.4")}), link4), drop_reason::unknown_type);
}

TEST(IntakeIgmp, NonMulticastGroupRefused) {
    const auto m = wire::report_v1v2{wire::version::igmpv2, group4};
    auto igmp = body(m);
    igmp[4] = 10;  // 10.1.2.3
    igmp[2] = igmp[3] = 0;
    const std::uint16_t c = wire::internet_checksum(igmp);
    igmp[2] = static_cast<std::uint8_t>(c >> 8);
    igmp[3] = static_cast<std::uint8_t>(c);
    expect_drop(daemon::check_igmp(packet4(igmp, {.dst = group4}), link4), drop_reason::not_multicast);
}

TEST(IntakeIgmp, FragmentRefused) {
    // More Fragments set: ip_mr_input hands Router-Alert-less IGMP to the
    // mroute socket without reassembly.
    auto p = packet4(body(v3_join(group4)), {.router_alert = false});
    p.bytes[6] = 0x20;  // MF, offset 0
    fix_ip_checksum(p);
    expect_drop(daemon::check_igmp(p, link4), drop_reason::fragment);
    p.bytes[6] = 0x00;
    p.bytes[7] = 0x10;  // a later fragment (offset 16 * 8)
    fix_ip_checksum(p);
    expect_drop(daemon::check_igmp(p, link4), drop_reason::fragment);
}

TEST(IntakeIgmp, ReassembledLargerThanMtuRefused) {
    // 400 sources: 8 + 8 + 1600 bytes of IGMP, larger than a 1280-byte link.
    wire::group_record r{wire::record_type::mode_is_exclude, group4, {}, {}};
    for (std::uint32_t i = 0; i < 400; ++i) r.sources.push_back(net::address::v4(0xC6120000u + i));
    const wire::message m = wire::report_v3{wire::version::igmpv3, {r}};
    const daemon::link_view small{subnets, own4, 1280};
    expect_drop(daemon::check_igmp(packet4(body(m)), small), drop_reason::fragment);
    const daemon::link_view jumbo{subnets, own4, 9000};
    expect_accept(daemon::check_igmp(packet4(body(m)), jumbo));
}

TEST(IntakeIgmp, MalformedOptionsRefused) {
    // Router Alert with length 3 (RFC 2113: always 4).
    auto p = packet4(body(v3_join(group4)));
    p.bytes[21] = 3;
    fix_ip_checksum(p);
    expect_drop(daemon::check_igmp(p, link4), drop_reason::bad_ip_header);
}

TEST(IntakeIgmp, Ipv6SourceRefused) {
    auto p = packet4(body(v3_join(group4)));
    p.source = host6;
    expect_drop(daemon::check_igmp(p, link4), drop_reason::wrong_version);
}

// ---- MLD -----------------------------------------------------------------

TEST(IntakeMld, V2ReportFromLinkLocalAccepted) {
    expect_accept(daemon::check_mld(packet6(mld2_join(group6)), link6));
}

TEST(IntakeMld, V1ReportAccepted) {
    expect_accept(daemon::check_mld(packet6(wire::report_v1v2{wire::version::mldv1, group6}, host6, 1, true, group6),
                                    link6));
}

TEST(IntakeMld, ReportFromUnspecifiedAccepted) {
    // RFC 3810 5.2.13 / RFC 3590: during DAD.
    expect_accept(daemon::check_mld(packet6(mld2_join(group6), a("::")), link6));
}

TEST(IntakeMld, DoneFromUnspecifiedRefused) {
    expect_drop(daemon::check_mld(packet6(wire::leave{wire::version::mldv1, group6}, a("::"), 1, true,
                                          a("ff02::2")),
                                  link6),
                drop_reason::not_link_local_source);
}

TEST(IntakeMld, QueryFromUnspecifiedRefused) {
    // RFC 3810 5.1.14: MUST silently discard.
    const wire::query q = query_of(wire::version::mldv2, a("::"));
    expect_drop(daemon::check_mld(packet6(q, a("::"), 1, true, a("ff02::1")), link6),
                drop_reason::not_link_local_source);
}

TEST(IntakeMld, ReportFromGlobalSourceRefused) {
    expect_drop(daemon::check_mld(packet6(mld2_join(group6), a("2001:db8::20")), link6),
                drop_reason::not_link_local_source);
}

TEST(IntakeMld, QueryFromGlobalSourceRefused) {
    const wire::query q = query_of(wire::version::mldv2, a("::"));
    expect_drop(daemon::check_mld(packet6(q, a("2001:db8::1"), 1, true, a("ff02::1")), link6),
                drop_reason::not_link_local_source);
}

TEST(IntakeMld, HopLimitNotOneRefused) {
    expect_drop(daemon::check_mld(packet6(mld2_join(group6), host6, 2), link6), drop_reason::bad_ttl);
    expect_drop(daemon::check_mld(packet6(mld2_join(group6), host6, 255), link6), drop_reason::bad_ttl);
}

TEST(IntakeMld, UnknownHopLimitRefused) {
    expect_drop(daemon::check_mld(packet6(mld2_join(group6), host6, -1), link6), drop_reason::bad_ttl);
}

TEST(IntakeMld, NoRouterAlertRefused) {
    expect_drop(daemon::check_mld(packet6(mld2_join(group6), host6, 1, false), link6),
                drop_reason::no_router_alert);
    expect_drop(daemon::check_mld(packet6(wire::report_v1v2{wire::version::mldv1, group6}, host6, 1, false, group6),
                                  link6),
                drop_reason::no_router_alert);
}

TEST(IntakeMld, OwnMessageRefused) {
    const wire::query q = query_of(wire::version::mldv2, a("::"));
    expect_drop(daemon::check_mld(packet6(q, own6[0], 1, true, a("ff02::1")), link6), drop_reason::own_message);
}

TEST(IntakeMld, BadChecksumRefused) {
    auto p = packet6(mld2_join(group6));
    p.bytes[2] ^= 0x11;
    expect_drop(daemon::check_mld(p, link6), drop_reason::bad_checksum);
}

TEST(IntakeMld, TruncatedRefused) {
    auto p = packet6(mld2_join(group6));
    p.bytes.resize(6);
    expect_drop(daemon::check_mld(p, link6), drop_reason::truncated);
}

TEST(IntakeMld, LyingRecordCountRefused) {
    auto p = packet6(mld2_join(group6));
    p.bytes[7] = 9;
    p.bytes[2] = p.bytes[3] = 0;
    const std::uint16_t c = wire::icmpv6_checksum(p.source, p.destination, p.bytes);
    p.bytes[2] = static_cast<std::uint8_t>(c >> 8);
    p.bytes[3] = static_cast<std::uint8_t>(c);
    expect_drop(daemon::check_mld(p, link6), drop_reason::bad_count);
}

TEST(IntakeMld, ReassembledLargerThanMtuRefused) {
    wire::group_record r{wire::record_type::mode_is_exclude, group6, {}, {}};
    std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
    for (std::uint8_t i = 0; i < 100; ++i) {
        b[15] = i;
        r.sources.push_back(net::address::v6(b));
    }
    const wire::message m = wire::report_v3{wire::version::mldv2, {r}};  // 8 + 20 + 1600 bytes
    expect_drop(daemon::check_mld(packet6(m), link6), drop_reason::fragment);
    expect_accept(daemon::check_mld(packet6(m), daemon::link_view{{}, own6, 9000}));
}

TEST(IntakeMld, Ipv4SourceRefused) {
    auto p = packet6(mld2_join(group6));
    p.source = host4;
    expect_drop(daemon::check_mld(p, link6), drop_reason::wrong_version);
}

// ---- the configured policy (accept-off-link-reports) -----------------------

namespace {

// The intake policy of each downstream as the daemon derives it from the file.
std::map<std::string, daemon::intake_policy> policies(const std::string& text) {
    auto r = config::parse_text(text, "t.conf");
    EXPECT_TRUE(r.ok()) << config::to_string(r.errors);
    std::map<std::string, daemon::intake_policy> out;
    if (!r.ok()) return out;
    for (const auto& c : daemon::number_interfaces(r.config->instances.at(0))) out[c.name] = c.intake;
    return out;
}

}  // namespace

TEST(IntakePolicy, OffLinkReportDroppedByDefault) {
    auto p = policies("protocol IGMPv3;\npinstance a: up0 ==> dn1 dn2;\n");
    for (const char* name : {"up0", "dn1", "dn2"}) {
        ASSERT_TRUE(p.count(name)) << name;
        EXPECT_TRUE(p[name].require_on_link_source) << name;
        expect_drop(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = a("192.0.2.77")}), link4, p[name]),
                    drop_reason::off_link_source);
    }
}

TEST(IntakePolicy, OffLinkReportAcceptedOnlyWhereConfigured) {
    auto p = policies("protocol IGMPv2;\npinstance a: up0 ==> dn1 dn2;\n"
                      "pinstance a downstream dn2 accept-off-link-reports;\n");
    const auto v2_join = wire::report_v1v2{wire::version::igmpv2, group4};
    const auto v2_leave = wire::leave{wire::version::igmpv2, group4};
    const ip4 off_link{.src = a("192.0.2.77"), .dst = group4};
    const ip4 off_link_leave{.src = a("192.0.2.77"), .dst = a("224.0.0.2")};
    // dn1 keeps the check (RFC 3376 9.2).
    expect_drop(daemon::check_igmp(packet4(body(v2_join), off_link), link4, p["dn1"]), drop_reason::off_link_source);
    expect_drop(daemon::check_igmp(packet4(body(v2_leave), off_link_leave), link4, p["dn1"]),
                drop_reason::off_link_source);
    // dn2 accepts reports and leaves from off-link sources...
    auto r = daemon::check_igmp(packet4(body(v2_join), off_link), link4, p["dn2"]);
    ASSERT_TRUE(r.msg.has_value()) << "dropped as " << daemon::to_string(r.reason);
    EXPECT_EQ(std::get<wire::report_v1v2>(*r.msg).group, group4);
    expect_accept(daemon::check_igmp(packet4(body(v2_leave), off_link_leave), link4, p["dn2"]));
    // ...but every other check still applies there.
    expect_drop(daemon::check_igmp(packet4(body(v2_join), {.src = a("192.0.2.77"), .dst = group4, .ttl = 2}), link4,
                                   p["dn2"]),
                drop_reason::bad_ttl);
    expect_drop(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = a("192.0.2.77"), .router_alert = false}),
                                   link4, p["dn2"]),
                drop_reason::no_router_alert);
    expect_drop(daemon::check_igmp(packet4(body(v3_join(group4)), {.src = own4[0]}), link4, p["dn2"]),
                drop_reason::own_message);
    // The upstream is not a downstream: it keeps the default.
    EXPECT_TRUE(p["up0"].require_on_link_source);
}

TEST(IntakePolicy, StarDefaultAndPerInterfaceOverride) {
    auto p = policies("protocol IGMPv3;\npinstance a: up0 ==> dn1 dn2;\n"
                      "pinstance a downstream * accept-off-link-reports;\n"
                      "pinstance a downstream dn1 no-accept-off-link-reports;\n");
    const ip4 off_link{.src = a("203.0.113.50")};
    expect_drop(daemon::check_igmp(packet4(body(v3_join(group4)), off_link), link4, p["dn1"]),
                drop_reason::off_link_source);
    expect_accept(daemon::check_igmp(packet4(body(v3_join(group4)), off_link), link4, p["dn2"]));
}

TEST(IntakePolicy, MldKeepsTheLinkLocalRequirement) {
    // In an MLD instance the key is accepted with a warning, and changes
    // nothing: RFC 3810 5.2.13 / 7.4 reports come from link-local sources.
    auto p = policies("protocol MLDv2;\npinstance a: up0 ==> dn1;\npinstance a downstream dn1 accept-off-link-reports;\n");
    expect_drop(daemon::check_mld(packet6(mld2_join(group6), a("2001:db8::20")), link6, p["dn1"]),
                drop_reason::not_link_local_source);
    expect_accept(daemon::check_mld(packet6(mld2_join(group6)), link6, p["dn1"]));
}
