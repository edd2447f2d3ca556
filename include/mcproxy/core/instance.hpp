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
#include "mcproxy/core/filter_policy.hpp"
#include "mcproxy/core/forwarding.hpp"
#include "mcproxy/core/host.hpp"
#include "mcproxy/core/router.hpp"
#include "mcproxy/core/types.hpp"
#include "mcproxy/core/upstream_selector.hpp"

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
    forwarding_settings forwarding;  /**< route idle timeout, proactive routes, route bound */
    /// Filter tables per interface and direction, upstream rule matching and
    /// the mutex timeout (doc/filters.md; see filter_policy and upstream_selector).
    /// `forwarding.first_upstream_only` is overridden by `filters.out_matching`.
    filter_settings filters;
    /// Extra hook: transforms an upstream's candidate state after its `in`
    /// filter and before rule matching.
    membership_filter upstream_filter;
    /// Extra hook: transforms a downstream membership before it is merged
    /// (before the downstream `out` filter).
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
/// memberships go into the aggregator (and into one per-upstream merge
/// when downstream `out` filters or peering make the merge differ per
/// upstream); each upstream's merge passes its `in` filter, rule matching
/// (upstream_selector) splits the group between the upstreams, the hosts
/// report what changed, and the routes of the group are recomputed.
///
/// Peering interfaces (listed as upstream and downstream, one id in both
/// lists) follow split horizon, see doc/peering.md: a peer's membership is
/// never reported on a peering interface, data from a peer only goes to
/// pure downstreams, and our own looped-back reports on a peering link are
/// not taken as a peer's membership while our own queries there are
/// answered by our host part (so a non-querier peer keeps learning ours).
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

    /// @brief Starts a batch: upstream reports caused by the events handled
    /// until end_batch() are sent together, packed into as few reports as
    /// fit (a burst of host reports read at once gives one upstream report,
    /// not one per host report). Routes are still updated at once.
    void begin_batch() { batching_ = true; }
    /// @brief Ends the batch and sends its upstream reports.
    void end_batch(time_point now, actions& out);

    // ---- reconfiguration (reload) ----
    /// @brief Adds a downstream interface at run time (a reload that adds
    /// it): a fresh querier starts on it; nothing else changes. Only for
    /// instances without filters or peering interfaces (the daemon restarts
    /// those instead); returns false when that does not hold or `iface` is known.
    bool add_downstream(if_index iface, router_settings rs, time_point now, actions& out);
    /// @brief Removes a downstream interface at run time: its memberships
    /// leave the merge (reported upstream) and its routes lose it. Same
    /// condition as add_downstream(); returns false if it does not hold.
    bool remove_downstream(if_index iface, time_point now, actions& out);

    // ---- introspection ----
    /// @brief Merged (upstream) state of `group`.
    membership merged(const net::address& group) const { return aggregator_.merged(group); }
    /// @brief The router of a downstream (nullptr if unknown or down).
    const router* downstream(if_index iface) const;
    /// @brief The host of an upstream (nullptr if unknown).
    const host* upstream(if_index iface) const;
    /// @brief The forwarding decisions.
    const forwarding& routes() const { return forwarding_; }
    /// @brief The state upstream `iface` reports for `group` (INCLUDE{} if none).
    membership reported(if_index iface, const net::address& group) const;
    /// @brief Mutex rule matching: the upstream `group` is locked to.
    std::optional<if_index> locked_upstream(const net::address& group) const { return selector_.locked(group); }
    /// @brief The filters in force.
    const filter_policy& policy() const { return *policy_; }

private:
    struct upstream_part {
        if_index iface = 0;
        bool up = true;
        net::address own;
        std::unique_ptr<host> h;
        /// This upstream's own merge; null when it equals the common one.
        std::unique_ptr<aggregator> view;
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
    void reroute(const std::vector<net::address>& groups, time_point now, actions& out);
    void update_interfaces(time_point now, actions& out);
    void forget_downstream(downstream_part& d, time_point now, actions& out);
    bool reconfigurable() const { return !policy_->has_filters() && !policy_->has_peering(); }
    void on_upcall(const upcall_event& e, time_point now, actions& out);
    void on_counters(const counters_event& c, time_point now, actions& out);
    void upstream_data(const net::address& source, const net::address& group, if_index u, time_point now,
                       std::vector<net::address>& relocked);
    std::optional<if_index> proactive_input(const net::address& group, const net::address& source) const;
    const aggregator& merge_for(const upstream_part& u) const { return u.view ? *u.view : aggregator_; }

    bool batching_ = false;
    std::vector<net::address> pending_reports_;  ///< groups to report at end_batch()
    instance_settings settings_;
    std::shared_ptr<const filter_policy> policy_;
    upstream_selector selector_;
    std::vector<upstream_part> upstreams_;
    std::vector<downstream_part> downstreams_;
    aggregator aggregator_;
    forwarding forwarding_;
};

}  // namespace mcproxy::core
