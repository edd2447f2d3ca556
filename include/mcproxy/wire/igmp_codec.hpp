// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief IGMPv1/v2/v3 message codec (RFC 1112, RFC 2236, RFC 3376).
///
/// Input is the IGMP message alone (the IPv4 payload, see ipv4_header.hpp).
/// What is accepted and rejected, and why, is listed in doc/wire.md.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mcproxy/wire/error.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::wire {

/// @brief IGMP message types (RFC 3376 4, RFC 2236 2.1, RFC 1112 App. I).
namespace igmp_type {
inline constexpr std::uint8_t query = 0x11;  ///< Membership Query (all versions)
inline constexpr std::uint8_t v1_report = 0x12;  ///< IGMPv1 Membership Report
inline constexpr std::uint8_t v2_report = 0x16;  ///< IGMPv2 Membership Report
inline constexpr std::uint8_t leave = 0x17;  ///< IGMPv2 Leave Group
inline constexpr std::uint8_t v3_report = 0x22;  ///< IGMPv3 Membership Report
}  // namespace igmp_type

/// @brief Largest IGMP message we build: 65535 minus a 24-byte IPv4 header
/// with Router Alert.
inline constexpr std::size_t igmp_max_message = 65535 - 24;

/// @brief Decodes one IGMP message; the checksum must verify.
///
/// Queries get their version from the length (RFC 3376 7.1). Times come out
/// in real units (IGMPv1 queries: 10 s). Never reads outside `bytes`.
result<message> decode_igmp(std::span<const std::uint8_t> bytes);

/// @brief Encodes `m` with its checksum into `out` (cleared first).
/// @return nullopt on success, else why `m` cannot be an IGMP message.
std::optional<error> encode_igmp(const message& m, std::vector<std::uint8_t>& out);

/// @brief Encodes `m` into a new buffer.
result<std::vector<std::uint8_t>> encode_igmp(const message& m);

}  // namespace mcproxy::wire
