// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Max Resp Code and QQIC encodings of IGMPv3 (RFC 3376 4.1.1, 4.1.7)
/// and MLDv2 (RFC 3810 5.1.3, 5.1.9).
///
/// Codes below the threshold are the value itself; above it they are a
/// floating-point number `1 | exp | mant` worth `(mant | hidden) << (exp + 3)`.
/// Encoding rounds DOWN: it returns the largest code whose decoded value
/// does not exceed the requested value (so a host never answers later than
/// asked and a QQI is never overstated); values above the largest
/// representable one give the largest code. decode(encode(decode(c))) ==
/// decode(c) and encode(decode(c)) == c for every code c.
#pragma once

#include <chrono>
#include <cstdint>

namespace mcproxy::wire {

/// @brief Largest value of an 8-bit code: (0x0F | 0x10) << (7 + 3) = 31744.
inline constexpr std::uint32_t code8_max = 31744;
/// @brief Largest value of a 16-bit code: (0x0FFF | 0x1000) << (7 + 3) = 8387584.
inline constexpr std::uint32_t code16_max = 8387584;

/// @brief 8-bit code to value (RFC 3376 4.1.1 / 4.1.7): 0..31744.
std::uint32_t decode_code8(std::uint8_t code);
/// @brief Value to the largest 8-bit code not exceeding it (saturates at 0xFF).
std::uint8_t encode_code8(std::uint32_t value);
/// @brief 16-bit code to value (RFC 3810 5.1.3): 0..8387584.
std::uint32_t decode_code16(std::uint16_t code);
/// @brief Value to the largest 16-bit code not exceeding it (saturates at 0xFFFF).
std::uint16_t encode_code16(std::uint32_t value);

/// @brief IGMPv3 Max Resp Code (units of 1/10 s) to a duration.
std::chrono::milliseconds igmp_max_resp_decode(std::uint8_t code);
/// @brief Duration to an IGMPv3 Max Resp Code (floored to 1/10 s, then to a code).
std::uint8_t igmp_max_resp_encode(std::chrono::milliseconds t);
/// @brief IGMPv3 / MLDv2 QQIC (seconds) to the Querier's Query Interval.
std::chrono::seconds qqic_decode(std::uint8_t code);
/// @brief Query Interval to a QQIC (floored).
std::uint8_t qqic_encode(std::chrono::seconds t);
/// @brief MLDv2 Maximum Response Code (milliseconds) to a duration.
std::chrono::milliseconds mld_max_resp_decode(std::uint16_t code);
/// @brief Duration to an MLDv2 Maximum Response Code (floored).
std::uint16_t mld_max_resp_encode(std::chrono::milliseconds t);

}  // namespace mcproxy::wire
