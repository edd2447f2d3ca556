// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The resolved configuration: what the daemon runs. Every name is
/// checked, every table flattened, every default filled in.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcproxy/config/error.hpp"
#include "mcproxy/config/rule_set.hpp"
#include "mcproxy/net/address.hpp"

namespace mcproxy::config {

using std::chrono::milliseconds;

/// @brief Group membership protocol of an instance.
enum class protocol_version : std::uint8_t { igmpv1, igmpv2, igmpv3, mldv1, mldv2 };

/// @brief "IGMPv3" etc.
std::string_view to_string(protocol_version p);
/// @brief IPv4 for IGMP, IPv6 for MLD.
net::family family_of(protocol_version p);

/// @brief The kernel allows this many VIFs/MIFs per multicast routing table (MAXVIFS).
inline constexpr std::size_t max_interfaces_per_instance = 32;

/// @brief Protocol timers, fast leave, limits and the off-link check of one downstream interface.
/// Every field holds the effective value: the RFC default unless configured.
struct downstream_tuning {
    unsigned robustness = 2;                                 ///< RFC 3376 8.1, RFC 3810 9.1
    milliseconds query_interval{125'000};                    ///< RFC 3376 8.2
    milliseconds query_response_interval{10'000};            ///< RFC 3376 8.3
    milliseconds startup_query_interval{125'000 / 4};        ///< RFC 3376 8.6: query interval / 4
    unsigned startup_query_count = 2;                        ///< RFC 3376 8.7: robustness
    milliseconds last_member_query_interval{1'000};          ///< RFC 3376 8.8
    unsigned last_member_query_count = 2;                    ///< RFC 3376 8.9: robustness
    bool fastleave = false;          ///< prune at once when the last tracked host leaves
    /// IGMP reports and leaves from a source outside the interface's subnets
    /// are accepted (RFC 3376 9.2 / RFC 2236 9 suggest ignoring them: default false).
    bool accept_off_link_reports = false;
    std::uint32_t max_groups = 4096;           ///< groups per interface
    std::uint32_t max_sources = 1024;          ///< sources per group record
    std::uint32_t max_hosts = 1024;            ///< tracked hosts (explicit tracking)
    friend bool operator==(const downstream_tuning&, const downstream_tuning&) = default;
};

/// @brief Filters bound to one interface (nullopt: everything allowed).
struct interface_filters {
    std::optional<filter> in;  ///< filter for the `in` direction
    std::optional<filter> out;  ///< filter for the `out` direction
    friend bool operator==(const interface_filters&, const interface_filters&) = default;
};

// The structs below are split in two: a `_settings` base holds what the
// daemon runs, with a defaulted operator== (a reload keeps whatever compares
// equal, and a field added later is compared without anyone remembering to);
// the derived struct adds where it was written, which never makes two
// configurations differ.

/// @brief What an upstream interface is configured to do.
struct upstream_settings {
    std::string name;  ///< interface name
    bool peering = false;  ///< also a downstream of the same instance
    interface_filters filters;  ///< bound filters (own binding or the `*` one)
    friend bool operator==(const upstream_settings&, const upstream_settings&) = default;
};

/// @brief An upstream interface, in configured order (order matters for `first`).
struct upstream : upstream_settings {
    location loc;  ///< where it was listed
};

/// @brief What a downstream interface is configured to do.
struct downstream_settings {
    std::string name;  ///< interface name
    bool peering = false;  ///< also an upstream of the same instance
    downstream_tuning tuning;  ///< effective timers, fast leave and limits
    interface_filters filters;  ///< bound filters (own binding or the `*` one)
    friend bool operator==(const downstream_settings&, const downstream_settings&) = default;
};

/// @brief A downstream interface.
struct downstream : downstream_settings {
    location loc;  ///< where it was listed
};

/// @brief How several upstreams share a group (doc/filters.md, "Several upstreams").
enum class matching : std::uint8_t { all, first, mutex };
/// @brief "all", "first" or "mutex".
std::string_view to_string(matching m);

/// @brief A rulematching setting; `timeout` is used by `mutex` only.
struct rule_matching {
    matching kind = matching::first;  ///< all, first or mutex
    milliseconds timeout{0};  ///< mutex: how long without data before all upstreams are used again
    friend bool operator==(const rule_matching&, const rule_matching&) = default;
};

/// @brief What one proxy instance runs: its own kernel table, protocol and
/// interfaces. Two instances whose settings compare equal run identically.
struct instance_settings {
    std::string name;  ///< unique name
    protocol_version protocol = protocol_version::igmpv3;  ///< group membership protocol
    net::family family = net::family::ipv4;  ///< follows from the protocol
    std::uint32_t table = 0;      ///< kernel multicast routing table; 0: the default one (no policy rules)
    bool table_explicit = false;  ///< written as `name(N)`, else assigned
    std::vector<upstream> upstreams;  ///< in priority order
    std::vector<downstream> downstreams;  ///< in configured order
    std::vector<std::string> peering;  /**< interfaces on both sides, in upstream order */
    /// @brief Filters bound with `*`; they are already copied into every
    /// interface of that side without its own binding, and kept here for
    /// interfaces added later (reload) and for display.
    interface_filters upstream_defaults;
    interface_filters downstream_defaults;  ///< the same for the downstream side
    rule_matching upstream_in{matching::first, milliseconds{0}};  ///< default `first`
    rule_matching upstream_out{matching::all, milliseconds{0}};   ///< default `all`
    milliseconds route_idle_timeout{300'000};  ///< unused (S,G) entries are removed after this
    friend bool operator==(const instance_settings&, const instance_settings&) = default;
};

/// @brief One proxy instance as configured, with where it was defined.
struct instance : instance_settings {
    location loc;  ///< of the `pinstance` definition

    /// @brief Number of distinct interfaces (a peering interface counts once).
    std::size_t interface_count() const;
    /// @brief The upstream called `n`, or nullptr.
    const upstream* find_upstream(std::string_view n) const;
    /// @brief The downstream called `n`, or nullptr.
    const downstream* find_downstream(std::string_view n) const;
};

/// @brief The whole configuration.
struct model {
    std::string file;  ///< the file name, for messages
    bool disabled = false;  ///< `disable;` was given: the daemon must not start
    std::vector<instance> instances;  /**< in file order */
    /// @brief Every named table, flattened (also the unused ones), by name.
    /// A table has no family of its own: here `*` stands for the family of
    /// its first concrete address (IPv4 if it has none). The filters bound
    /// to interfaces hold the rules resolved for their instance's family.
    std::map<std::string, rule_set> tables;

    /// @brief The instance called `n`, or nullptr.
    const instance* find_instance(std::string_view n) const;
};

}  // namespace mcproxy::config
