// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The kernel side of one instance, for either family: the multicast
/// routing table (VIFs/MIFs, cache entries, upcalls, counters) and the
/// sockets that receive and send IGMP or MLD.
#pragma once

#include <functional>
#include <optional>
#include <variant>
#include <vector>

#include "mcproxy/kernel/igmp_socket.hpp"
#include "mcproxy/kernel/membership_pool.hpp"
#include "mcproxy/kernel/mld_socket.hpp"
#include "mcproxy/kernel/mroute4.hpp"
#include "mcproxy/kernel/mroute6.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::daemon {

/// @brief Something read from the kernel: an upcall or an IGMP/MLD packet.
using kernel_input = std::variant<kernel::upcall, kernel::received_packet>;

/// @brief Kernel access of one instance. Holds no protocol logic: it does
/// what it is told with the kernel's ifindexes.
class kernel_port {
public:
    /// @brief Opens the routing socket for `fam` (with `table` when given,
    /// else the kernel's default table) and the IGMP/MLD socket.
    static kernel::result<kernel_port> open(net::family fam, std::optional<std::uint32_t> table);

    /// @brief The family.
    net::family family() const { return family_; }
    /// @brief Descriptors to watch for input (drain with read()).
    std::vector<int> descriptors() const;
    /// @brief Reads everything queued, at most `limit` items, calling `sink` for each.
    /// Returns how many were read.
    std::size_t read(const std::function<void(kernel_input&&)>& sink, std::size_t limit);

    /// @brief Makes the interface a VIF/MIF.
    kernel::status add_interface(unsigned ifindex);
    /// @brief Removes the interface's VIF/MIF (ok if the kernel already did).
    kernel::status remove_interface(unsigned ifindex);
    /// @brief Joins the groups routers must hear on a downstream: IGMPv3
    /// reports (224.0.0.22) and IGMPv2 leaves (224.0.0.2), or MLDv2 reports
    /// (ff02::16) and MLDv1 Done (ff02::2).
    kernel::status join_router_groups(unsigned ifindex);
    /// @brief Leaves them again (errors ignored: the interface may be gone).
    void leave_router_groups(unsigned ifindex);

    /// @brief Adds or replaces a cache entry.
    kernel::status set_route(const kernel::mfc_entry& e);
    /// @brief Removes a cache entry.
    kernel::status remove_route(const net::address& source, const net::address& group);
    /// @brief Reads a cache entry's counters.
    kernel::result<kernel::sg_counters> counters(const net::address& source, const net::address& group) const;

    /// @brief Encodes `msg` and sends it out of `ifindex` from `source` to `destination`.
    kernel::status send(unsigned ifindex, const net::address& source, const net::address& destination,
                        const wire::message& msg);

    /// @brief Ends multicast routing on the table (the kernel flushes its VIFs and entries).
    kernel::status close();

private:
    kernel_port(net::family fam) : family_(fam) {}
    net::family family_;
    std::optional<kernel::mroute4> mr4_;
    std::optional<kernel::igmp_socket> igmp_;
    kernel::membership_pool memberships4_;  ///< IPv4 joins, beyond igmp_max_memberships per socket
    std::optional<kernel::mroute6> mr6_;
    std::optional<kernel::mld_socket> mld_;
    std::vector<std::uint8_t> send_buffer_;
};

}  // namespace mcproxy::daemon
