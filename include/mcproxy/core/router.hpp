// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Downstream router side of IGMP/MLD on one interface and family:
/// membership database (RFC 3376 6, RFC 3810 7), querier (RFC 3376 6.6),
/// older-version hosts (RFC 3376 7.3, RFC 3810 8.3), explicit tracking.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mcproxy/core/membership_record.hpp"
#include "mcproxy/core/router_status.hpp"
#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief Configuration of one downstream router.
struct router_settings {
    if_index iface = 0;  /**< the downstream interface */
    /// Interface name for log lines (empty: "if<iface>").
    std::string name;
    /// The querier's protocol version (`protocol ...`); it fixes the family.
    wire::version ver = wire::version::igmpv3;
    timer_settings timers;  /**< query and membership timers of the interface */
    /// Prune at once when the last tracked host leaves (explicit tracking).
    bool fastleave = false;
    /// Our IPv4 address or IPv6 link-local address; unspecified until known.
    net::address own_address;
    /// Bound on (host, group) tracking entries, against spoofed floods.
    std::size_t max_tracked_hosts = 8192;
    /// Bound on group records, against spoofed floods.
    std::size_t max_groups = 65536;
    /// Bound on source records per group (and sources per tracked host).
    std::size_t max_sources_per_group = 1024;
};

/// @brief Groups whose interface membership changed during one call.
using group_list = std::vector<net::address>;

/// @brief The router part of IGMP/MLD on one downstream interface.
///
/// Every entry point takes `now` and appends the actions to perform to
/// `out`; it returns the groups whose membership() changed. Timers are
/// deadlines in the records; a heap of group deadlines gives
/// next_deadline() without scanning the groups.
class router {
public:
    /// @brief A router that starts its querier duties at `now` (startup
    /// queries begin at the first advance() if the own address is known).
    router(router_settings settings, time_point now);

    /// @brief Handles one decoded message received on the interface from
    /// `from` (the IP source address).
    group_list handle(const wire::message& msg, const net::address& from, time_point now, actions& out);
    /// @brief Peering (doc/peering.md): our own state-change report, looped back on
    /// a peering link where we are the querier. We do not record ourselves
    /// as a member, but the peer, a non-querier, ages out what we no longer
    /// want only through the querier's queries (RFC 3376 6.6.1): send the
    /// Q(G) or Q(G,S) the report calls for (RFC 3376 6.4.2), once, without
    /// touching any record. Our own host part answers them if it still wants.
    void query_for_own_report(const wire::message& msg, actions& out);
    /// @brief Runs every timer due at `now`.
    group_list advance(time_point now, actions& out);
    /// @brief The earliest time advance() has work; never later than the
    /// true earliest deadline, and exact right after advance().
    std::optional<time_point> next_deadline() const;

    /// @brief Sets (or clears, with an unspecified address) our address.
    void set_address(const net::address& own, time_point now, actions& out);

    /// @brief Interface membership of `group` (INCLUDE{} if unknown).
    core::membership membership(const net::address& group) const;

    // ---- introspection for status output and tests ----
    /// @brief Settings as constructed.
    const router_settings& settings() const { return settings_; }
    /// @brief Timer values in use (configured, or adopted from the querier).
    const timer_settings& timers() const { return timers_; }
    /// @brief Number of group records.
    std::size_t group_count() const { return groups_.size(); }
    /// @brief Number of source records over all groups.
    std::size_t source_count() const;
    /// @brief Number of (host, group) tracking entries.
    std::size_t tracked_host_count() const { return tracked_hosts_; }
    /// @brief Snapshot of one group, nullopt if there is no record.
    std::optional<router_group_status> group(const net::address& group, time_point now) const;
    /// @brief Snapshots of all groups, sorted by group address.
    std::vector<router_group_status> groups(time_point now) const;
    /// @brief Querier state.
    router_querier_status querier() const;
    /// @brief The raw record of a group (tests and invariant checks).
    const group_record* record(const net::address& group) const;
    /// @brief Calls `fn(const group_record&)` for every record, unordered.
    template <typename F>
    void for_each_record(F&& fn) const {
        for (const auto& [g, rec] : groups_) fn(rec);
    }
    /// @brief Bytes of heap memory held by the database (capacity based).
    std::size_t memory_bytes() const;

private:
    struct query_request {
        bool group = false;
        source_set sources;
    };
    struct heap_entry {
        time_point at;
        net::address group;
    };

    bool is_ipv6() const;
    wire::version compat_of(const group_record& g) const;
    bool tracking_complete(const group_record& g, time_point now) const;

    // messages
    void on_query(const wire::query& q, const net::address& from, time_point now, actions& out, group_list& changed);
    void on_report_v3(const wire::report_v3& r, const net::address& from, time_point now, actions& out,
                      group_list& changed);
    void on_report_v1v2(const wire::report_v1v2& r, const net::address& from, time_point now, actions& out,
                        group_list& changed);
    void on_leave(const wire::leave& l, const net::address& from, time_point now, actions& out,
                  group_list& changed);
    bool acceptable_group(const net::address& group, const char* what, actions& out) const;
    void process_record(const net::address& group, wire::record_type type, source_set sources,
                        const net::address& from, time_point now, actions& out, group_list& changed);
    void older_join(const net::address& group, wire::version ver, const net::address& from, time_point now,
                    actions& out, group_list& changed);
    void older_leave(const net::address& group, const net::address& from, time_point now, actions& out,
                     group_list& changed);
    void conclude(group_record& g, bool ch, query_request& q, time_point now, actions& out, group_list& changed);

    // membership database
    group_record* find_group(const net::address& group);
    group_record* catch_up(const net::address& group, time_point now, actions& out, group_list& changed);
    group_record* find_or_create(const net::address& group, time_point now, actions& out);
    bool apply_record(group_record& g, wire::record_type type, const source_set& a, time_point now,
                      query_request& q);
    bool fastleave_prune(group_record& g, query_request& q, time_point now);
    void switch_to_include(group_record& g);
    void track(group_record& g, wire::record_type type, const source_set& a, const net::address& host,
               time_point now);
    void track_older(group_record& g, const net::address& host, time_point now);
    void untrack(group_record& g, const net::address& host);
    bool expire(group_record& g, time_point now, actions& out);
    void finish(group_record& g, bool changed_flag, group_list& changed);
    void erase_group(const net::address& group);
    void schedule(group_record& g);

    // queries
    void send_group_query(group_record& g, time_point now, actions& out);
    void send_source_query(group_record& g, const source_set& x, time_point now, actions& out);
    void retransmit_group_query(group_record& g, time_point now, actions& out);
    void retransmit_source_query(group_record& g, time_point now, actions& out);
    void emit_query(const net::address& group, bool s_flag, std::vector<net::address> sources,
                    actions& out);
    void send_general_query(time_point now, actions& out);
    void become_querier(time_point now, actions& out, bool startup);
    void adopt(const wire::query& q);
    void log(log_level level, std::string text, actions& out) const;

    router_settings settings_;
    timer_settings timers_;  ///< settings_.timers with adopted QRV/QQI
    /// From then on every host that wants a group has reported to us at
    /// least [Robustness] times (see tracking_complete()).
    time_point tracking_complete_at_;
    std::unordered_map<net::address, group_record> groups_;
    std::vector<heap_entry> heap_;  ///< min-heap on `at`, lazily cleaned
    std::size_t tracked_hosts_ = 0;
    bool limit_logged_ = false;
    /// Groups whose overdue timers handle() ran, with their membership before.
    std::vector<std::pair<net::address, core::membership>> late_;

    bool is_querier_ = false;
    net::address querier_address_;
    time_point other_querier_until_ = timer_off;
    time_point next_general_ = timer_off;
    unsigned startup_left_ = 0;
};

}  // namespace mcproxy::core
