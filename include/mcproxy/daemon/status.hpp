// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief A plain snapshot of one proxy instance for `mcproxy -s` and the
/// control socket: interfaces, querier roles, groups, sources, timers,
/// upstream reports, kernel routes and counters.
///
/// The snapshot is taken on the instance's own thread (it reads the core)
/// and is then a value that any thread may format. Timers are stored as the
/// time left at the moment of the snapshot, so formatting needs no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mcproxy/core/instance.hpp"
#include "mcproxy/daemon/counters.hpp"
#include "mcproxy/daemon/route_book.hpp"

namespace mcproxy::daemon {

/// @brief The side(s) an interface serves in an instance.
enum class interface_role : std::uint8_t { upstream, downstream, peering };
/// @brief "upstream", "downstream", "peering".
const char* to_string(interface_role r);

/// @brief Whether the interface is usable.
enum class link_state : std::uint8_t {
    up,       ///< exists, up, has the address the protocol needs
    down,     ///< exists but is down or has no usable address
    missing,  ///< configured but does not exist (yet)
};
/// @brief "up", "down", "missing".
const char* to_string(link_state s);

/// @brief What the daemon knows about one interface of an instance.
struct interface_info {
    core::if_index id = 0;    ///< the interface id the core uses
    std::string name;         ///< e.g. "eth0"
    unsigned ifindex = 0;     ///< kernel ifindex, 0 while missing
    interface_role role = interface_role::downstream;  ///< side(s) it serves
    link_state state = link_state::missing;            ///< usable or not
    net::address address;     ///< address in use (IPv4, or IPv6 link-local); unspecified if none
};

/// @brief Everything the daemon adds to the core's state for a snapshot.
struct instance_info {
    std::string name;                      ///< pinstance name
    wire::version protocol = wire::version::igmpv3;  ///< `protocol` of the instance
    std::optional<std::uint32_t> table;    ///< own kernel table, nullopt for the default
    std::vector<interface_info> interfaces;  ///< in configuration order
    std::vector<kernel_route> routes;      ///< installed routes with counters (route_book)
    counters stats;                        ///< the instance's counters
};

/// @brief One source record of a downstream group.
struct source_status {
    net::address source;  ///< source address
    /// Time left on the source timer; nullopt when stopped (EXCLUDE mode's
    /// Exclude List, RFC 3376 6.2.1).
    std::optional<core::duration> timer;
    unsigned retransmissions = 0;  ///< Q(G,S) still to send
};

/// @brief One host of a group seen by explicit tracking.
struct tracked_host_status {
    net::address host;                                    ///< the reporting host
    core::filter_mode mode = core::filter_mode::include;  ///< the host's filter mode
    std::vector<net::address> sources;                    ///< the host's source list
    bool older_version = false;  ///< joined with IGMPv1/v2 or MLDv1
    std::optional<core::duration> expires;  ///< time left
};

/// @brief One group of a downstream interface (RFC 3376 6.2.1 record).
struct group_status {
    net::address group;                                   ///< multicast group
    core::filter_mode mode = core::filter_mode::include;  ///< router filter mode
    std::optional<core::duration> filter_timer;  ///< time left (EXCLUDE mode)
    std::vector<source_status> sources;  ///< source records, sorted
    wire::version compatibility = wire::version::igmpv3;  ///< RFC 3376 7.3.2
    std::optional<core::duration> v1_host_present;  ///< time left
    std::optional<core::duration> v2_host_present;  ///< time left (IGMPv2 / MLDv1 host)
    unsigned retransmissions = 0;  ///< Q(G) still to send
    std::vector<tracked_host_status> hosts;  ///< hosts seen by explicit tracking
    bool tracking_complete = false;          ///< every interested host is known
};

/// @brief Querier state of a downstream interface (RFC 3376 6.6.2).
struct querier_status {
    bool is_querier = false;  ///< we are the querier
    /// The elected querier (ours when we are it); unspecified if none yet.
    net::address address;
    std::optional<core::duration> other_querier_present;  ///< time left
    std::optional<core::duration> next_general_query;     ///< time left
    unsigned startup_queries_left = 0;  ///< startup queries still to send
    unsigned robustness = 0;            ///< Robustness Variable in use
    core::duration query_interval{0};   ///< Query Interval in use
};

/// @brief The router side of a downstream interface.
struct downstream_status {
    /// False while the interface is down: the core holds no router then.
    bool active = false;
    querier_status querier;            ///< querier election state
    std::vector<group_status> groups;  ///< sorted by group
    std::size_t tracked_hosts = 0;     ///< (host, group) tracking entries
};

/// @brief What the proxy reports for one group on an upstream.
struct reported_group_status {
    net::address group;                 ///< multicast group
    core::membership state;             ///< the desired (reported) state
    bool retransmission_pending = false;  ///< state-change report still to repeat
    std::optional<core::duration> response_in;  ///< pending query response
};

/// @brief The host side of an upstream interface.
struct upstream_status {
    bool active = false;  ///< the core has a host for it
    wire::version compatibility = wire::version::igmpv3;  ///< RFC 3376 7.2.1
    std::vector<reported_group_status> groups;  ///< sorted by group
};

/// @brief An interface named in a route.
struct interface_ref {
    core::if_index id = 0;  ///< the daemon's interface id
    std::string name;  ///< "if<id>" when the instance does not know the id
};

/// @brief One kernel route.
struct route_status {
    net::address source;                 ///< S
    net::address group;                  ///< G
    interface_ref input;                 ///< incoming interface
    std::vector<interface_ref> outputs;  ///< outgoing interfaces
    /// Installed for a known source before data arrived (INCLUDE join).
    bool proactive = false;
    /// Whether the core's forwarding decisions still hold this route.
    bool known_to_core = false;
    std::optional<std::uint64_t> packets;          ///< kernel packet counter, nullopt until read
    std::optional<std::uint64_t> bytes;            ///< kernel byte counter, nullopt until read
    std::optional<std::uint64_t> wrong_interface;  ///< packets on a wrong interface, nullopt until read
};

/// @brief One interface with its router and/or host state.
struct interface_status {
    std::string name;                                  ///< interface name
    unsigned ifindex = 0;                              ///< kernel ifindex, 0 while missing
    core::if_index id = 0;                             ///< the daemon's interface id
    interface_role role = interface_role::downstream;  ///< side(s) it serves
    link_state state = link_state::missing;            ///< usable or not
    net::address address;                              ///< address in use; unspecified if none
    std::optional<downstream_status> downstream;  ///< downstream and peering
    std::optional<upstream_status> upstream;      ///< upstream and peering
};

/// @brief The whole state of one instance.
struct instance_status {
    std::string name;                                ///< pinstance name
    wire::version protocol = wire::version::igmpv3;  ///< protocol of the instance
    std::optional<std::uint32_t> table;              ///< own kernel table, nullopt for the default
    std::vector<interface_status> interfaces;        ///< in configuration order
    std::vector<route_status> routes;                ///< sorted by group, then source
    counters stats;                                  ///< the instance's counters
};

/// @brief Builds the snapshot of `inst` at `now` (call it on the thread that
/// owns `inst`). Routers and hosts are looked up by interface id; upstream
/// groups are those any downstream router has a record of (the core cannot
/// list a host's groups), reported if their desired state is not empty or a
/// retransmission is pending.
instance_status snapshot(const core::instance& inst, core::time_point now, const instance_info& info);

}  // namespace mcproxy::daemon
