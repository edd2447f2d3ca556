// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Forwarding decisions of one proxy instance (RFC 4605 4.2): which
/// (S,G) enters on which interface and leaves on which, kept in step with
/// the memberships, and idle entries removed by their packet counters.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "mcproxy/core/aggregator.hpp"
#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief Whether (S,G) arriving on `input` may be forwarded to `output`
/// (upstream `out` and downstream `out` filters plug in here, doc/filters.md).
using output_filter = std::function<bool(const route_key& key, if_index input, if_index output)>;

/// @brief Settings of the forwarding decisions.
struct forwarding_settings {
    /// A route whose packet counter has not moved for this long is removed.
    duration idle_timeout = std::chrono::seconds(60);
    /// How often the counters of all routes are requested.
    duration counter_interval = std::chrono::seconds(20);
    /// Bound on routes (and so on the kernel's cache entries): a source
    /// spraying (S,G)s nobody wants cannot grow the daemon or the kernel
    /// without limit. At the bound the oldest route that forwards nowhere
    /// makes room; when every route forwards somewhere, new ones are refused.
    std::size_t max_routes = 16384;
    /// Install routes for sources of INCLUDE memberships before data arrives
    /// (input: the first upstream); otherwise only kernel upcalls create routes.
    /// Off: measured (doc/benchmarks.md), an upcall-made route forwards the
    /// first packet of a new flow about 0.1 ms later and loses none, while
    /// proactive routes cost a kernel entry, memory and a setsockopt for
    /// every joined source, sent or not, so memory and CPU would follow the
    /// joined sources instead of the active flows.
    bool proactive_include = false;
    /// Optional policy hook; unset allows everything.
    output_filter allow_output;
    /// Downstream-sourced data goes to every allowed upstream (false) or
    /// only to the first allowed one in configuration order (true:
    /// `upstream * out rulematching first`, doc/filters.md).
    bool first_upstream_only = false;
};

/// @brief Chooses the input of a proactive route for `source` of a group
/// (nullopt: no proactive route, wait for the data).
using input_chooser = std::function<std::optional<if_index>(const net::address& source)>;

/// @brief One packet counter reading of a route.
struct counter_sample {
    route_key key;  ///< the route read
    std::uint64_t packets = 0;  ///< packets forwarded so far
};

/// @brief Input and outputs of one route, for status and tests.
struct route_status {
    if_index input = 0;  ///< the interface data must arrive on
    std::vector<if_index> outputs;  ///< the interfaces it is forwarded to
    bool proactive = false;  ///< programmed before any data arrived (a known INCLUDE source)
    friend bool operator==(const route_status&, const route_status&) = default;
};

/// @brief The (S,G) routes of one instance and address family.
///
/// An interface that is both upstream and downstream is a peering
/// interface (doc/peering.md). Split horizon: data arriving on a peering
/// interface goes only to pure downstreams; downstream-sourced data goes to
/// a peering interface only when the peer asked for it (its downstream
/// membership), never unasked as to an upstream.
///
/// Downstream memberships come from the aggregator (after its filter), so
/// the routes and the upstream reports always agree on what a downstream
/// wants. Every entry point takes `now` and appends actions to `out`;
/// set_route_action / remove_route_action are emitted only on change.
class forwarding {
public:
    /// @brief No interfaces and no routes; `memberships` must outlive this.
    forwarding(forwarding_settings settings, const aggregator& memberships);

    /// @brief Sets the interfaces (upstreams in configuration order);
    /// routes are recomputed, routes entering on a vanished interface removed.
    void set_interfaces(std::vector<if_index> upstreams, std::vector<if_index> downstreams, time_point now,
                        actions& out);
    /// @brief The kernel saw data from `source` to `group` on `iface` with no
    /// matching entry (NOCACHE) or on an unexpected interface (WRONGVIF).
    void on_upcall(if_index iface, const net::address& source, const net::address& group, time_point now,
                   actions& out);
    /// @brief The downstream memberships of `group` changed.
    void on_membership_change(const net::address& group, time_point now, actions& out);
    /// @brief As above; proactive routes enter where `choose` says.
    void on_membership_change(const net::address& group, time_point now, actions& out, const input_chooser& choose);
    /// @brief Packet counters read as asked by read_counters_action; routes
    /// idle for the idle timeout are removed.
    void on_counters(const std::vector<counter_sample>& samples, time_point now, actions& out);
    /// @brief Requests the counters when it is time.
    void advance(time_point now, actions& out);
    /// @brief When advance() next has work.
    std::optional<time_point> next_deadline() const;
    /// @brief Removes every route (shutdown).
    void clear(actions& out);
    /// @brief Replaces the output filter and recomputes every route.
    void set_output_filter(output_filter f, time_point now, actions& out);

    /// @brief The route of (S,G), if any.
    std::optional<route_status> route(const route_key& key) const;
    /// @brief Number of routes.
    std::size_t route_count() const { return routes_.size(); }
    /// @brief Routes refused because max_routes were in use and all forwarded somewhere.
    std::uint64_t refused_routes() const { return refused_; }
    /// @brief Last packet count reported for (S,G), if it has a route.
    std::optional<std::uint64_t> packets(const route_key& key) const;
    /// @brief The routes of `group` entering on `input`.
    std::vector<route_key> routes_from(const net::address& group, if_index input) const;

private:
    struct route_entry {
        if_index input = 0;
        std::vector<if_index> outputs;
        bool proactive = false;
        std::uint64_t packets = 0;
        time_point last_used{};
    };
    /// Keyed by (group, source) so the routes of one group are adjacent.
    using route_map = std::map<std::pair<net::address, net::address>, route_entry>;
    /// Makes room for one more route; false when none can be made.
    bool make_room(time_point now, actions& out);

    bool is_upstream(if_index i) const;
    bool is_downstream(if_index i) const;
    std::vector<if_index> outputs_for(const net::address& source, const net::address& group, if_index input) const;
    void install(const net::address& group, const net::address& source, if_index input, bool proactive,
                 time_point now, actions& out);
    void refresh(route_map::iterator it, actions& out);
    void remove(route_map::iterator it, actions& out);
    void schedule_poll(time_point now);

    forwarding_settings settings_;
    const aggregator& memberships_;
    std::vector<if_index> upstreams_;    ///< configuration order
    std::vector<if_index> downstreams_;  ///< sorted
    route_map routes_;
    /// Routes installed with no output, oldest first (stale keys are skipped).
    std::deque<std::pair<net::address, net::address>> unwanted_;
    /// Routes refused at the bound, and when that was last logged.
    std::uint64_t refused_ = 0;
    std::optional<time_point> refusal_logged_;
    std::optional<time_point> next_poll_;
};

}  // namespace mcproxy::core
