// SPDX-License-Identifier: GPL-2.0-or-later
// Malformed MLD: every truncation point, lying counts, bad checksums,
// unknown types, odd lengths. All rejected with the right error.
#include "mcproxy/wire/mld_codec.hpp"

#include <gtest/gtest.h>

#include "scapy_vectors.hpp"
#include "test_util.hpp"

using namespace mcproxy::wire;
using wire_test::A;
using wire_test::vec;

namespace {

const auto src = A("fe80::2");
const auto dst = A("ff02::16");

// Decodes `m` after giving it a correct checksum for src/dst.
result<message> decode_fixed(std::vector<std::uint8_t> m) {
    if (m.size() >= 4) wire_test::fix_icmpv6_checksum(m, src, dst);
    return decode_mld(m, src, dst);
}

std::vector<std::uint8_t> first(const std::vector<std::uint8_t>& v, std::size_t n) {
    return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace

TEST(MldMalformed, ShortMessagesAreTruncated) {
    for (const auto& full : {vec(scapy_vectors::mldv1_report), vec(scapy_vectors::mldv1_done),
                             vec(scapy_vectors::mldv1_query)}) {
        for (std::size_t n = 0; n < 24; ++n) {
            const auto r = decode_fixed(first(full, n));
            ASSERT_FALSE(r.ok()) << n;
            EXPECT_EQ(r.err(), error::truncated) << n;
        }
    }
    const auto rep = vec(scapy_vectors::mldv2_report);
    for (std::size_t n = 0; n < 8; ++n) EXPECT_EQ(decode_fixed(first(rep, n)).err(), error::truncated) << n;
}

TEST(MldMalformed, EveryTruncationOfV2ReportIsRejected) {
    const auto m = vec(scapy_vectors::mldv2_report);
    for (std::size_t n = 8; n < m.size(); ++n) {
        const auto r = decode_fixed(first(m, n));
        ASSERT_FALSE(r.ok()) << n;
        EXPECT_EQ(r.err(), error::bad_count) << n;
    }
}

TEST(MldMalformed, QueryLengthsPerRfc3810Section8_1) {
    const auto m = vec(scapy_vectors::mldv2_group_source_query);
    auto r24 = decode_fixed(first(m, 24));
    ASSERT_TRUE(r24.ok());
    EXPECT_EQ(std::get<query>(*r24).ver, version::mldv1);
    for (std::size_t n = 25; n < 28; ++n) EXPECT_EQ(decode_fixed(first(m, n)).err(), error::bad_length) << n;
    for (std::size_t n = 28; n < m.size(); ++n) EXPECT_EQ(decode_fixed(first(m, n)).err(), error::bad_count) << n;
}

TEST(MldMalformed, LyingCounts) {
    auto q = vec(scapy_vectors::mldv2_group_source_query);
    q[27] = 3;
    EXPECT_EQ(decode_fixed(q).err(), error::bad_count);
    q[26] = q[27] = 0xFF;
    EXPECT_EQ(decode_fixed(q).err(), error::bad_count);
    auto g = vec(scapy_vectors::mldv2_general_query);
    g.resize(28 + 16);
    g[27] = 1;  // a source in a General Query (RFC 3810 5.1.10)
    EXPECT_EQ(decode_fixed(g).err(), error::bad_count);

    const auto good = vec(scapy_vectors::mldv2_report);
    auto m = good;
    m[7] = 7;
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
    m = good;
    m[6] = m[7] = 0xFF;
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
    m = good;
    m[10] = 0xFF;  // first record 0xFF01 sources
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
    m = good;
    m[9] = 0xFF;  // 1020 bytes of aux data
    EXPECT_EQ(decode_fixed(m).err(), error::bad_count);
}

TEST(MldMalformed, TrailingBytesIgnored) {
    auto m = vec(scapy_vectors::mldv2_report);
    const auto plain = decode_mld(m, src, dst);
    ASSERT_TRUE(plain.ok());
    m.insert(m.end(), {9, 9, 9});
    auto r = decode_fixed(m);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, *plain);
    auto v1 = vec(scapy_vectors::mldv1_report);
    v1.push_back(1);  // RFC 2710 3.7: longer messages are fine
    EXPECT_TRUE(decode_fixed(v1).ok());
    auto q2 = vec(scapy_vectors::mldv2_general_query);
    q2.push_back(7);  // RFC 3810 5.1.12 additional data
    EXPECT_TRUE(decode_fixed(q2).ok());
}

TEST(MldMalformed, AnyFlippedBitFailsTheChecksum) {
    const auto good = vec(scapy_vectors::mldv2_report);
    for (std::size_t i = 0; i < good.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            auto m = good;
            m[i] ^= static_cast<std::uint8_t>(1 << bit);
            const auto r = decode_mld(m, src, dst);
            ASSERT_FALSE(r.ok()) << i;
            EXPECT_EQ(r.err(), error::bad_checksum) << i;
        }
    }
}

TEST(MldMalformed, UnknownTypes) {
    // Echo request/reply, router/neighbor discovery, MLD-like neighbours.
    for (int t : {0, 1, 128, 129, 133, 134, 135, 136, 142, 144, 151, 255}) {
        auto m = vec(scapy_vectors::mldv1_report);
        m[0] = static_cast<std::uint8_t>(t);
        EXPECT_EQ(decode_fixed(m).err(), error::unknown_type) << t;
    }
}

TEST(MldMalformed, GroupsMustBeMulticast) {
    for (std::uint8_t t : {mld_type::v1_report, mld_type::done}) {
        auto m = vec(scapy_vectors::mldv1_report);
        m[0] = t;
        m[8] = 0x20;  // 2005::1:3
        EXPECT_EQ(decode_fixed(m).err(), error::not_multicast);
        std::fill(m.begin() + 8, m.end(), 0);  // ::
        EXPECT_EQ(decode_fixed(m).err(), error::not_multicast);
    }
    auto q = vec(scapy_vectors::mldv1_group_query);
    q[8] = 0xfe;
    EXPECT_EQ(decode_fixed(q).err(), error::not_multicast);
    auto r = vec(scapy_vectors::mldv2_report);
    r[8 + 4] = 0x20;  // first record group
    EXPECT_EQ(decode_fixed(r).err(), error::not_multicast);
}

TEST(MldMalformed, UnknownRecordTypesAreSkipped) {
    auto m = vec(scapy_vectors::mldv2_report);
    m[8] = 9;  // RFC 3810 5.2.12
    auto r = decode_fixed(m);
    ASSERT_TRUE(r.ok());
    const auto& rep = std::get<report_v3>(*r);
    ASSERT_EQ(rep.records.size(), 5u);
    EXPECT_EQ(rep.records[0].group, A("ff05::1"));
}

TEST(MldMalformed, CodeFieldIsIgnored) {
    auto m = vec(scapy_vectors::mldv1_report);
    m[1] = 0x55;
    auto r = decode_fixed(m);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(std::get<report_v1v2>(*r).group, A("ff05::1:3"));
}
