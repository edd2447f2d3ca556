// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/resp_code.hpp"

#include <algorithm>

namespace mcproxy::wire {
namespace {

// Shared shape of both formats: a `bits`-wide code whose top bit selects the
// floating-point form `1 | exp(3) | mant(bits - 4)`, value (mant | hidden) << (exp + 3).
template <unsigned Bits>
std::uint32_t decode_float(std::uint32_t code) {
    constexpr std::uint32_t top = 1u << (Bits - 1);
    constexpr unsigned mant_bits = Bits - 4;
    constexpr std::uint32_t hidden = 1u << mant_bits;
    if (code < top) return code;
    const std::uint32_t exp = (code >> mant_bits) & 0x7u;
    const std::uint32_t mant = code & (hidden - 1);
    return (mant | hidden) << (exp + 3);
}

template <unsigned Bits>
std::uint32_t encode_float(std::uint32_t value) {
    constexpr std::uint32_t top = 1u << (Bits - 1);
    constexpr unsigned mant_bits = Bits - 4;
    constexpr std::uint32_t hidden = 1u << mant_bits;
    if (value < top) return value;  // exact range
    // The smallest float value is hidden << 3 == top, so exp is defined here.
    for (std::uint32_t exp = 7;; --exp) {
        if (value >= (hidden << (exp + 3))) {
            const std::uint32_t mant = std::min((value >> (exp + 3)) - hidden, hidden - 1);
            return top | (exp << mant_bits) | mant;
        }
        if (exp == 0) break;
    }
    return top;  // unreachable: value >= top == hidden << 3
}

std::uint32_t clamp_count(long long v, std::uint32_t max) {
    if (v <= 0) return 0;
    return static_cast<std::uint32_t>(std::min<long long>(v, max));
}

}  // namespace

std::uint32_t decode_code8(std::uint8_t code) { return decode_float<8>(code); }
std::uint8_t encode_code8(std::uint32_t value) {
    return static_cast<std::uint8_t>(encode_float<8>(value));
}
std::uint32_t decode_code16(std::uint16_t code) { return decode_float<16>(code); }
std::uint16_t encode_code16(std::uint32_t value) {
    return static_cast<std::uint16_t>(encode_float<16>(value));
}

// RFC 3376 4.1.1: Max Resp Time in units of 1/10 second.
std::chrono::milliseconds igmp_max_resp_decode(std::uint8_t code) {
    return std::chrono::milliseconds{100LL * decode_code8(code)};
}
std::uint8_t igmp_max_resp_encode(std::chrono::milliseconds t) {
    return encode_code8(clamp_count(t.count() / 100, code8_max));
}

// RFC 3376 4.1.7 / RFC 3810 5.1.9: QQI in seconds.
std::chrono::seconds qqic_decode(std::uint8_t code) { return std::chrono::seconds{decode_code8(code)}; }
std::uint8_t qqic_encode(std::chrono::seconds t) {
    return encode_code8(clamp_count(t.count(), code8_max));
}

// RFC 3810 5.1.3: Maximum Response Delay in milliseconds.
std::chrono::milliseconds mld_max_resp_decode(std::uint16_t code) {
    return std::chrono::milliseconds{decode_code16(code)};
}
std::uint16_t mld_max_resp_encode(std::chrono::milliseconds t) {
    return encode_code16(clamp_count(t.count(), code16_max));
}

}  // namespace mcproxy::wire
