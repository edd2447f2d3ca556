// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/ipv4_header.hpp"

#include <gtest/gtest.h>

#include "mcproxy/wire/igmp_codec.hpp"
#include "scapy_vectors.hpp"
#include "test_util.hpp"

using namespace mcproxy::wire;
using wire_test::A;
using wire_test::vec;

namespace {
// Re-checksums the IPv4 header of `p` (header length from IHL).
void fix_ip(std::vector<std::uint8_t>& p) {
    const std::size_t ihl = 4u * (p[0] & 0x0F);
    p[10] = p[11] = 0;
    const auto c = internet_checksum(std::span<const std::uint8_t>(p).first(ihl));
    p[10] = static_cast<std::uint8_t>(c >> 8);
    p[11] = static_cast<std::uint8_t>(c & 0xFF);
}
}  // namespace

TEST(Ipv4Header, ParsesScapyPacketWithRouterAlert) {
    const auto p = vec(scapy_vectors::ipv4_igmpv3_report);
    auto r = parse_ipv4(p);
    ASSERT_TRUE(r.ok()) << to_string(r.err());
    EXPECT_EQ(r->src, A("192.0.2.1"));
    EXPECT_EQ(r->dst, A("224.0.0.22"));
    EXPECT_EQ(r->ttl, 1);
    EXPECT_EQ(r->tos, 0xC0);
    EXPECT_TRUE(r->router_alert);
    ASSERT_EQ(r->payload.size(), 16u);
    EXPECT_EQ(r->payload.data(), p.data() + 24);
    auto m = decode_igmp(r->payload);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(std::get<report_v3>(*m).records.at(0).type, record_type::change_to_exclude);
}

TEST(Ipv4Header, ParsesScapyPacketWithoutOptions) {
    auto r = parse_ipv4(scapy_vectors::ipv4_igmpv2_report_no_ra);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->router_alert);
    EXPECT_EQ(r->src, A("198.51.100.7"));
    EXPECT_EQ(r->payload.size(), 8u);
}

TEST(Ipv4Header, BuildMatchesScapy) {
    const auto report = vec(scapy_vectors::ipv4_igmpv3_report);
    const std::span<const std::uint8_t> payload = std::span(report).subspan(24);
    std::vector<std::uint8_t> out;
    ipv4_build h;
    h.src = A("192.0.2.1");
    h.dst = A("224.0.0.22");
    ASSERT_FALSE(build_ipv4(h, payload, out));
    EXPECT_EQ(out, report);

    const auto plain = vec(scapy_vectors::ipv4_igmpv2_report_no_ra);
    ipv4_build h2;
    h2.src = A("198.51.100.7");
    h2.dst = A("239.1.2.3");
    h2.tos = 0;
    h2.id = 0x1234;
    h2.router_alert = false;
    ASSERT_FALSE(build_ipv4(h2, std::span(plain).subspan(20), out));
    out[6] = 0;  // scapy built it without DF
    out[10] = out[11] = 0;
    fix_ip(out);
    EXPECT_EQ(out, plain);
}

TEST(Ipv4Header, BuildRejectsBadInput) {
    std::vector<std::uint8_t> out;
    ipv4_build h;
    h.src = A("fe80::1");
    h.dst = A("224.0.0.1");
    EXPECT_EQ(build_ipv4(h, {}, out), error::wrong_family);
    h.src = A("192.0.2.1");
    const std::vector<std::uint8_t> big(65535 - 23, 0);
    EXPECT_EQ(build_ipv4(h, big, out), error::bad_length);
    const std::vector<std::uint8_t> fits(65535 - 24, 0);
    EXPECT_FALSE(build_ipv4(h, fits, out));
    EXPECT_EQ(out.size(), 65535u);
}

TEST(Ipv4Header, EveryTruncationIsRejected) {
    const auto p = vec(scapy_vectors::ipv4_igmpv3_report);
    for (std::size_t n = 0; n < p.size(); ++n) {
        const std::vector<std::uint8_t> cut(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n));
        const auto r = parse_ipv4(cut);
        ASSERT_FALSE(r.ok()) << n;
        EXPECT_EQ(r.err(), error::truncated) << n;
    }
}

TEST(Ipv4Header, PaddingAfterTotalLengthIsCutOff) {
    auto p = vec(scapy_vectors::ipv4_igmpv2_report_no_ra);
    p.insert(p.end(), 18, 0);  // Ethernet minimum frame padding
    auto r = parse_ipv4(p);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->payload.size(), 8u);
}

TEST(Ipv4Header, RejectsMalformedHeaders) {
    const auto good = vec(scapy_vectors::ipv4_igmpv3_report);
    auto p = good;
    p[0] = 0x66;  // version 6
    fix_ip(p);
    EXPECT_EQ(parse_ipv4(p).err(), error::bad_ip_header);
    p = good;
    p[0] = 0x44;  // IHL 4
    EXPECT_EQ(parse_ipv4(p).err(), error::bad_ip_header);
    p = good;
    p[0] = 0x4F;  // IHL 15 = 60 bytes > 40 available
    EXPECT_EQ(parse_ipv4(p).err(), error::truncated);
    p = good;
    p[3] = 20;  // total length shorter than the 24-byte header
    fix_ip(p);
    EXPECT_EQ(parse_ipv4(p).err(), error::bad_ip_header);
    p = good;
    p[3] = 41;  // one more than the buffer
    fix_ip(p);
    EXPECT_EQ(parse_ipv4(p).err(), error::truncated);
    p = good;
    p[12] ^= 1;  // header checksum
    EXPECT_EQ(parse_ipv4(p).err(), error::bad_checksum);
    p = good;
    p[9] = 17;  // UDP
    fix_ip(p);
    EXPECT_EQ(parse_ipv4(p).err(), error::wrong_protocol);
    p = good;
    p[8] = 1;   // like a kernel upcall (struct igmpmsg): message type over TTL,
    p[9] = 0;   // protocol 0, header checksum not repaired
    EXPECT_EQ(parse_ipv4(p).err(), error::wrong_protocol);
}

TEST(Ipv4Header, RejectsFragments) {
    const auto good = vec(scapy_vectors::ipv4_igmpv3_report);
    for (int frag : {0x2000, 0x0001, 0x1FFF, 0x6000, 0x4001}) {  // MF, offsets, DF+MF, DF+offset
        auto p = good;
        p[6] = static_cast<std::uint8_t>(frag >> 8);
        p[7] = static_cast<std::uint8_t>(frag & 0xFF);
        fix_ip(p);
        EXPECT_EQ(parse_ipv4(p).err(), error::fragment) << frag;
    }
}

TEST(Ipv4Header, OptionParsing) {
    const auto good = vec(scapy_vectors::ipv4_igmpv3_report);  // options: 94 04 00 00
    struct row {
        std::array<std::uint8_t, 4> opt;
        bool ok;
        bool ra;
    };
    const row rows[] = {
        {{0x94, 0x04, 0x00, 0x00}, true, true},    // RFC 2113 Router Alert
        {{0x94, 0x04, 0x00, 0x01}, true, false},   // reserved value: not "examine"
        {{0x01, 0x94, 0x04, 0x00}, false, false},  // NOP then RA overrunning the header
        {{0x01, 0x01, 0x01, 0x00}, true, false},   // NOPs, EOL
        {{0x00, 0x94, 0x04, 0x00}, true, false},   // EOL ends the list before RA
        {{0x94, 0x03, 0x00, 0x01}, false, false},  // RA with length 3
        {{0x07, 0x01, 0x00, 0x00}, false, false},  // option length below 2
        {{0x07, 0x05, 0x00, 0x00}, false, false},  // option length beyond header
        {{0x88, 0x04, 0x12, 0x34}, true, false},   // some other option (stream id)
        {{0x01, 0x01, 0x01, 0x07}, false, false},  // option type without length byte
    };
    for (const auto& r : rows) {
        auto p = good;
        std::copy(r.opt.begin(), r.opt.end(), p.begin() + 20);
        fix_ip(p);
        const auto res = parse_ipv4(p);
        EXPECT_EQ(res.ok(), r.ok) << int(r.opt[0]) << " " << int(r.opt[1]);
        if (res.ok()) EXPECT_EQ(res->router_alert, r.ra) << int(r.opt[0]);
        else EXPECT_EQ(res.err(), error::bad_ip_header);
    }
}
