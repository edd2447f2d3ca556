// SPDX-License-Identifier: GPL-2.0-or-later
// Malformed IGMP: every truncation point, lying counts, bad checksums,
// unknown types, odd lengths. All rejected with the right error.
#include "mcproxy/wire/igmp_codec.hpp"

#include <gtest/gtest.h>

#include "scapy_vectors.hpp"
#include "test_util.hpp"

using namespace mcproxy::wire;
using wire_test::A;
using wire_test::fix_checksum;
using wire_test::vec;

namespace {

// Decodes `m` after repairing its checksum, so the structural check is what is tested.
result<message> decode_fixed(std::vector<std::uint8_t> m) {
    if (m.size() >= 4) fix_checksum(m);
    return decode_igmp(m);
}

std::vector<std::uint8_t> first(const std::vector<std::uint8_t>& v, std::size_t n) {
    return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace

TEST(IgmpMalformed, ShorterThanEightBytesIsTruncated) {
    const auto m = vec(scapy_vectors::igmpv2_report);
    for (std::size_t n = 0; n < 8; ++n) {
        auto r = decode_fixed(first(m, n));
        ASSERT_FALSE(r.ok()) << n;
        EXPECT_EQ(r.err(), error::truncated) << n;
    }
}

TEST(IgmpMalformed, EveryTruncationOfV3ReportIsRejected) {
    const auto m = vec(scapy_vectors::igmpv3_report);
    for (std::size_t n = 8; n < m.size(); ++n) {
        auto r = decode_fixed(first(m, n));
        ASSERT_FALSE(r.ok()) << n;
        EXPECT_EQ(r.err(), error::bad_count) << n;
    }
}

TEST(IgmpMalformed, EveryTruncationOfV3QueryByLength) {
    const auto m = vec(scapy_vectors::igmpv3_group_source_query);
    // RFC 3376 7.1: 8 bytes with a non-zero code is a (valid) IGMPv2 query.
    auto r8 = decode_fixed(first(m, 8));
    ASSERT_TRUE(r8.ok());
    EXPECT_EQ(std::get<query>(*r8).ver, version::igmpv2);
    for (std::size_t n = 9; n < 12; ++n) EXPECT_EQ(decode_fixed(first(m, n)).err(), error::bad_length) << n;
    for (std::size_t n = 12; n < m.size(); ++n) EXPECT_EQ(decode_fixed(first(m, n)).err(), error::bad_count) << n;
}

TEST(IgmpMalformed, LyingSourceCountInQuery) {
    auto m = vec(scapy_vectors::igmpv3_group_source_query);
    m[11] = 3;  // says 3, carries 2
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
    m[10] = 0xFF;
    m[11] = 0xFF;  // huge count
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
    m[10] = 0;
    m[11] = 1;  // says fewer: the rest is ignored additional data (RFC 3376 4.1.10)
    auto r = decode_fixed(m);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(std::get<query>(*r).sources, (std::vector{A("198.51.100.1")}));
}

TEST(IgmpMalformed, GeneralQueryWithSourcesIsRejected) {
    auto m = vec(scapy_vectors::igmpv3_group_source_query);
    m[4] = m[5] = m[6] = m[7] = 0;  // group 0.0.0.0 but 2 sources (RFC 3376 4.1.8)
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
}

TEST(IgmpMalformed, LyingCountsInReport) {
    const auto good = vec(scapy_vectors::igmpv3_report);
    auto m = good;
    m[7] = 7;  // 7 records announced, 6 present
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
    m = good;
    m[6] = 0xFF;
    m[7] = 0xFF;
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
    m = good;
    m[10] = 0xFF;  // first record: 0xFF02 sources
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
    m = good;
    m[9] = 0xFF;  // first record: 1020 bytes of aux data that are not there
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
    m = good;
    m[9] = 1;  // 4 bytes aux: swallows the next record's header, so the count is short
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
}

TEST(IgmpMalformed, TrailingBytesAreIgnored) {
    // RFC 3376 4.2.11 / 4.1.10 / RFC 2236 2.5: checksummed, otherwise ignored.
    auto m = vec(scapy_vectors::igmpv3_report);
    const auto plain = decode_igmp(m);
    ASSERT_TRUE(plain.ok());
    for (std::size_t extra = 1; extra <= 5; ++extra) {
        m.push_back(0x5A);
        auto r = decode_fixed(m);
        ASSERT_TRUE(r.ok()) << extra;
        EXPECT_EQ(*r, *plain);
    }
    auto v2 = vec(scapy_vectors::igmpv2_report);
    v2.insert(v2.end(), {1, 2, 3});  // odd length
    auto r = decode_fixed(v2);
    ASSERT_TRUE(r.ok());
    const message want = report_v1v2{version::igmpv2, A("239.1.2.3")};
    EXPECT_EQ(*r, want);
}

TEST(IgmpMalformed, AnyFlippedBitFailsTheChecksum) {
    const std::vector<std::vector<std::uint8_t>> all{
        vec(scapy_vectors::igmpv1_query), vec(scapy_vectors::igmpv2_group_query),
        vec(scapy_vectors::igmpv2_leave), vec(scapy_vectors::igmpv3_group_source_query),
        vec(scapy_vectors::igmpv3_report)};
    for (const auto& good : all) {
        ASSERT_TRUE(decode_igmp(good).ok());
        for (std::size_t i = 0; i < good.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                auto m = good;
                m[i] ^= static_cast<std::uint8_t>(1 << bit);
                const auto r = decode_igmp(m);
                ASSERT_FALSE(r.ok()) << i << ":" << bit;
                EXPECT_EQ(r.err(), error::bad_checksum) << i << ":" << bit;
            }
        }
    }
}

TEST(IgmpMalformed, UnknownTypes) {
    // 0x13 DVMRP, 0x14 PIMv1, 0x1e/0x1f mtrace, 0x30 MRD, plus nonsense.
    for (int t : {0x00, 0x10, 0x13, 0x14, 0x1e, 0x1f, 0x21, 0x23, 0x30, 0xFF}) {
        auto m = vec(scapy_vectors::igmpv2_report);
        m[0] = static_cast<std::uint8_t>(t);
        EXPECT_EQ(decode_fixed(m).err(), error::unknown_type) << t;
    }
}

TEST(IgmpMalformed, GroupsMustBeMulticast) {
    for (std::uint8_t t : {igmp_type::v1_report, igmp_type::v2_report, igmp_type::leave}) {
        auto m = vec(scapy_vectors::igmpv2_report);
        m[0] = t;
        m[4] = 192, m[5] = 0, m[6] = 2, m[7] = 1;
        EXPECT_EQ(decode_fixed(m).err(), error::not_multicast) << int(t);
        m[4] = m[5] = m[6] = m[7] = 0;  // 0.0.0.0 is only a query's "general"
        EXPECT_EQ(decode_fixed(m).err(), error::not_multicast) << int(t);
    }
    auto q = vec(scapy_vectors::igmpv2_group_query);
    q[4] = 198;
    EXPECT_EQ(decode_fixed(q).err(), error::not_multicast);
    auto q3 = vec(scapy_vectors::igmpv3_group_source_query);
    q3[4] = 10;
    EXPECT_EQ(decode_fixed(q3).err(), error::not_multicast);
    auto r = vec(scapy_vectors::igmpv3_report);
    r[8 + 8 + 8 + 4] = 10;  // second record's group 10.1.1.1
    EXPECT_EQ(decode_fixed(r).err(), error::not_multicast);
}

TEST(IgmpMalformed, UnknownRecordTypesAreSkipped) {
    auto m = vec(scapy_vectors::igmpv3_report);
    m[8] = 7;                    // first record (2 sources): unknown type
    m[8 + 8 + 8] = 0;            // second record: type 0, also unknown
    auto r = decode_fixed(m);
    ASSERT_TRUE(r.ok());
    const auto& rep = std::get<report_v3>(*r);
    ASSERT_EQ(rep.records.size(), 4u);
    EXPECT_EQ(rep.records[0].type, record_type::change_to_include);
    EXPECT_EQ(rep.records[0].group, A("239.1.1.2"));
}
