// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The IPv4 multicast routing socket (MRT_*): VIFs, cache entries,
/// upcalls and received IGMP.
#pragma once

#include "mcproxy/kernel/datagram_batch.hpp"
#include "mcproxy/kernel/error.hpp"
#include "mcproxy/kernel/mroute_types.hpp"
#include "mcproxy/kernel/unique_fd.hpp"
#include "mcproxy/kernel/vif_table.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <variant>
#include <vector>

namespace mcproxy::kernel {

/// @brief What the IPv4 mroute socket delivers: a kernel upcall or an IGMP packet.
using mroute4_message = std::variant<upcall, received_packet>;

/// @brief Owner of one IPv4 multicast routing table (raw IGMP socket after MRT_INIT).
///
/// The socket also receives every IGMP message of the interfaces that are
/// VIFs (see doc/kernel.md), so IGMP is read here and sent through igmp_socket.
/// Closing it (destructor) makes the kernel flush the table's VIFs and entries.
class mroute4 {
public:
    /// @brief Opens the socket, selects `table` (MRT_TABLE) if given, then MRT_INIT and MRT_ASSERT.
    static result<mroute4> open(std::optional<std::uint32_t> table = std::nullopt);

    /// @brief Non-blocking descriptor for the event loop (readable: receive()).
    int native_handle() const { return fd_.get(); }
    /// @brief The table given to open().
    std::optional<std::uint32_t> table() const { return table_; }

    /// @brief Adds a VIF for the interface (VIFF_USE_IFINDEX); ok if it already has one.
    status add_vif(unsigned ifindex);
    /// @brief Removes the interface's VIF; ok if the kernel already dropped it.
    status remove_vif(unsigned ifindex);
    /// @brief The ifindex <-> VIF map.
    const vif_table& vifs() const { return vifs_; }

    /// @brief Adds or replaces the (S,G) entry (MRT_ADD_MFC). All interfaces must be VIFs.
    status set_route(const mfc_entry& entry);
    /// @brief Removes the (S,G) entry (MRT_DEL_MFC); error ENOENT if there is none.
    status remove_route(const net::address& source, const net::address& group);
    /// @brief Reads the (S,G) entry's counters (SIOCGETSGCNT);
    /// error EADDRNOTAVAIL when the kernel has no such entry (any more).
    result<sg_counters> counters(const net::address& source, const net::address& group) const;

    /// @brief Joins a group on an interface (e.g. 224.0.0.22, 224.0.0.2 on downstreams).
    status join(unsigned ifindex, const net::address& group);
    /// @brief Leaves a group joined with join().
    status leave(unsigned ifindex, const net::address& group);

    /// @brief Reads the next upcall or IGMP packet; nullopt when nothing is queued.
    /// Malformed datagrams are skipped.
    result<std::optional<mroute4_message>> receive();
    /// @brief Reads up to `max` datagrams (one recvmmsg per batch of them)
    /// and hands each upcall or IGMP packet to `sink`; malformed ones are
    /// skipped. True when the queue was emptied (a read came back short).
    result<bool> receive_batch(std::size_t max, const std::function<void(mroute4_message&&)>& sink);

    /// @brief MRT_DONE and close; the kernel flushes the table's VIFs and entries.
    status close();

private:
    mroute4(unique_fd fd, std::optional<std::uint32_t> table) : fd_(std::move(fd)), table_(table) {}
    status membership(int option, unsigned ifindex, const net::address& group);

    unique_fd fd_;
    std::optional<std::uint32_t> table_;
    vif_table vifs_;
    std::optional<mroute4_message> parse(std::size_t i);

    /// 16 datagrams of up to 64 KiB (a reassembled report can be that long).
    datagram_batch batch_{16, 65536, 64};
};

}  // namespace mcproxy::kernel
