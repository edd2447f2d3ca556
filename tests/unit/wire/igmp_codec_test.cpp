// SPDX-License-Identifier: GPL-2.0-or-later
// IGMP codec against packets built by scapy (see scapy_vectors.hpp): our
// decode must give the fields scapy set, our encode the bytes scapy built.
#include "mcproxy/wire/igmp_codec.hpp"

#include <gtest/gtest.h>

#include "scapy_vectors.hpp"
#include "test_util.hpp"

using namespace mcproxy::wire;
using namespace std::chrono_literals;
using wire_test::A;

namespace {

message decode_ok(std::span<const std::uint8_t> b) {
    auto r = decode_igmp(b);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : to_string(r.err()));
    return r.ok() ? *r : message{};
}

// Decodes, compares with `expected`, and checks that encoding gives the same bytes.
template <class Bytes>
void check_both_ways(const Bytes& bytes, const message& expected) {
    const auto got = decode_ok(bytes);
    EXPECT_EQ(got, expected);
    const auto enc = encode_igmp(expected);
    ASSERT_TRUE(enc.ok()) << to_string(enc.err());
    EXPECT_EQ(*enc, wire_test::vec(bytes));
}

}  // namespace

TEST(IgmpCodec, V1QueryIsEightBytesCodeZeroAndMeansTenSeconds) {
    query q;
    q.ver = version::igmpv1;
    q.group = A("0.0.0.0");
    q.max_resp = 10s;  // RFC 2236 4
    check_both_ways(scapy_vectors::igmpv1_query, q);
}

TEST(IgmpCodec, V2GeneralQuery) {
    query q;
    q.ver = version::igmpv2;
    q.group = A("0.0.0.0");
    q.max_resp = 10s;  // mrcode 100 tenths
    check_both_ways(scapy_vectors::igmpv2_general_query, q);
}

TEST(IgmpCodec, V2GroupQueryMaxRespIsLinear) {
    query q;
    q.ver = version::igmpv2;
    q.group = A("239.1.2.3");
    q.max_resp = 25500ms;  // RFC 2236 2.2: 255 tenths, no floating point in v2
    check_both_ways(scapy_vectors::igmpv2_group_query, q);
}

TEST(IgmpCodec, V1Report) {
    check_both_ways(scapy_vectors::igmpv1_report, report_v1v2{version::igmpv1, A("239.1.2.3")});
}

TEST(IgmpCodec, V2Report) {
    check_both_ways(scapy_vectors::igmpv2_report, report_v1v2{version::igmpv2, A("239.1.2.3")});
}

TEST(IgmpCodec, V2Leave) {
    check_both_ways(scapy_vectors::igmpv2_leave, leave{version::igmpv2, A("239.1.2.3")});
}

TEST(IgmpCodec, V3GeneralQuery) {
    query q;
    q.ver = version::igmpv3;
    q.group = A("0.0.0.0");
    q.max_resp = 10s;
    q.qrv = 2;
    q.qqi = 125s;
    check_both_ways(scapy_vectors::igmpv3_general_query, q);
}

TEST(IgmpCodec, V3GroupAndSourceQueryWithFloatCodes) {
    query q;
    q.ver = version::igmpv3;
    q.group = A("232.1.1.1");
    q.max_resp = std::chrono::milliseconds{100 * ((0xA | 0x10) << 3)};  // 0x8A: 26 << 3 tenths
    q.s_flag = true;
    q.qrv = 7;
    q.qqi = std::chrono::seconds{(0x1 | 0x10) << 4};  // 0x91: exp 1 mant 1
    q.sources = {A("198.51.100.1"), A("203.0.113.7")};
    check_both_ways(scapy_vectors::igmpv3_group_source_query, q);
}

TEST(IgmpCodec, V3ReportWithAllSixRecordTypes) {
    report_v3 r;
    r.ver = version::igmpv3;
    r.records = {
        {record_type::mode_is_include, A("232.1.1.1"), {A("198.51.100.1"), A("198.51.100.2")}, {}},
        {record_type::mode_is_exclude, A("239.1.1.1"), {}, {}},
        {record_type::change_to_include, A("239.1.1.2"), {A("192.0.2.9")}, {}},
        {record_type::change_to_exclude, A("239.1.1.3"), {}, {}},
        {record_type::allow_new_sources, A("232.1.1.4"), {A("203.0.113.1")}, {}},
        {record_type::block_old_sources, A("232.1.1.5"), {A("203.0.113.2"), A("203.0.113.3"), A("203.0.113.4")}, {}},
    };
    check_both_ways(scapy_vectors::igmpv3_report, r);
}

TEST(IgmpCodec, V3ReportAuxDataRoundTrips) {
    report_v3 r;
    r.records = {{record_type::mode_is_include, A("232.1.1.1"), {A("198.51.100.1")}, {1, 2, 3, 4, 5, 6, 7, 8}}};
    const auto enc = encode_igmp(r);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(enc->size(), 8u + 8 + 4 + 8);
    EXPECT_EQ((*enc)[9], 2);  // aux data length in 32-bit words
    EXPECT_EQ(decode_ok(*enc), message{r});
}

TEST(IgmpCodec, EncodeReusesBufferAndClearsIt) {
    std::vector<std::uint8_t> buf(100, 0xAA);
    EXPECT_FALSE(encode_igmp(report_v1v2{version::igmpv2, A("239.1.2.3")}, buf));
    EXPECT_EQ(buf, wire_test::vec(scapy_vectors::igmpv2_report));
}

TEST(IgmpCodec, EncodeRulesForQueries) {
    query q;
    q.ver = version::igmpv2;
    q.group = A("239.1.2.3");
    q.max_resp = 50ms;  // below one tenth: still code 1, since 0 would read as IGMPv1
    auto enc = encode_igmp(q);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ((*enc)[1], 1);
    q.max_resp = 100s;  // above 25.5 s: clamped to 255
    enc = encode_igmp(q);
    EXPECT_EQ((*enc)[1], 255);

    q.ver = version::igmpv3;
    q.qrv = 9;  // RFC 3376 4.1.6: robustness above 7 is sent as 0
    q.s_flag = false;
    enc = encode_igmp(q);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ((*enc)[8], 0);
    q.qrv = 3;
    q.s_flag = true;
    enc = encode_igmp(q);
    EXPECT_EQ((*enc)[8], 0x0B);
}

TEST(IgmpCodec, EncodeRejectsWhatIsNotIgmp) {
    query q;
    q.ver = version::mldv2;
    EXPECT_EQ(encode_igmp(q).err(), error::wrong_version);
    q.ver = version::igmpv3;
    q.group = A("ff05::1");
    EXPECT_EQ(encode_igmp(q).err(), error::wrong_family);
    q.group = A("239.1.1.1");
    q.sources = {A("2001:db8::1")};
    EXPECT_EQ(encode_igmp(q).err(), error::wrong_family);
    q.ver = version::igmpv2;
    q.sources = {A("192.0.2.1")};
    EXPECT_EQ(encode_igmp(q).err(), error::wrong_version);  // v2 queries carry no sources
    q.ver = version::igmpv3;
    q.sources.assign(20000, A("192.0.2.1"));
    EXPECT_EQ(encode_igmp(q).err(), error::too_many_sources);

    EXPECT_EQ(encode_igmp(leave{version::igmpv3, A("239.1.1.1")}).err(), error::wrong_version);
    EXPECT_EQ(encode_igmp(leave{version::mldv1, A("239.1.1.1")}).err(), error::wrong_version);
    EXPECT_EQ(encode_igmp(report_v1v2{version::mldv1, A("239.1.1.1")}).err(), error::wrong_version);
    EXPECT_EQ(encode_igmp(report_v1v2{version::igmpv2, A("ff05::1")}).err(), error::wrong_family);
    EXPECT_EQ(encode_igmp(report_v3{version::mldv2, {}}).err(), error::wrong_version);

    report_v3 r;
    r.records = {{record_type::mode_is_include, A("239.1.1.1"), {}, {1, 2, 3}}};
    EXPECT_EQ(encode_igmp(r).err(), error::bad_aux_data);
    r.records[0].aux_data.assign(1024, 0);
    EXPECT_EQ(encode_igmp(r).err(), error::bad_aux_data);
    r.records[0].aux_data.clear();
    r.records[0].sources.assign(17000, A("192.0.2.1"));  // 68 KB: over the IPv4 limit
    EXPECT_EQ(encode_igmp(r).err(), error::too_many_sources);

    std::vector<std::uint8_t> buf{1, 2, 3};
    EXPECT_EQ(encode_igmp(report_v3{version::mldv2, {}}, buf), error::wrong_version);
    EXPECT_TRUE(buf.empty());  // no half-written message on failure
}

TEST(IgmpCodec, EmptyV3ReportRoundTrips) {
    const report_v3 r{version::igmpv3, {}};
    const auto enc = encode_igmp(r);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(enc->size(), 8u);
    EXPECT_EQ(decode_ok(*enc), message{r});
}

// RFC 2236 2.5 / RFC 3376 4.2.11: additional octets count in the checksum
// (scapy agrees) and are otherwise ignored; we never send them.
TEST(IgmpCodec, ScapyTrailingOddBytesCheckedAndIgnored) {
    const auto v2 = decode_ok(scapy_vectors::igmpv2_report_trailing_odd);
    const message want2 = report_v1v2{version::igmpv2, A("239.1.2.3")};
    EXPECT_EQ(v2, want2);
    EXPECT_EQ(*encode_igmp(v2), wire_test::vec(scapy_vectors::igmpv2_report));

    const auto v3 = decode_ok(scapy_vectors::igmpv3_report_trailing_odd);
    const report_v3 want{version::igmpv3, {{record_type::change_to_exclude, A("239.1.1.1"), {}, {}}}};
    EXPECT_EQ(v3, message{want});
    const auto enc = encode_igmp(v3);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(enc->size(), 16u);
    EXPECT_TRUE(decode_igmp(*enc).ok());
}

TEST(IgmpCodec, LargestMessagesRoundTrip) {
    // 8 + 8 + 4 * 16373 = 65508 <= 65535 - 24 (IPv4 header with Router Alert).
    report_v3 r{version::igmpv3, {{record_type::allow_new_sources, A("239.1.1.1"), {}, {}}}};
    r.records[0].sources.assign(16373, A("198.18.0.1"));
    auto enc = encode_igmp(r);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(enc->size(), 65508u);
    EXPECT_EQ(decode_ok(*enc), message{r});
    r.records[0].sources.push_back(A("198.18.0.2"));  // 65512: one word too many
    EXPECT_EQ(encode_igmp(r).err(), error::too_many_sources);

    query q;
    q.ver = version::igmpv3;
    q.group = A("232.1.1.1");
    q.sources.assign((igmp_max_message - 12) / 4, A("198.18.0.1"));
    enc = encode_igmp(q);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(decode_ok(*enc), message{q});
    q.sources.push_back(A("198.18.0.1"));
    EXPECT_EQ(encode_igmp(q).err(), error::too_many_sources);
}
