// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief IPv4 header parsing for what a raw IGMP socket delivers, and
/// building an IPv4 header with the Router Alert option (RFC 2113).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mcproxy/net/address.hpp"
#include "mcproxy/wire/error.hpp"

namespace mcproxy::wire {

/// @brief IP protocol number of IGMP.
inline constexpr std::uint8_t ip_proto_igmp = 2;

/// @brief What the IPv4 header says about a received packet.
struct ipv4_info {
    net::address src;  ///< source address
    net::address dst;  ///< destination address
    std::uint8_t ttl = 0;  ///< time to live
    std::uint8_t tos = 0;  /**< type of service byte */
    /// Router Alert option (type 148, length 4, value 0) present (RFC 2113).
    bool router_alert = false;
    /// The IGMP message: the payload cut at the header's total length.
    std::span<const std::uint8_t> payload;
};

/// @brief Parses an IPv4 packet carrying IGMP.
///
/// Rejects: short buffers, version != 4, IHL < 5, total length shorter than
/// the header or longer than the buffer, protocol != 2 (checked before the
/// checksum, so mroute upcalls with protocol 0 read as wrong_protocol), bad
/// header checksum, fragments (MF or offset), malformed options. Bytes after
/// the total length (link padding) are ignored.
result<ipv4_info> parse_ipv4(std::span<const std::uint8_t> packet);

/// @brief Fields of an IPv4 header to build.
struct ipv4_build {
    net::address src;  ///< source address
    net::address dst;  ///< destination address
    std::uint8_t ttl = 1;        ///< RFC 3376 4: IGMP is sent with TTL 1
    std::uint8_t tos = 0xC0;     ///< precedence "internetwork control", as Linux sends IGMP
    bool router_alert = true;    ///< RFC 3376 4 / RFC 2236 2: IGMP carries Router Alert
    std::uint16_t id = 0;  ///< identification field
    std::uint8_t protocol = ip_proto_igmp;  ///< protocol of the payload
};

/// @brief Writes header (20 bytes, 24 with Router Alert, DF set, checksummed)
/// followed by `payload` into `out` (cleared first).
/// @return nullopt, or wrong_family / bad_length (total above 65535).
std::optional<error> build_ipv4(const ipv4_build& h, std::span<const std::uint8_t> payload,
                                std::vector<std::uint8_t>& out);

}  // namespace mcproxy::wire
