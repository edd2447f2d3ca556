// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/ipv6_header.hpp"

#include <gtest/gtest.h>

#include "mcproxy/wire/mld_codec.hpp"
#include "scapy_vectors.hpp"
#include "test_util.hpp"

using namespace mcproxy::wire;
using wire_test::A;
using wire_test::vec;

TEST(Ipv6Header, ParsesScapyMldPacket) {
    const auto p = vec(scapy_vectors::mldv2_report_packet);
    auto r = parse_ipv6(p);
    ASSERT_TRUE(r.ok()) << to_string(r.err());
    EXPECT_EQ(r->src, A("fe80::2"));
    EXPECT_EQ(r->dst, A("ff02::16"));
    EXPECT_EQ(r->hop_limit, 1);
    EXPECT_EQ(r->traffic_class, 0);
    ASSERT_TRUE(r->router_alert);
    EXPECT_EQ(*r->router_alert, router_alert_mld);
    EXPECT_EQ(r->payload.data(), p.data() + 48);
    EXPECT_EQ(vec(r->payload), vec(scapy_vectors::mldv2_report));
    auto m = decode_mld(r->payload, r->src, r->dst);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(std::get<report_v3>(*m).records.size(), 6u);
}

TEST(Ipv6Header, BuildMatchesScapyForEveryMldVector) {
    struct row {
        std::vector<std::uint8_t> packet;
        std::vector<std::uint8_t> icmp;
    };
    const row rows[] = {
        {vec(scapy_vectors::mldv1_query_packet), vec(scapy_vectors::mldv1_query)},
        {vec(scapy_vectors::mldv1_report_packet), vec(scapy_vectors::mldv1_report)},
        {vec(scapy_vectors::mldv1_done_packet), vec(scapy_vectors::mldv1_done)},
        {vec(scapy_vectors::mldv2_general_query_packet), vec(scapy_vectors::mldv2_general_query)},
        {vec(scapy_vectors::mldv2_group_source_query_packet), vec(scapy_vectors::mldv2_group_source_query)},
        {vec(scapy_vectors::mldv2_report_packet), vec(scapy_vectors::mldv2_report)},
    };
    for (const auto& r : rows) {
        auto info = parse_ipv6(r.packet);
        ASSERT_TRUE(info.ok());
        ipv6_build h;
        h.src = info->src;
        h.dst = info->dst;
        std::vector<std::uint8_t> out;
        ASSERT_FALSE(build_ipv6(h, r.icmp, out));
        EXPECT_EQ(out, r.packet);
        // And our MLD encoder agrees with the scapy ICMPv6 bytes decoded from it.
        auto m = decode_mld(info->payload, info->src, info->dst);
        ASSERT_TRUE(m.ok());
        auto enc = encode_mld(*m, info->src, info->dst);
        ASSERT_TRUE(enc.ok());
        EXPECT_EQ(*enc, r.icmp);
    }
}

TEST(Ipv6Header, HopByHopAlone) {
    const auto p = vec(scapy_vectors::mldv1_done_packet);
    const auto hbh = std::span<const std::uint8_t>(p).subspan(40, 8);
    auto h = parse_hop_by_hop(hbh);
    ASSERT_TRUE(h.ok());
    EXPECT_EQ(h->next_header, ip_proto_icmpv6);
    EXPECT_EQ(h->length, 8u);
    EXPECT_EQ(h->router_alert, std::optional<std::uint16_t>{0});
    std::vector<std::uint8_t> built;
    append_hop_by_hop_router_alert(ip_proto_icmpv6, router_alert_mld, built);
    EXPECT_EQ(built, vec(hbh));
}

TEST(Ipv6Header, HopByHopOptionTable) {
    struct row {
        std::array<std::uint8_t, 6> opts;  // after next-header and length bytes
        bool ok;
        std::optional<std::uint16_t> ra;
    };
    const row rows[] = {
        {{0x05, 0x02, 0x00, 0x00, 0x01, 0x00}, true, 0},          // RA (MLD) + PadN
        {{0x05, 0x02, 0x00, 0x02, 0x01, 0x00}, true, 2},          // RA value 2 (active networks)
        {{0x00, 0x00, 0x05, 0x02, 0x00, 0x00}, true, 0},          // Pad1 Pad1 RA
        {{0x01, 0x04, 0x00, 0x00, 0x00, 0x00}, true, std::nullopt},  // PadN only
        {{0x05, 0x03, 0x00, 0x00, 0x00, 0x00}, false, std::nullopt}, // RA length 3
        {{0x01, 0x05, 0x00, 0x00, 0x00, 0x00}, false, std::nullopt}, // PadN overruns header
        {{0x01, 0x02, 0x00, 0x00, 0x00, 0xC2}, false, std::nullopt}, // type without length byte
        {{0xC2, 0x04, 0x00, 0x00, 0x00, 0x00}, true, std::nullopt},  // jumbo-like unknown option: skipped
    };
    for (const auto& r : rows) {
        std::vector<std::uint8_t> h{58, 0};
        h.insert(h.end(), r.opts.begin(), r.opts.end());
        const auto res = parse_hop_by_hop(h);
        EXPECT_EQ(res.ok(), r.ok) << int(r.opts[0]) << "," << int(r.opts[1]);
        if (res.ok()) EXPECT_EQ(res->router_alert, r.ra);
        else EXPECT_EQ(res.err(), error::bad_ext_header);
    }
    const std::vector<std::uint8_t> longer{58, 1, 0x05, 0x02, 0, 0, 0x01, 0x00};  // says 16 bytes, has 8
    EXPECT_EQ(parse_hop_by_hop(longer).err(), error::bad_ext_header);
    EXPECT_EQ(parse_hop_by_hop(std::span<const std::uint8_t>(longer).first(1)).err(), error::bad_ext_header);
}

TEST(Ipv6Header, EveryTruncationIsRejected) {
    const auto p = vec(scapy_vectors::mldv1_report_packet);
    for (std::size_t n = 0; n < p.size(); ++n) {
        const std::vector<std::uint8_t> cut(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_EQ(parse_ipv6(cut).err(), error::truncated) << n;
    }
}

TEST(Ipv6Header, HeaderChain) {
    const auto good = vec(scapy_vectors::mldv1_report_packet);
    auto p = good;
    p[0] = 0x45;
    EXPECT_EQ(parse_ipv6(p).err(), error::bad_ip_header);

    p = good;
    p[40] = 44;  // HBH followed by a fragment header
    EXPECT_EQ(parse_ipv6(p).err(), error::fragment);
    p[40] = 17;  // UDP
    EXPECT_EQ(parse_ipv6(p).err(), error::wrong_protocol);
    p[40] = 59;  // no next header
    EXPECT_EQ(parse_ipv6(p).err(), error::wrong_protocol);
    p[40] = 0;  // a second hop-by-hop header (RFC 8200 4.1: only first)
    EXPECT_EQ(parse_ipv6(p).err(), error::bad_ext_header);
    p[40] = 60;  // destination options: the MLD message read as one (8 bytes) chains to 131
    EXPECT_EQ(parse_ipv6(p).err(), error::wrong_protocol);
    p[40] = 43;  // routing header, same
    EXPECT_EQ(parse_ipv6(p).err(), error::wrong_protocol);
    p[49] = 5;  // now it claims 48 bytes, only 24 there
    EXPECT_EQ(parse_ipv6(p).err(), error::bad_ext_header);

    // Without hop-by-hop: plain ICMPv6, no router alert.
    std::vector<std::uint8_t> out;
    ipv6_build h;
    h.src = A("fe80::2");
    h.dst = A("ff05::1:3");
    h.router_alert = false;
    h.traffic_class = 0xAB;
    ASSERT_FALSE(build_ipv6(h, scapy_vectors::mldv1_report, out));
    auto r = parse_ipv6(out);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->router_alert);
    EXPECT_EQ(r->traffic_class, 0xAB);
    EXPECT_EQ(r->payload.size(), 24u);

    // HBH, destination options, ICMPv6: skipped to the upper layer.
    std::vector<std::uint8_t> chain(good.begin(), good.begin() + 48);
    chain[40] = 60;
    chain.insert(chain.end(), {58, 0, 0x01, 0x04, 0, 0, 0, 0});
    chain.insert(chain.end(), scapy_vectors::mldv1_report.begin(), scapy_vectors::mldv1_report.end());
    chain[5] = static_cast<std::uint8_t>(chain.size() - 40);
    auto c = parse_ipv6(chain);
    ASSERT_TRUE(c.ok()) << to_string(c.err());
    EXPECT_EQ(c->payload.size(), 24u);
    EXPECT_EQ(c->router_alert, std::optional<std::uint16_t>{0});

    // Nine destination options headers in a row: more than we walk.
    std::vector<std::uint8_t> many(good.begin(), good.begin() + 40);
    many[6] = 60;
    for (int i = 0; i < 9; ++i) many.insert(many.end(), {60, 0, 0x01, 0x04, 0, 0, 0, 0});
    many.insert(many.end(), scapy_vectors::mldv1_report.begin(), scapy_vectors::mldv1_report.end());
    many[4] = static_cast<std::uint8_t>((many.size() - 40) >> 8);
    many[5] = static_cast<std::uint8_t>((many.size() - 40) & 0xFF);
    EXPECT_EQ(parse_ipv6(many).err(), error::bad_ext_header);
}

TEST(Ipv6Header, PaddingAfterPayloadLengthIsCutOff) {
    auto p = vec(scapy_vectors::mldv1_report_packet);
    p.insert(p.end(), 6, 0);
    auto r = parse_ipv6(p);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->payload.size(), 24u);
}

TEST(Ipv6Header, BuildRejectsBadInput) {
    std::vector<std::uint8_t> out;
    ipv6_build h;
    h.src = A("192.0.2.1");
    h.dst = A("ff02::1");
    EXPECT_EQ(build_ipv6(h, {}, out), error::wrong_family);
    h.src = A("fe80::1");
    const std::vector<std::uint8_t> big(65535 - 7, 0);
    EXPECT_EQ(build_ipv6(h, big, out), error::bad_length);
}
