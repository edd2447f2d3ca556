// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Upstream host side of IGMP/MLD on one interface: state-change
/// reports (RFC 3376 5.1, RFC 3810 6.1), query responses (RFC 3376 5.2,
/// RFC 3810 6.2) and older-version querier compatibility (RFC 3376 7.2.1,
/// RFC 3810 8.2.1, RFC 2236, RFC 2710).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief Configuration of the host part on one upstream interface.
struct host_settings {
    if_index iface = 0;  /**< the upstream interface */
    /// The instance protocol: the highest version this host speaks.
    wire::version ver = wire::version::igmpv3;
    /// Robustness Variable and Unsolicited Report Interval (RFC 3376 8.1,
    /// 8.11); query interval and response interval are the defaults used for
    /// the Older Version Querier Present Timeout until a querier tells us its own.
    timer_settings timers;
    /// Unsolicited Report Interval in IGMPv1/v2 and MLDv1 mode
    /// (RFC 2236 8.10, RFC 2710 7.10: 10 s).
    duration older_unsolicited_report_interval = std::chrono::seconds(10);
    /// Link MTU: reports are packed up to this size.
    std::size_t mtu = 1500;
    /// Pacing of IGMPv3/MLDv2 state-change reports in a burst: within this
    /// time after a state-change report, further changes wait until they
    /// fill a report or the time is up. A change after a quiet spell goes
    /// out at once. Zero sends every change at once.
    duration report_pacing = std::chrono::milliseconds(5);
    /// Seed of the report delay randomness.
    std::uint64_t seed = 1;
};

/// @brief One pair of a group and its new desired interface state.
using membership_change = std::pair<net::address, membership>;

/// @brief The host part of IGMP/MLD on one upstream interface.
///
/// The owner tells it the desired interface state per group (the merged
/// downstream state, RFC 4605 4.1) with set_membership(); the host sends
/// the reports a host with that reception state sends. Every entry point
/// takes `now` and appends actions to `out`.
class host {
public:
    /// @brief A host with no reception state.
    explicit host(host_settings settings);

    /// @brief Sets the interface state of `group`; INCLUDE{} removes it.
    /// Sends a state-change report at once when the state really changed.
    void set_membership(const net::address& group, const membership& m, time_point now, actions& out);
    /// @brief Several set_membership() calls whose immediate reports share packets.
    void set_memberships(const std::vector<membership_change>& changes, time_point now, actions& out);

    /// @brief Handles a message received on the interface: queries are
    /// answered; IGMPv1/v2 and MLDv1 reports of other hosts suppress ours
    /// in older-version mode (RFC 2236 3); anything else is ignored.
    void handle(const wire::message& msg, time_point now, actions& out);
    /// @brief Handles a membership query (RFC 3376 5.2 or RFC 2236 3).
    void on_query(const wire::query& q, time_point now, actions& out);

    /// @brief Runs every timer due at `now`.
    void advance(time_point now, actions& out);
    /// @brief Earliest pending deadline, nullopt if nothing is scheduled.
    std::optional<time_point> next_deadline() const;

    /// @brief The interface went down: pending reports and timers are
    /// dropped, the desired state is kept.
    void interface_down();
    /// @brief The interface came (back) up: the whole state is announced
    /// again as if every group had just been joined.
    void interface_up(time_point now, actions& out);

    /// @brief Changes the MTU used for packing.
    void set_mtu(std::size_t mtu) { settings_.mtu = mtu; }

    // ---- introspection ----
    /// @brief Settings as constructed.
    const host_settings& settings() const { return settings_; }
    /// @brief Version currently spoken (RFC 3376 7.2.1 Host Compatibility Mode).
    wire::version compat_version(time_point now) const;
    /// @brief Desired state of `group` (INCLUDE{} if none).
    membership state(const net::address& group) const;
    /// @brief Number of groups with reception state.
    std::size_t group_count() const;
    /// @brief Whether any state-change retransmission is pending for `group`.
    bool retransmission_pending(const net::address& group) const;
    /// @brief Whether a query response is scheduled for `group` (or, with
    /// an unspecified address, the general-query interface timer).
    std::optional<time_point> response_deadline(const net::address& group) const;

private:
    struct group_state {
        membership current;
        /// RFC 3376 5.1: Filter-Mode-Change records still to send.
        unsigned mode_retx = 0;
        /// RFC 3376 5.1: per-source retransmission state (reports still to send).
        std::map<net::address, unsigned> source_retx;
        /// RFC 2236 3: unsolicited v1/v2 reports still to send.
        unsigned older_retx = 0;
        /// RFC 3376 5.2: group timer of a pending response.
        std::optional<time_point> response_at;
        /// RFC 3376 5.2: recorded sources of a pending Group-and-Source query.
        source_set response_sources;
        /// Its state-change report waits in held_ (report_pacing).
        bool held = false;
        /// Whether state-change transmissions (v3 or older) are still due.
        bool retransmissions_left() const { return mode_retx > 0 || !source_retx.empty() || older_retx > 0; }
    };

    bool is_ipv6() const;
    bool older_mode(time_point now) const;
    wire::version older_version(time_point now) const;
    net::address v3_report_destination() const;
    duration older_querier_timeout(const wire::query& q) const;
    bool reportable(const net::address& group, time_point now) const;

    void change(const net::address& group, const membership& m, time_point now, actions& out);
    bool pacing(time_point now) const;
    void hold(const net::address& group, group_state& g, time_point now, actions& out);
    void send_held(time_point now, actions& out);
    void drop_held();
    void change_records(group_state& g, const net::address& group, std::vector<wire::group_record>& records);
    void send_v3(std::vector<wire::group_record> records, actions& out);
    void send_older_report(const net::address& group, time_point now, actions& out);
    void schedule_retransmit(time_point now, bool older);
    void retransmit(time_point now, actions& out);

    void query_v3(const wire::query& q, time_point now);
    void query_older(const wire::query& q, time_point now);
    void set_group_timer(const net::address& group, group_state& g, std::optional<time_point> at);
    void respond_general(actions& out);
    void respond_group(const net::address& group, group_state& g, time_point now, actions& out);
    void update_compat(time_point now);
    void cancel_pending();
    void collect(const net::address& group);

    host_settings settings_;
    jitter rng_;
    std::map<net::address, group_state> groups_;
    /// Groups with state-change retransmission state (v3 or older).
    std::set<net::address> pending_;
    /// Group response timers, ordered, for next_deadline().
    std::set<std::pair<time_point, net::address>> group_timers_;
    /// Groups whose state-change report waits (report_pacing), in order.
    std::vector<net::address> held_;
    /// Estimated record bytes of held_.
    std::size_t held_bytes_ = 0;
    /// End of the pacing window opened by the last state-change report.
    std::optional<time_point> pacing_until_;
    std::optional<time_point> general_response_at_;
    std::optional<time_point> retransmit_at_;
    /// RFC 3376 7.2.1: IGMPv1 Querier Present timer.
    std::optional<time_point> v1_querier_until_;
    /// RFC 3376 7.2.1 IGMPv2 Querier Present / RFC 3810 8.2.1 MLDv1 timer.
    std::optional<time_point> v2_querier_until_;
    /// Version in force after the last compat update.
    wire::version mode_;
    /// Querier's Robustness Variable and Query Interval learned from its
    /// IGMPv3/MLDv2 queries, for the Older Version Querier Present Timeout.
    unsigned querier_robustness_;
    duration querier_interval_;
};

}  // namespace mcproxy::core
