// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Read-only snapshots of a downstream router for status output.
#pragma once

#include <optional>
#include <vector>

#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief One source record as status output shows it.
struct router_source_status {
    net::address source;  /**< the source address */
    /// Source timer; nullopt when stopped (Exclude List in EXCLUDE mode).
    std::optional<time_point> timer;
    /// Q(G,S) retransmissions still to send.
    unsigned retransmissions = 0;
};

/// @brief One tracked host of a group.
struct router_host_status {
    net::address host;  ///< the host's address
    filter_mode mode = filter_mode::include;  ///< its filter mode for the group
    source_set sources;  ///< its INCLUDE or EXCLUDE sources
    bool older_version = false;  ///< it sent an IGMPv1/v2 or MLDv1 report
    time_point expires;  ///< when it is dropped unless refreshed
};

/// @brief One group as status output shows it.
struct router_group_status {
    net::address group;  ///< the group address
    filter_mode mode = filter_mode::include;  /**< the router's filter mode */
    /// Filter timer (EXCLUDE mode only).
    std::optional<time_point> filter_timer;
    std::vector<router_source_status> sources;  /**< sorted by address */
    /// RFC 3376 7.3.2 Group Compatibility Mode, as the protocol version.
    wire::version compat = wire::version::igmpv3;
    std::optional<time_point> v1_host_present_until;  ///< IGMPv1 Host Present timer, when running
    std::optional<time_point> v2_host_present_until;  /**< IGMPv2 / MLDv1 Host Present timer, when running */
    /// Q(G) retransmissions still to send.
    unsigned group_retransmissions = 0;
    std::vector<router_host_status> hosts;  /**< explicit tracking: the hosts that want the group */
    /// Whether explicit tracking is known to see every interested host.
    bool tracking_complete = false;
};

/// @brief Querier state of the interface, RFC 3376 6.6.2.
struct router_querier_status {
    bool is_querier = false;  /**< whether we are the querier */
    /// Address of the current querier (ours when we are it); unspecified
    /// when there is none yet.
    net::address querier;
    std::optional<time_point> other_querier_present_until;  ///< Other Querier Present timer, when running
    std::optional<time_point> next_general_query;  ///< when our next general query is due (querier only)
    unsigned startup_queries_left = 0;  /**< startup queries still to send */
    /// Robustness and Query Interval in use (adopted from the querier's
    /// QRV/QQIC as a v3/MLDv2 non-querier, RFC 3376 4.1.6, 4.1.7).
    unsigned robustness = 0;
    duration query_interval{0};  ///< in use, see above
};

}  // namespace mcproxy::core
