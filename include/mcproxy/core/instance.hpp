// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief One proxy instance (RFC 4605) for one address family: a router
/// per downstream, a host per upstream, the merge and the forwarding
/// decisions, driven by events.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "mcproxy/core/aggregator.hpp"
#include "mcproxy/core/forwarding.hpp"
#include "mcproxy/core/host.hpp"
#include "mcproxy/core/router.hpp"
#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief Configuration of one instance.
struct instance_settings {
    /// The instance protocol (`protocol ...`): querier version downstream,
    /// highest host version upstream, and the address family.
    wire::version ver = wire::version::igmpv3;
    /// Upstream interfaces in configuration order.
    std::vector<if_index> upstreams;
    /// Downstream interfaces.
    std::vector<if_index> downstreams;
    /// Template for every downstream router (iface and ver are filled in).
    router_settings router;
    /// Per-downstream overrides of the template (iface and ver are filled in).
    std::map<if_index, router_settings> router_overrides;
    /// Template for every upstream host (iface, ver and seed are filled in).
    host_settings host;
    forwarding_settings forwarding;  /**< route idle timeout and proactive routes */
    /// Transforms the merged state before it is reported on an upstream
    /// (issue 5: upstream `in` filters and rule matching plug in here).
    membership_filter upstream_filter;
    /// Transforms a downstream membership before it is merged (issue 5:
    /// downstream `out` filters).
    membership_filter downstream_filter;
    /// Seed of all randomness (hosts get seed + their position).
    std::uint64_t seed = 1;
};

/// @brief A decoded IGMP/MLD message received on an interface.
struct message_event {
    if_index iface = 0;  ///< the arrival interface
    net::address source;       ///< IP source address
    net::address destination;  ///< IP destination address
    wire::message msg;  ///< the decoded message
};

/// @brief Why the kernel sent an upcall.
enum class upcall_kind : std::uint8_t { nocache, wrongvif };

/// @brief The kernel saw data from `source` to `group` on `iface`.
struct upcall_event {
    upcall_kind kind = upcall_kind::nocache;  ///< no cache entry, or wrong input interface
    if_index iface = 0;  ///< the arrival interface
    net::address source;  ///< the data's source address
    net::address group;  ///< the data's group address
};

/// @brief An interface of the instance went up or down.
struct link_event {
    if_index iface = 0;  ///< the interface
    bool up = true;  ///< true: up, false: down
};

/// @brief The address the instance uses on an interface changed
/// (unspecified: none). IPv4 address, or IPv6 link-local address.
struct address_event {
    if_index iface = 0;  ///< the interface
    net::address address;  ///< the new address (unspecified: none)
};

/// @brief Packet counters read for read_counters_action.
struct counters_event {
    std::vector<counter_sample> samples;  ///< one per route asked for
};

/// @brief Anything the daemon tells an instance.
using event = std::variant<message_event, upcall_event, link_event, address_event, counters_event>;

/// @brief One proxy instance for one address family.
///
/// Data flow: a downstream router reports which groups changed; their
/// memberships go into the aggregator; real changes of the merged state go
/// to every upstream host (rule matching comes later: today every
/// membership is reported on every upstream) and the routes of the group
/// are recomputed.
class instance {
public:
    /// @brief Starts the routers (querier startup) at `now`.
    instance(instance_settings settings, time_point now);

    /// @brief Handles one event.
    void handle(const event& ev, time_point now, actions& out);
    /// @brief Runs every timer due at `now`.
    void advance(time_point now, actions& out);
    /// @brief Earliest deadline of all parts.
    std::optional<time_point> next_deadline() const;
    /// @brief Removes every route (clean shutdown).
    void shutdown(actions& out);

    // ---- introspection ----
    /// @brief Merged (upstream) state of `group`.
    membership merged(const net::address& group) const { return aggregator_.merged(group); }
    /// @brief The router of a downstream (nullptr if unknown or down).
    const router* downstream(if_index iface) const;
    /// @brief The host of an upstream (nullptr if unknown).
    const host* upstream(if_index iface) const;
    /// @brief The forwarding decisions.
    const forwarding& routes() const { return forwarding_; }

private:
    struct upstream_part {
        if_index iface = 0;
        bool up = true;
        net::address own;
        std::unique_ptr<host> h;
    };
    struct downstream_part {
        if_index iface = 0;
        router_settings settings;
        std::unique_ptr<router> r;  ///< null while the link is down
    };

    upstream_part* find_upstream(if_index i);
    downstream_part* find_downstream(if_index i);
    void on_message(const message_event& m, time_point now, actions& out);
    void on_link(const link_event& l, time_point now, actions& out);
    void on_address(const address_event& a, time_point now, actions& out);
    void propagate(if_index iface, const router& r, const group_list& changed, time_point now, actions& out);
    void report(const std::vector<net::address>& groups, time_point now, actions& out);
    void update_interfaces(time_point now, actions& out);

    instance_settings settings_;
    std::vector<upstream_part> upstreams_;
    std::vector<downstream_part> downstreams_;
    aggregator aggregator_;
    forwarding forwarding_;
};

}  // namespace mcproxy::core
