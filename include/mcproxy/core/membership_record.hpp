// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Router-side group and source records, RFC 3376 6.2 / RFC 3810 7.2,
/// with the set primitives the state tables of RFC 3376 6.4 are written in.
#pragma once

#include <cstdint>
#include <vector>

#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief A timer that is not running ("timer = 0" in RFC 3376 6.2.1).
inline constexpr time_point timer_off = time_point::max();

/// @brief One source record of a group, RFC 3376 6.2.3.
///
/// In INCLUDE mode every record has a running timer. In EXCLUDE mode a
/// running timer puts the source on the Requested List, a stopped one on the
/// Exclude List. 32 bytes: the address (17), the retransmission counter and
/// the timer.
struct source_record {
    net::address source;  /**< the source address */
    /// RFC 3376 6.6.3.2: Q(G,S) retransmissions still to send for it.
    std::uint8_t retransmissions = 0;
    time_point timer = timer_off;  /**< the source timer; off: on the Exclude List */
    /// @brief Whether the source timer runs (Requested List in EXCLUDE mode).
    bool running() const { return timer != timer_off; }
};

/// @brief What one host (report sender) told us about one group (explicit
/// tracking). Its state follows RFC 3376 5.1 host semantics of the records.
struct tracked_host {
    net::address host;  ///< the reporting host's address
    filter_mode mode = filter_mode::include;  /**< its filter mode for the group */
    /// The entry came from an IGMPv1/v2 or MLDv1 report (EXCLUDE{}).
    bool older_version = false;
    /// Dropped when nothing refreshed it for a Group Membership Interval.
    time_point expires = timer_off;
    /// INCLUDE sources or EXCLUDE sources of this host.
    source_set sources;
    /// @brief Whether this host wants traffic from `source`.
    bool wants(const net::address& source) const;
};

/// @brief Router state of one group on one interface, RFC 3376 6.2.
struct group_record {
    net::address group;  ///< the group address
    filter_mode mode = filter_mode::include;  /**< the router's filter mode (RFC 3376 6.2.1) */
    /// RFC 3376 6.6.3.1: Q(G) retransmissions still to send.
    std::uint8_t group_retransmissions = 0;
    /// RFC 3376 6.2.2: the filter (group) timer; off in INCLUDE mode.
    time_point filter_timer = timer_off;
    /// RFC 3376 7.3.2: IGMPv1 Host Present timer.
    time_point v1_host_timer = timer_off;
    /// RFC 3376 7.3.2 / RFC 3810 8.3.2: IGMPv2 / MLDv1 Host Present timer.
    time_point v2_host_timer = timer_off;
    /// When the next Q(G) / Q(G,S) retransmission is due.
    time_point next_group_query = timer_off;
    time_point next_source_query = timer_off;  /**< the same for Q(G,S) */
    /// Tracking may miss hosts until then (an untrackable report was seen).
    time_point untracked_until = time_point::min();
    /// The deadline of this group's entry in the router's deadline heap.
    time_point scheduled = timer_off;
    /// Sorted by source address.
    std::vector<source_record> sources;
    /// Sorted by host address.
    std::vector<tracked_host> hosts;

    /// @brief The record for `source`, or nullptr.
    source_record* find(const net::address& source);
    /// @brief The record for `source`, or nullptr (read-only).
    const source_record* find(const net::address& source) const;

    /// @brief "(B) = t": every source of `b` gets timer `t`, new ones are
    /// created (at most `limit` records in all). True if the membership changed.
    bool set_timers(const source_set& b, time_point t, std::size_t limit);
    /// @brief "(B - A) = t": only sources of `b` without a record are created
    /// with timer `t`. True if the membership changed.
    bool add_new(const source_set& b, time_point t, std::size_t limit);
    /// @brief "Delete (A - B)": removes every record not in `b`.
    /// True if the membership changed.
    bool keep_only(const source_set& b);
    /// @brief Sources of `b` that have a record with a running timer
    /// (A*B in INCLUDE mode, A-Y after the new ones were added in EXCLUDE).
    source_set running_in(const source_set& b) const;
    /// @brief Sources with a running timer that are not in `b` (A-B, X-A).
    source_set running_not_in(const source_set& b) const;

    /// @brief INCLUDE{running sources} or EXCLUDE{stopped sources}.
    core::membership membership() const;
    /// @brief Earliest running timer of the group, or timer_off.
    time_point deadline() const;
};

}  // namespace mcproxy::core
