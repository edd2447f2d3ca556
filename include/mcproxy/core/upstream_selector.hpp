// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Rule matching of several upstreams (doc/filters.md): which upstream
/// reports which part of a group's membership, and the `mutex` state that
/// follows the data.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "mcproxy/core/filter_policy.hpp"
#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief Splits a group's membership between the upstreams.
///
/// Input per group: the candidate state of every upstream (the merge as its
/// `in` filter transforms it), in configuration order. Output: what each
/// upstream reports.
///   - all: every candidate as it is;
///   - first: each upstream reports its candidate minus everything earlier
///     upstreams already report: an explicit source goes to the first
///     upstream that allows it (per (S,G)), an any-source join to the first
///     upstream whose candidate is EXCLUDE (per group), and later upstreams
///     only get the sources the earlier ones refused;
///   - mutex: like all until data of the group arrives on an upstream L
///     that reports it; then L reports its candidate and every other
///     upstream only what L's does not cover (normally nothing). When no
///     data has been seen on L for the timeout the lock ends (like all).
///
/// Mutex data is learnt from kernel upcalls and from moving packet
/// counters. While a group is locked the selector asks for the counters of
/// its routes from L every timeout/10 (at least 1 ms) and at exactly
/// last-data + timeout; when that answer shows no new packet, the lock ends
/// then. An unanswered probe counts as no data at the next probe time.
class upstream_selector {
public:
    /// @brief A selector for `upstreams` (configuration order).
    upstream_selector(upstream_in_matching kind, duration timeout, std::vector<if_index> upstreams);

    /// @brief What each upstream reports, given each upstream's candidate
    /// (same order and length as the upstreams).
    std::vector<membership> select(const net::address& group, const std::vector<membership>& candidates) const;

    /// @brief Data of `group` arrived on upstream `u` at `now` (mutex only);
    /// returns true when this starts a lock (the reports must be redone).
    bool on_data(const net::address& group, if_index u, time_point now);
    /// @brief The group has no membership any more: forget its lock.
    void forget(const net::address& group);
    /// @brief Ends the lock of `group` (e.g. no route left to watch).
    void unlock(const net::address& group);
    /// @brief The upstream `group` is locked to, if any.
    std::optional<if_index> locked(const net::address& group) const;

    /// @brief A request to read the counters of `group`'s routes entering on `upstream`.
    struct probe {
        net::address group;    ///< the locked group
        if_index upstream = 0; ///< the upstream it is locked to
    };
    /// @brief Due probes are appended to `probes`; locks that ended because
    /// a probe went unanswered are appended to `unlocked`.
    void advance(time_point now, std::vector<probe>& probes, std::vector<net::address>& unlocked);
    /// @brief The counters asked for were reported (after on_data() for
    /// every moved counter): locks without data for the timeout end; their
    /// groups are appended to `unlocked`.
    void settle(time_point now, std::vector<net::address>& unlocked);
    /// @brief The probe of `group` is answered with no new data.
    void settle(const net::address& group, time_point now, std::vector<net::address>& unlocked);
    /// @brief When advance() next has work.
    std::optional<time_point> next_deadline() const;

    /// @brief The matching kind.
    upstream_in_matching kind() const { return kind_; }
    /// @brief Number of locked groups.
    std::size_t lock_count() const { return locks_.size(); }

private:
    struct lock_state {
        if_index upstream = 0;
        time_point last_data{};
        time_point probe_at{};
        bool awaiting = false;  ///< a probe was sent and not yet answered
    };

    duration probe_interval() const;
    void schedule(const net::address& group, lock_state& l, time_point at);
    void drop(std::map<net::address, lock_state>::iterator it);

    upstream_in_matching kind_;
    duration timeout_;
    std::vector<if_index> upstreams_;
    std::map<net::address, lock_state> locks_;
    std::set<std::pair<time_point, net::address>> schedule_;
    std::set<net::address> awaiting_;
};

}  // namespace mcproxy::core
