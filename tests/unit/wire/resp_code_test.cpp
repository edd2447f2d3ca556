// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/resp_code.hpp"

#include <gtest/gtest.h>

using namespace mcproxy::wire;
using namespace std::chrono_literals;

namespace {
struct row8 {
    std::uint8_t code;
    std::uint32_t value;
};
struct row16 {
    std::uint16_t code;
    std::uint32_t value;
};
}  // namespace

// RFC 3376 4.1.1 / 4.1.7: code < 128 is the value; else (mant | 0x10) << (exp + 3).
TEST(RespCode, Code8Table) {
    const row8 rows[] = {
        {0, 0},        {1, 1},
        {127, 127},    // last exact code
        {0x80, 128},   // exp 0 mant 0: 16 << 3
        {0x81, 136},   // exp 0 mant 1: 17 << 3
        {0x8F, 248},   // exp 0 mant 15: 31 << 3
        {0x90, 256},   // exp 1 mant 0: 16 << 4
        {0xA5, 672},   // exp 2 mant 5: 21 << 5
        {0xF0, 16384}, // exp 7 mant 0: 16 << 10
        {0xFF, 31744}, // max: 31 << 10
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(static_cast<int>(r.code));
        EXPECT_EQ(decode_code8(r.code), r.value);
        EXPECT_EQ(encode_code8(r.value), r.code);
    }
    EXPECT_EQ(code8_max, 31744u);
}

TEST(RespCode, Code8EncodeRoundsDownAndSaturates) {
    EXPECT_EQ(encode_code8(129), 0x80);    // 128 <= 129 < 136
    EXPECT_EQ(encode_code8(135), 0x80);
    EXPECT_EQ(encode_code8(255), 0x8F);    // 248 <= 255 < 256
    EXPECT_EQ(encode_code8(31743), 0xFE);  // 30720 <= 31743 < 31744
    EXPECT_EQ(encode_code8(31745), 0xFF);
    EXPECT_EQ(encode_code8(32767), 0xFF);
    EXPECT_EQ(encode_code8(32768), 0xFF);
    EXPECT_EQ(encode_code8(0xFFFFFFFFu), 0xFF);
}

TEST(RespCode, Code8EveryCodeStableAndMonotonic) {
    std::uint32_t prev = 0;
    for (unsigned c = 0; c < 256; ++c) {
        const auto code = static_cast<std::uint8_t>(c);
        const auto v = decode_code8(code);
        EXPECT_EQ(encode_code8(v), code) << c;
        if (c > 0) {
            EXPECT_GT(v, prev) << c;
            // Largest code not exceeding: one less than the value gives a smaller code.
            EXPECT_LT(encode_code8(v - 1), code) << c;
        }
        prev = v;
    }
}

// RFC 3810 5.1.3: code < 32768 is the value; else (mant | 0x1000) << (exp + 3).
TEST(RespCode, Code16Table) {
    const row16 rows[] = {
        {0, 0},
        {127, 127},
        {128, 128},          // still exact in the 16-bit format
        {31744, 31744},
        {32767, 32767},      // last exact code
        {0x8000, 32768},     // exp 0 mant 0: 0x1000 << 3
        {0x8001, 32776},     // exp 0 mant 1: 0x1001 << 3
        {0x9000, 65536},     // exp 1 mant 0
        {0xFFFF, 8387584},   // max: 0x1FFF << 10
    };
    for (const auto& r : rows) {
        SCOPED_TRACE(r.code);
        EXPECT_EQ(decode_code16(r.code), r.value);
        EXPECT_EQ(encode_code16(r.value), r.code);
    }
    EXPECT_EQ(code16_max, 8387584u);
    EXPECT_EQ(encode_code16(32769), 0x8000);  // rounds down
    EXPECT_EQ(encode_code16(32775), 0x8000);
    EXPECT_EQ(encode_code16(8387583), 0xFFFE);
    EXPECT_EQ(encode_code16(8387585), 0xFFFF);
    EXPECT_EQ(encode_code16(0xFFFFFFFFu), 0xFFFF);
}

TEST(RespCode, Code16EveryCodeStableAndMonotonic) {
    std::uint32_t prev = 0;
    for (unsigned c = 0; c < 65536; ++c) {
        const auto code = static_cast<std::uint16_t>(c);
        const auto v = decode_code16(code);
        ASSERT_EQ(encode_code16(v), code) << c;
        if (c > 0) {
            ASSERT_GT(v, prev) << c;
            ASSERT_LT(encode_code16(v - 1), code) << c;
        }
        prev = v;
    }
}

TEST(RespCode, TypedIgmpMaxResp) {
    EXPECT_EQ(igmp_max_resp_decode(100), 10s);        // default 10 s = code 100
    EXPECT_EQ(igmp_max_resp_decode(127), 12700ms);
    EXPECT_EQ(igmp_max_resp_decode(128), 12800ms);
    EXPECT_EQ(igmp_max_resp_decode(255), 3174400ms);  // 3174.4 s
    EXPECT_EQ(igmp_max_resp_encode(10s), 100);
    EXPECT_EQ(igmp_max_resp_encode(1099ms), 10);       // floored to tenths
    EXPECT_EQ(igmp_max_resp_encode(12799ms), 127);
    EXPECT_EQ(igmp_max_resp_encode(12800ms), 128);
    EXPECT_EQ(igmp_max_resp_encode(3174400ms), 255);
    EXPECT_EQ(igmp_max_resp_encode(3276800ms), 255);
    EXPECT_EQ(igmp_max_resp_encode(-5s), 0);
    EXPECT_EQ(igmp_max_resp_encode(std::chrono::milliseconds::max()), 255);
}

TEST(RespCode, TypedQqic) {
    EXPECT_EQ(qqic_decode(125), 125s);  // RFC 3376 8.2 default Query Interval
    EXPECT_EQ(qqic_encode(125s), 125);
    EXPECT_EQ(qqic_decode(0x80), 128s);
    EXPECT_EQ(qqic_encode(127s), 127);
    EXPECT_EQ(qqic_encode(128s), 0x80);
    EXPECT_EQ(qqic_encode(31744s), 0xFF);
    EXPECT_EQ(qqic_encode(32768s), 0xFF);
    EXPECT_EQ(qqic_encode(-1s), 0);
}

TEST(RespCode, TypedMldMaxResp) {
    EXPECT_EQ(mld_max_resp_decode(10000), 10s);  // RFC 3810 9.3 default
    EXPECT_EQ(mld_max_resp_decode(32767), 32767ms);
    EXPECT_EQ(mld_max_resp_decode(32768), 32768ms);
    EXPECT_EQ(mld_max_resp_decode(0xFFFF), 8387584ms);
    EXPECT_EQ(mld_max_resp_encode(10s), 10000);
    EXPECT_EQ(mld_max_resp_encode(32768ms), 0x8000);
    EXPECT_EQ(mld_max_resp_encode(40000s), 0xFFFF);
    EXPECT_EQ(mld_max_resp_encode(-1ms), 0);
}
