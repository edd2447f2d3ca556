// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The kernel routes of one instance as the daemon installed them,
/// with the packet counters last read, for status output.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "mcproxy/core/types.hpp"
#include "mcproxy/daemon/counters.hpp"

namespace mcproxy::daemon {

/// @brief One (S,G) entry in the kernel table with its last counters.
struct kernel_route {
    core::route_key key;                 ///< (S,G)
    core::if_index input = 0;            ///< core id of the incoming interface
    std::vector<core::if_index> outputs; ///< core ids of the outgoing interfaces
    std::optional<std::uint64_t> packets;         ///< last read, nullopt if never read
    std::optional<std::uint64_t> bytes;           ///< last read, nullopt if never read
    std::optional<std::uint64_t> wrong_interface; ///< last read, nullopt if never read
    friend bool operator==(const kernel_route&, const kernel_route&) = default;
};

/// @brief Mirrors the route actions the daemon applied to the kernel.
///
/// The core's forwarding decisions cannot be listed (only looked up), so
/// the daemon feeds every set/remove route action it applied to the kernel
/// through apply(); routes() is then the installed table for the snapshot.
class route_book {
public:
    /// @brief Records a set_route_action / remove_route_action; other
    /// actions are ignored (none). Returns what changed, for counters.
    route_change apply(const core::action& a);
    /// @brief Records kernel counters read for `key` (ignored if unknown).
    void set_counters(const core::route_key& key, std::uint64_t packets, std::uint64_t bytes,
                      std::uint64_t wrong_interface);
    /// @brief Forgets every route (after shutdown or a lost routing socket).
    void clear() { routes_.clear(); }
    /// @brief The route of (S,G), if installed.
    const kernel_route* find(const core::route_key& key) const;
    /// @brief Number of installed routes.
    std::size_t size() const { return routes_.size(); }
    /// @brief Installed routes sorted by group, then source.
    std::vector<kernel_route> routes() const;

private:
    struct by_group {
        bool operator()(const core::route_key& a, const core::route_key& b) const {
            return a.group != b.group ? a.group < b.group : a.source < b.source;
        }
    };
    std::map<core::route_key, kernel_route, by_group> routes_;
};

}  // namespace mcproxy::daemon
