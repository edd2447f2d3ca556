// SPDX-License-Identifier: GPL-2.0-or-later
// The test stream payload: exact layout, round trip, rejection of foreign data.
#include "../../../tester/payload.hpp"

#include <gtest/gtest.h>

using namespace mcproxy::tester;

TEST(TesterPayload, LayoutIsBigEndianAtDocumentedOffsets) {
    const payload p{0x01020304U, 0x1122334455667788ULL, 0x0a0b0c0d0e0f1011LL};
    const auto b = encode_payload(p, 32);
    ASSERT_EQ(b.size(), 32U);
    const std::vector<std::uint8_t> header = {
        'M', 'C', 'P', 'T', 1, 0, 0, 0,                      // magic, version, reserved
        0x01, 0x02, 0x03, 0x04,                              // stream id
        0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,      // sequence number
        0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11};     // send time
    EXPECT_EQ(std::vector<std::uint8_t>(b.begin(), b.begin() + 28), header);
    // Padding byte i holds i & 0xff.
    EXPECT_EQ(b[28], 28);
    EXPECT_EQ(b[31], 31);
}

TEST(TesterPayload, RoundTripsAllFields) {
    for (const std::uint64_t seq : {0ULL, 1ULL, 255ULL, 65536ULL, ~0ULL}) {
        const payload p{0xdeadbeefU, seq, 1795640000123456789LL};
        const auto b = encode_payload(p, 1400);
        const auto d = decode_payload(b);
        ASSERT_TRUE(d.has_value()) << seq;
        EXPECT_EQ(*d, p);
    }
}

TEST(TesterPayload, NegativeTimeSurvives) {
    const payload p{7, 9, -5};
    EXPECT_EQ(decode_payload(encode_payload(p, payload_header_size))->send_ns, -5);
}

TEST(TesterPayload, SmallSizeIsRaisedToHeader) {
    EXPECT_EQ(encode_payload(payload{}, 3).size(), payload_header_size);
    std::vector<std::uint8_t> tiny(payload_header_size - 1, 0xee);
    EXPECT_FALSE(encode_payload(payload{}, tiny));
    EXPECT_EQ(tiny, std::vector<std::uint8_t>(payload_header_size - 1, 0xee));
}

TEST(TesterPayload, RejectsTruncatedForeignAndUnknownVersion) {
    auto b = encode_payload(payload{1, 2, 3}, 64);
    EXPECT_FALSE(decode_payload(std::span<const std::uint8_t>(b.data(), payload_header_size - 1)));
    EXPECT_TRUE(decode_payload(std::span<const std::uint8_t>(b.data(), payload_header_size)));
    EXPECT_FALSE(decode_payload(std::span<const std::uint8_t>()));
    auto wrong_magic = b;
    wrong_magic[3] = 'X';
    EXPECT_FALSE(decode_payload(wrong_magic));
    auto wrong_version = b;
    wrong_version[4] = 2;
    EXPECT_FALSE(decode_payload(wrong_version));
}
