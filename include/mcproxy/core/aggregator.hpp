// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief RFC 4605 4.1 merge of the downstream memberships into the
/// upstream state of each group, maintained incrementally.
#pragma once

#include <cstddef>
#include <functional>
#include <unordered_map>
#include <vector>

#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief Transforms the membership of `group` on interface `iface`
/// (a policy filter: e.g. a whitelist turning EXCLUDE{} into INCLUDE{S}).
/// The result must be a membership of the same family.
using membership_filter = std::function<membership(if_index iface, const net::address& group, const membership& m)>;

/// @brief The merged ("upstream") state of every group, from the
/// memberships of all downstream interfaces (RFC 4605 4.1).
///
/// Per group it keeps reference counts: how many downstreams include each
/// source, how many are in EXCLUDE mode, and how many of those exclude each
/// source. The counts are sorted vectors updated by one linear merge with
/// the old and new source lists, so one downstream change costs
/// O(distinct sources of the group), independent of the number of downstreams.
class aggregator {
public:
    /// @brief An empty merge; `downstream_filter`, if set, transforms every
    /// downstream membership before it counts (downstream `out` filters, doc/filters.md).
    explicit aggregator(membership_filter downstream_filter = {});

    /// @brief Sets the membership of `group` on downstream `iface` and
    /// returns whether the merged state of `group` changed.
    bool set(if_index iface, const net::address& group, const membership& m);
    /// @brief Forgets every membership of `iface`; returns the groups whose
    /// merged state changed, sorted.
    std::vector<net::address> remove_interface(if_index iface);
    /// @brief Replaces the downstream filter and applies it to the stored
    /// memberships; returns the groups whose merged state changed, sorted.
    std::vector<net::address> set_filter(membership_filter downstream_filter);

    /// @brief Merged state of `group` (INCLUDE{} if nobody wants it).
    membership merged(const net::address& group) const;
    /// @brief Membership of `group` on `iface` as it counts in the merge
    /// (after the filter).
    membership downstream(if_index iface, const net::address& group) const;
    /// @brief Calls `fn(if_index, const membership&)` for each downstream
    /// with a non-empty (filtered) membership of `group`, by interface index.
    template <typename F>
    void for_each_downstream(const net::address& group, F&& fn) const {
        auto it = groups_.find(group);
        if (it == groups_.end()) return;
        for (const auto& d : it->second.downstreams)
            if (!d.used.empty()) fn(d.iface, d.used);
    }
    /// @brief The merge computed from scratch with the RFC 4605 4.1 rules
    /// (for checks and tests; the stored one is incremental).
    membership recompute(const net::address& group) const;
    /// @brief All groups with a non-empty merged state, sorted.
    std::vector<net::address> groups() const;
    /// @brief Number of groups with any downstream membership.
    std::size_t group_count() const { return groups_.size(); }

private:
    struct downstream_state {
        if_index iface = 0;
        membership raw;   ///< as the router reported it
        membership used;  ///< after the filter
    };
    using counts = std::vector<std::pair<net::address, unsigned>>;  ///< sorted by address
    struct entry {
        std::vector<downstream_state> downstreams;  ///< sorted by iface
        unsigned exclude_members = 0;
        counts include_count;  ///< downstreams including each source
        counts exclude_count;  ///< EXCLUDE downstreams excluding each source
        membership merged;
    };

    membership filtered(if_index iface, const net::address& group, const membership& m) const;
    void adjust(counts& c, const source_set& minus, const source_set& plus);
    void recount(entry& e, const membership& before, const membership& after);
    static membership merge(const entry& e);
    bool apply(entry& e, std::size_t index, membership used);

    membership_filter filter_;
    std::unordered_map<net::address, entry> groups_;
    counts scratch_;  ///< reused buffer of adjust()
};

}  // namespace mcproxy::core
