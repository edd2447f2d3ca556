// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief MLDv1/v2 message codec (RFC 2710, RFC 3810) on ICMPv6 messages.
///
/// Input is the ICMPv6 message alone, which is what a raw ICMPv6 socket
/// delivers; src/dst come from the IPv6 header (recvmsg / ipv6_header.hpp)
/// and enter the checksum through the pseudo-header. What is accepted and
/// rejected, and why, is listed in doc/wire.md.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mcproxy/net/address.hpp"
#include "mcproxy/wire/error.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::wire {

/// @brief ICMPv6 types of MLD (RFC 2710 3, RFC 3810 5).
namespace mld_type {
inline constexpr std::uint8_t query = 130;  ///< Multicast Listener Query (both versions)
inline constexpr std::uint8_t v1_report = 131;  ///< MLDv1 Multicast Listener Report
inline constexpr std::uint8_t done = 132;  ///< MLDv1 Multicast Listener Done
inline constexpr std::uint8_t v2_report = 143;  ///< MLDv2 Multicast Listener Report
}  // namespace mld_type

/// @brief Largest MLD message we build: an IPv6 payload of 65535 minus the
/// 8-byte hop-by-hop header.
inline constexpr std::size_t mld_max_message = 65535 - 8;

/// @brief Whether decode_mld checks the ICMPv6 checksum.
///
/// `skip` is for raw ICMPv6 sockets: Linux verifies ICMPv6 checksums before
/// delivering to them, so checking again only costs time.
enum class checksum_check : std::uint8_t { verify, skip };

/// @brief Decodes one MLD message. With `verify`, src and dst must be the
/// IPv6 addresses of the packet (else the result is bad_checksum).
///
/// Queries get their version from the length (RFC 3810 8.1). Never reads
/// outside `icmp`.
result<message> decode_mld(std::span<const std::uint8_t> icmp, const net::address& src,
                           const net::address& dst, checksum_check check = checksum_check::verify);

/// @brief Encodes `m` into `out` (cleared first) with the checksum over the
/// pseudo-header of src and dst (a Linux raw ICMPv6 socket recomputes it
/// anyway, so unspecified addresses are fine there).
/// @return nullopt on success, else why `m` cannot be an MLD message.
std::optional<error> encode_mld(const message& m, const net::address& src, const net::address& dst,
                                std::vector<std::uint8_t>& out);

/// @brief Encodes `m` into a new buffer.
result<std::vector<std::uint8_t>> encode_mld(const message& m, const net::address& src,
                                             const net::address& dst);

}  // namespace mcproxy::wire
