// SPDX-License-Identifier: GPL-2.0-or-later
// MLD codec against packets built by scapy (see scapy_vectors.hpp): our
// decode must give the fields scapy set, our encode the bytes scapy built,
// checksum over the IPv6 pseudo-header included.
#include "mcproxy/wire/mld_codec.hpp"

#include <gtest/gtest.h>

#include "scapy_vectors.hpp"
#include "test_util.hpp"

using namespace mcproxy::wire;
using namespace std::chrono_literals;
using mcproxy::net::address;
using wire_test::A;

namespace {

template <class Bytes>
void check_both_ways(const Bytes& bytes, const char* src, const char* dst, const message& expected) {
    auto got = decode_mld(bytes, A(src), A(dst));
    ASSERT_TRUE(got.ok()) << to_string(got.err());
    EXPECT_EQ(*got, expected);
    auto unverified = decode_mld(bytes, address{}, address{}, checksum_check::skip);
    ASSERT_TRUE(unverified.ok());
    EXPECT_EQ(*unverified, expected);
    const auto enc = encode_mld(expected, A(src), A(dst));
    ASSERT_TRUE(enc.ok()) << to_string(enc.err());
    EXPECT_EQ(*enc, wire_test::vec(bytes));
}

}  // namespace

TEST(MldCodec, V1GeneralQuery) {
    query q;
    q.ver = version::mldv1;
    q.group = A("::");
    q.max_resp = 10s;  // RFC 2710 3.4: milliseconds, linear
    check_both_ways(scapy_vectors::mldv1_query, "fe80::1", "ff02::1", q);
}

TEST(MldCodec, V1GroupQuery) {
    query q;
    q.ver = version::mldv1;
    q.group = A("ff05::1:3");
    q.max_resp = 1s;
    check_both_ways(scapy_vectors::mldv1_group_query, "fe80::1", "ff05::1:3", q);
}

TEST(MldCodec, V1Report) {
    check_both_ways(scapy_vectors::mldv1_report, "fe80::2", "ff05::1:3", report_v1v2{version::mldv1, A("ff05::1:3")});
}

TEST(MldCodec, V1Done) {
    check_both_ways(scapy_vectors::mldv1_done, "fe80::2", "ff02::2", leave{version::mldv1, A("ff05::1:3")});
}

TEST(MldCodec, V2GeneralQuery) {
    query q;
    q.ver = version::mldv2;
    q.group = A("::");
    q.max_resp = 10s;
    q.qrv = 2;
    q.qqi = 125s;
    check_both_ways(scapy_vectors::mldv2_general_query, "fe80::1", "ff02::1", q);
}

TEST(MldCodec, V2GroupAndSourceQueryWithFloatCodes) {
    query q;
    q.ver = version::mldv2;
    q.group = A("ff3e::1234");
    q.max_resp = std::chrono::milliseconds{(0x123 | 0x1000) << 3};  // 0x8123: exp 0, mant 0x123
    q.s_flag = true;
    q.qrv = 7;
    q.qqi = std::chrono::seconds{(0x1 | 0x10) << 4};  // 0x91
    q.sources = {A("2001:db8::1"), A("2001:db8::2")};
    check_both_ways(scapy_vectors::mldv2_group_source_query, "fe80::1", "ff3e::1234", q);
}

TEST(MldCodec, V2ReportWithAllSixRecordTypesAndAuxData) {
    report_v3 r;
    r.ver = version::mldv2;
    r.records = {
        {record_type::mode_is_include, A("ff3e::1234"), {A("2001:db8::1")}, {}},
        {record_type::change_to_exclude, A("ff05::1"), {}, {}},
        {record_type::allow_new_sources, A("ff05::2"), {A("2001:db8::a"), A("2001:db8::b")}, {1, 2, 3, 4}},
        {record_type::block_old_sources, A("ff3e::5"), {A("2001:db8::c")}, {}},
        {record_type::mode_is_exclude, A("ff05::3"), {}, {}},
        {record_type::change_to_include, A("ff05::4"), {A("2001:db8::d")}, {}},
    };
    check_both_ways(scapy_vectors::mldv2_report, "fe80::2", "ff02::16", r);
}

TEST(MldCodec, AuxDataLengthCountsWordsNotBytes) {
    // scapy 2.5.0's default auxdata_len is in bytes (4); RFC 3810 5.2.6 says
    // 32-bit words, so this record claims 16 bytes of aux data and only 4 follow.
    const auto r = decode_mld(scapy_vectors::mldv2_report_scapy_aux_in_bytes, A("fe80::2"), A("ff02::16"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err(), error::bad_count);
}

TEST(MldCodec, ChecksumDependsOnAddresses) {
    const auto& m = scapy_vectors::mldv2_report;
    EXPECT_EQ(decode_mld(m, A("fe80::3"), A("ff02::16")).err(), error::bad_checksum);
    EXPECT_EQ(decode_mld(m, A("fe80::2"), A("ff02::1")).err(), error::bad_checksum);
    EXPECT_EQ(decode_mld(m, A("192.0.2.1"), A("ff02::16")).err(), error::bad_checksum);
    EXPECT_TRUE(decode_mld(m, A("fe80::3"), A("ff02::1"), checksum_check::skip).ok());
}

TEST(MldCodec, EncodeRules) {
    query q;
    q.ver = version::mldv1;
    q.group = A("ff05::1");
    q.max_resp = 100s;  // above 65535 ms: clamped (v1 has no floating point)
    auto enc = encode_mld(q, A("fe80::1"), A("ff05::1"));
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ((*enc)[4], 0xFF);
    EXPECT_EQ((*enc)[5], 0xFF);
    q.ver = version::mldv2;
    q.qrv = 8;  // RFC 3810 5.1.8: above 7 is sent as 0
    q.s_flag = true;
    enc = encode_mld(q, A("fe80::1"), A("ff05::1"));
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ((*enc)[24], 0x08);
    EXPECT_EQ((*enc)[4], 0x98);  // 100000 ms = 0x186A << 4: exp 1, mant 0x86A
    EXPECT_EQ((*enc)[5], 0x6A);
}

TEST(MldCodec, EncodeRejectsWhatIsNotMld) {
    const auto s = A("fe80::1");
    const auto d = A("ff02::16");
    query q;
    q.ver = version::igmpv3;
    q.group = A("ff05::1");
    EXPECT_EQ(encode_mld(q, s, d).err(), error::wrong_version);
    q.ver = version::mldv2;
    q.group = A("239.1.1.1");
    EXPECT_EQ(encode_mld(q, s, d).err(), error::wrong_family);
    q.group = A("ff05::1");
    EXPECT_EQ(encode_mld(q, A("192.0.2.1"), d).err(), error::wrong_family);
    q.sources.assign(5000, A("2001:db8::1"));
    EXPECT_EQ(encode_mld(q, s, d).err(), error::too_many_sources);
    q.ver = version::mldv1;
    q.sources = {A("2001:db8::1")};
    EXPECT_EQ(encode_mld(q, s, d).err(), error::wrong_version);
    EXPECT_EQ(encode_mld(leave{version::igmpv2, A("ff05::1")}, s, d).err(), error::wrong_version);
    EXPECT_EQ(encode_mld(report_v1v2{version::igmpv2, A("ff05::1")}, s, d).err(), error::wrong_version);
    EXPECT_EQ(encode_mld(report_v1v2{version::mldv1, A("239.1.1.1")}, s, d).err(), error::wrong_family);
    EXPECT_EQ(encode_mld(report_v3{version::igmpv3, {}}, s, d).err(), error::wrong_version);
    report_v3 r{version::mldv2, {{record_type::mode_is_include, A("ff05::1"), {}, {1}}}};
    EXPECT_EQ(encode_mld(r, s, d).err(), error::bad_aux_data);
    r.records[0].aux_data.clear();
    r.records[0].sources.assign(4096, A("2001:db8::1"));  // 64 KiB + headers
    EXPECT_EQ(encode_mld(r, s, d).err(), error::too_many_sources);
    r.records[0].sources = {A("239.1.1.1")};
    EXPECT_EQ(encode_mld(r, s, d).err(), error::wrong_family);
}

// RFC 3810 5.2.11: additional octets count in the checksum (scapy agrees,
// pseudo-header length included) and are otherwise ignored.
TEST(MldCodec, ScapyTrailingOddBytesCheckedAndIgnored) {
    const auto r = decode_mld(scapy_vectors::mldv2_report_trailing_odd, A("fe80::2"), A("ff02::16"));
    ASSERT_TRUE(r.ok()) << to_string(r.err());
    const report_v3 want{version::mldv2, {{record_type::change_to_exclude, A("ff05::1"), {}, {}}}};
    EXPECT_EQ(*r, message{want});
    const auto enc = encode_mld(*r, A("fe80::2"), A("ff02::16"));
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(enc->size(), 28u);
}

TEST(MldCodec, LargestMessagesRoundTrip) {
    const auto s = A("fe80::1");
    const auto d = A("ff02::16");
    // 8 + 20 + 16 * 4093 = 65516 <= 65535 - 8 (hop-by-hop header).
    report_v3 r{version::mldv2, {{record_type::allow_new_sources, A("ff3e::1"), {}, {}}}};
    r.records[0].sources.assign(4093, A("2001:db8::1"));
    auto enc = encode_mld(r, s, d);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(enc->size(), 65516u);
    auto dec = decode_mld(*enc, s, d);
    ASSERT_TRUE(dec.ok());
    EXPECT_EQ(*dec, message{r});
    r.records[0].sources.push_back(A("2001:db8::2"));
    EXPECT_EQ(encode_mld(r, s, d).err(), error::too_many_sources);
}
