// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/checksum.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

using namespace mcproxy::wire;

TEST(Checksum, Rfc1071Example) {
    // RFC 1071 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (after carry),
    // so the checksum is ~ddf2 = 220d.
    const std::array<std::uint8_t, 8> d{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(checksum_add(d), 0xddf2u);
    EXPECT_EQ(internet_checksum(d), 0x220d);
}

TEST(Checksum, OddLengthPadsWithZero) {
    const std::array<std::uint8_t, 3> odd{0x12, 0x34, 0x56};
    const std::array<std::uint8_t, 4> even{0x12, 0x34, 0x56, 0x00};
    EXPECT_EQ(internet_checksum(odd), internet_checksum(even));
    EXPECT_EQ(internet_checksum(odd), static_cast<std::uint16_t>(~(0x1234 + 0x5600) & 0xFFFF));
}

TEST(Checksum, EmptyAndAllOnes) {
    EXPECT_EQ(internet_checksum({}), 0xFFFF);
    const std::vector<std::uint8_t> ff(65536, 0xFF);  // many carries
    EXPECT_EQ(internet_checksum(ff), 0x0000);
}

TEST(Checksum, VerifiesToZeroWithFieldFilledIn) {
    std::vector<std::uint8_t> m{0x11, 0x64, 0x00, 0x00, 0xef, 0x01, 0x02, 0x03};
    const std::uint16_t c = internet_checksum(m);
    m[2] = static_cast<std::uint8_t>(c >> 8);
    m[3] = static_cast<std::uint8_t>(c & 0xFF);
    EXPECT_EQ(internet_checksum(m), 0);
    m[5] ^= 0x40;
    EXPECT_NE(internet_checksum(m), 0);
}

TEST(Checksum, ChainedEqualsWhole) {
    std::vector<std::uint8_t> all;
    for (int i = 0; i < 301; ++i) all.push_back(static_cast<std::uint8_t>(i * 7));
    const std::span<const std::uint8_t> s(all);
    const auto sum = checksum_add(s.subspan(100), checksum_add(s.first(100)));
    EXPECT_EQ(checksum_finish(sum), internet_checksum(all));
}

TEST(Checksum, Icmpv6PseudoHeaderCoversAddresses) {
    const auto src = *mcproxy::net::address::parse("fe80::1");
    const auto dst = *mcproxy::net::address::parse("ff02::16");
    const auto other = *mcproxy::net::address::parse("fe80::2");
    const std::array<std::uint8_t, 8> icmp{143, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_NE(icmpv6_checksum(src, dst, icmp), icmpv6_checksum(other, dst, icmp));
    // By hand: sum of fe80 + 0001 + ff02 + 0016 + length 8 + 58 + 8f00.
    const std::uint32_t s = 0xfe80 + 0x0001 + 0xff02 + 0x0016 + 8 + 58 + 0x8f00;
    EXPECT_EQ(icmpv6_checksum(src, dst, icmp), checksum_finish(s));
}
