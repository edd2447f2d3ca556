// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief IPv6 header and hop-by-hop options header (Router Alert, RFC 2711)
/// parsing and building, for crafted packets, packet sockets and the
/// IPV6_HOPOPTS ancillary data of raw ICMPv6 sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mcproxy/net/address.hpp"
#include "mcproxy/wire/error.hpp"

namespace mcproxy::wire {

/// @brief Next-header number of ICMPv6.
inline constexpr std::uint8_t ip_proto_icmpv6 = 58;
/// @brief Next-header number of the hop-by-hop options header.
inline constexpr std::uint8_t ip_proto_hopopts = 0;
/// @brief Router Alert value meaning "the datagram contains an MLD message" (RFC 2711 2.1).
inline constexpr std::uint16_t router_alert_mld = 0;

/// @brief What a hop-by-hop options header says.
struct hop_by_hop_info {
    std::uint8_t next_header = 0;  /**< the header that follows */
    /// Header length in bytes ((Hdr Ext Len + 1) * 8).
    std::size_t length = 0;
    /// Value of the first Router Alert option (RFC 2711), if any.
    std::optional<std::uint16_t> router_alert;
};

/// @brief Parses a hop-by-hop options header starting at hbh[0]
/// (RFC 8200 4.3, options RFC 8200 4.2). Bytes after its length are ignored.
result<hop_by_hop_info> parse_hop_by_hop(std::span<const std::uint8_t> hbh);

/// @brief Appends the 8-byte hop-by-hop header Linux sends with MLD:
/// Router Alert (value) followed by a 2-byte PadN.
void append_hop_by_hop_router_alert(std::uint8_t next_header, std::uint16_t value,
                                    std::vector<std::uint8_t>& out);

/// @brief What an IPv6 packet carrying ICMPv6 says.
struct ipv6_info {
    net::address src;  ///< source address
    net::address dst;  ///< destination address
    std::uint8_t hop_limit = 0;  ///< hop limit
    std::uint8_t traffic_class = 0;  /**< traffic class byte */
    /// Router Alert value from the hop-by-hop header, if present.
    std::optional<std::uint16_t> router_alert;
    /// The ICMPv6 message, cut at the payload length.
    std::span<const std::uint8_t> payload;
};

/// @brief Parses an IPv6 packet whose upper layer is ICMPv6.
///
/// Hop-by-hop options are read (only directly after the IPv6 header, RFC
/// 8200 4.1); destination options and routing headers are skipped; a
/// fragment header is rejected (fragment); any other upper layer is
/// wrong_protocol. At most 8 extension headers are walked.
result<ipv6_info> parse_ipv6(std::span<const std::uint8_t> packet);

/// @brief Fields of an IPv6 header to build.
struct ipv6_build {
    net::address src;  ///< source address
    net::address dst;  ///< destination address
    std::uint8_t hop_limit = 1;          ///< RFC 3810 5: MLD is sent with hop limit 1
    std::uint8_t traffic_class = 0;  ///< traffic class byte
    bool router_alert = true;            ///< RFC 3810 5: hop-by-hop Router Alert
    std::uint16_t router_alert_value = router_alert_mld;  ///< value of the Router Alert option
};

/// @brief Writes IPv6 header (+ hop-by-hop Router Alert header) and the
/// ICMPv6 `payload` into `out` (cleared first).
/// @return nullopt, or wrong_family / bad_length (payload above 65535).
std::optional<error> build_ipv6(const ipv6_build& h, std::span<const std::uint8_t> payload,
                                std::vector<std::uint8_t>& out);

}  // namespace mcproxy::wire
