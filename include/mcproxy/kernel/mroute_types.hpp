// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Value types shared by the IPv4 and IPv6 multicast routing sockets.
#pragma once

#include "mcproxy/net/address.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace mcproxy::kernel {

/// @brief The kernel limit of VIFs/MIFs per table (MAXVIFS, MAXMIFS).
inline constexpr unsigned max_vifs = 32;

/// @brief Why the kernel wrote an upcall to the mroute socket.
enum class upcall_kind : std::uint8_t {
    nocache,       ///< IGMPMSG_NOCACHE / MRT6MSG_NOCACHE: no cache entry for (S,G)
    wrong_vif,     ///< IGMPMSG_WRONGVIF / MRT6MSG_WRONGMIF: packet arrived on an output interface
    whole_packet,  ///< IGMPMSG_WHOLEPKT / MRT6MSG_WHOLEPKT (PIM register; not used by a proxy)
    wrong_vif_whole,  ///< IGMPMSG_WRVIFWHOLE (PIM only)
};

/// @brief A parsed kernel upcall.
struct upcall {
    upcall_kind kind = upcall_kind::nocache;  ///< what happened
    unsigned ifindex = 0;   ///< interface the packet arrived on (0 if its VIF is unknown)
    net::address source;    ///< S of the packet
    net::address group;     ///< G of the packet
    friend bool operator==(const upcall&, const upcall&) = default;
};

/// @brief One output interface of a cache entry.
struct mfc_output {
    unsigned ifindex = 0;             ///< output interface
    std::uint8_t ttl_threshold = 1;   ///< packets with a TTL/hop limit below this are not sent
};

/// @brief A multicast forwarding cache entry (S,G) -> outputs.
struct mfc_entry {
    net::address source;               ///< S
    net::address group;                ///< G
    unsigned input_ifindex = 0;        ///< expected incoming interface (a VIF)
    std::vector<mfc_output> outputs;   ///< interfaces to forward to (each must be a VIF)
};

/// @brief Per-entry counters (SIOCGETSGCNT / SIOCGETSGCNT_IN6).
struct sg_counters {
    std::uint64_t packets = 0;    ///< packets that matched (S,G), also those on a wrong interface
    std::uint64_t bytes = 0;      ///< bytes of those packets
    std::uint64_t wrong_if = 0;   ///< packets that arrived on a wrong interface
};

/// @brief An IGMP or MLD packet received on an interface, with its metadata.
struct received_packet {
    unsigned ifindex = 0;           ///< arrival interface (IP_PKTINFO / IPV6_PKTINFO)
    net::address source;            ///< IP source
    net::address destination;       ///< IP destination
    int ttl = -1;                   ///< TTL / hop limit, -1 if unknown
    bool router_alert = false;      ///< IPv4 RA option / IPv6 hop-by-hop RA present
    std::vector<std::uint8_t> bytes;   ///< IPv4: whole datagram with header; IPv6: ICMPv6 message
    std::size_t payload_offset = 0;    /**< where the IGMP/ICMPv6 message starts in bytes */
    /// @brief The IGMP or ICMPv6 message without IP header.
    std::span<const std::uint8_t> payload() const {
        return std::span<const std::uint8_t>(bytes).subspan(payload_offset);
    }
};

}  // namespace mcproxy::kernel
