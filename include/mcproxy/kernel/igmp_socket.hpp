// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Sending IGMP (raw IPv4 with our own header: TTL 1, Router Alert,
/// any source including 0.0.0.0) and parsing received IPv4 datagrams.
#pragma once

#include "mcproxy/kernel/error.hpp"
#include "mcproxy/kernel/mroute_types.hpp"
#include "mcproxy/kernel/unique_fd.hpp"
#include "mcproxy/net/address.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace mcproxy::kernel {

/// @brief Parses an IPv4 datagram as read from a raw socket (header included).
/// Checks version, header length, total length and the protocol (IGMP);
/// reports TTL, addresses and whether the Router Alert option (RFC 2113) is present.
std::optional<received_packet> parse_ipv4_igmp(std::vector<std::uint8_t> datagram, unsigned ifindex);

/// @brief Builds the IPv4 header mcproxy puts in front of an IGMP message:
/// TTL 1, TOS 0xc0, DF, protocol 2 and the Router Alert option (RFC 3376 4, RFC 2236 2).
/// Identification 0 (atomic datagram, RFC 6864), header checksum filled in.
std::vector<std::uint8_t> build_ipv4_igmp(const net::address& source, const net::address& destination,
                                          std::span<const std::uint8_t> igmp);

/// @brief Send-only packet socket for IGMP (IGMP is received on the mroute4 socket).
///
/// Datagrams are built here completely (build_ipv4_igmp) so the source can be
/// 0.0.0.0 and nothing is looped back to our own receive path.
class igmp_socket {
public:
    /// @brief Opens the socket.
    static result<igmp_socket> open();
    /// @brief Sends an IGMP message out of ifindex from `source` (the
    /// interface address, or 0.0.0.0 when it has none) to `destination`.
    status send(unsigned ifindex, const net::address& source, const net::address& destination,
                std::span<const std::uint8_t> igmp);
    /// @brief The descriptor (non-blocking).
    int native_handle() const { return fd_.get(); }

private:
    explicit igmp_socket(unique_fd fd) : fd_(std::move(fd)) {}
    unique_fd fd_;
};

}  // namespace mcproxy::kernel
