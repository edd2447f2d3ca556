// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The IPv6 multicast routing socket (MRT6_*): MIFs, cache entries, upcalls.
#pragma once

#include "mcproxy/kernel/error.hpp"
#include "mcproxy/kernel/mroute_types.hpp"
#include "mcproxy/kernel/unique_fd.hpp"
#include "mcproxy/kernel/vif_table.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace mcproxy::kernel {

/// @brief Owner of one IPv6 multicast routing table (raw ICMPv6 socket after MRT6_INIT).
///
/// An ICMPv6 filter blocks all ICMPv6 on this socket, so it reads only
/// upcalls; MLD is received on mld_socket. Closing flushes the table.
class mroute6 {
public:
    /// @brief Opens the socket, selects `table` (MRT6_TABLE) if given, then MRT6_INIT and MRT6_ASSERT.
    static result<mroute6> open(std::optional<std::uint32_t> table = std::nullopt);

    /// @brief Non-blocking descriptor for the event loop (readable: receive()).
    int native_handle() const { return fd_.get(); }
    /// @brief The table given to open().
    std::optional<std::uint32_t> table() const { return table_; }

    /// @brief Adds a MIF for the interface; ok if it already has one.
    status add_mif(unsigned ifindex);
    /// @brief Removes the interface's MIF; ok if the kernel already dropped it.
    status remove_mif(unsigned ifindex);
    /// @brief The ifindex <-> MIF map.
    const vif_table& mifs() const { return mifs_; }

    /// @brief Adds or replaces the (S,G) entry (MRT6_ADD_MFC). IPv6 entries
    /// have no TTL thresholds: mfc_output::ttl_threshold is ignored.
    status set_route(const mfc_entry& entry);
    /// @brief Removes the (S,G) entry; error ENOENT if there is none.
    status remove_route(const net::address& source, const net::address& group);
    /// @brief Reads the (S,G) entry's counters (SIOCGETSGCNT_IN6);
    /// error EADDRNOTAVAIL when the kernel has no such entry (any more).
    result<sg_counters> counters(const net::address& source, const net::address& group) const;

    /// @brief Reads the next upcall; nullopt when nothing is queued.
    result<std::optional<upcall>> receive();

    /// @brief MRT6_DONE and close; the kernel flushes the table's MIFs and entries.
    status close();

private:
    mroute6(unique_fd fd, std::optional<std::uint32_t> table) : fd_(std::move(fd)), table_(table) {}

    unique_fd fd_;
    std::optional<std::uint32_t> table_;
    vif_table mifs_;
};

}  // namespace mcproxy::kernel
