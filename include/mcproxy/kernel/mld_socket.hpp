// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Raw ICMPv6 socket that receives every MLD message with its
/// metadata and sends MLD with hop limit 1 and the hop-by-hop Router Alert.
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

/// @brief True if an IPv6 hop-by-hop options header (as delivered in the
/// IPV6_HOPOPTS control message) holds a Router Alert option (RFC 2711).
bool hop_by_hop_has_router_alert(std::span<const std::uint8_t> hbh);

/// @brief MLD receive and send socket (ICMPv6 filtered to the MLD types).
///
/// Reports to link-local groups (ff02::16 for MLDv2) arrive only after
/// join(); reports to other groups arrive while an mroute6 socket has
/// enabled IPv6 multicast forwarding (see doc/kernel.md).
class mld_socket {
public:
    /// @brief Opens the socket, sets the receive options, hop limit 1,
    /// the Router Alert hop-by-hop option and no loopback.
    static result<mld_socket> open();
    /// @brief Non-blocking descriptor for the event loop.
    int native_handle() const { return fd_.get(); }

    /// @brief Joins a group on an interface (ff02::16 on downstreams, ff02::2 for MLDv1 Done).
    status join(unsigned ifindex, const net::address& group);
    /// @brief Leaves a group joined with join().
    status leave(unsigned ifindex, const net::address& group);

    /// @brief Reads the next MLD message; nullopt when nothing is queued.
    result<std::optional<received_packet>> receive();

    /// @brief Sends an MLD message (checksum filled in by the kernel) from
    /// `source` (the interface's link-local address; :: lets the kernel pick).
    status send(unsigned ifindex, const net::address& source, const net::address& destination,
                std::span<const std::uint8_t> mld);

private:
    explicit mld_socket(unique_fd fd) : fd_(std::move(fd)) {}
    status membership(int option, unsigned ifindex, const net::address& group);

    unique_fd fd_;
    std::vector<std::uint8_t> buffer_;
};

}  // namespace mcproxy::kernel
