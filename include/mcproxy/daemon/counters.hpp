// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Per-instance counters the daemon increments: messages received and
/// sent by type, packets dropped by reason, kernel upcalls, route changes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "mcproxy/core/instance.hpp"
#include "mcproxy/daemon/intake.hpp"
#include "mcproxy/wire/error.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::daemon {

/// @brief Every IGMP/MLD message type, by protocol version. The names from
/// to_string() are stable (status JSON keys, documented in
/// doc/control-protocol.md); new kinds are only ever appended.
enum class message_kind : std::uint8_t {
    igmpv1_query,
    igmpv2_query,
    igmpv3_query,
    igmpv1_report,
    igmpv2_report,
    igmpv3_report,
    igmpv2_leave,
    mldv1_query,
    mldv2_query,
    mldv1_report,
    mldv2_report,
    mldv1_done,
};
/// @brief Number of message_kind values.
inline constexpr std::size_t message_kind_count = 12;
/// @brief Stable lower-case name, e.g. "igmpv3_report".
const char* to_string(message_kind k);
/// @brief The kind of a decoded message.
message_kind kind_of(const wire::message& m);

/// @brief Why a received packet was dropped: the intake's reasons are the
/// counter keys (one enumeration, one set of stable names).
using drop_cause = drop_reason;
/// @brief Number of drop_cause values.
inline constexpr std::size_t drop_cause_count = static_cast<std::size_t>(drop_reason::count_);
/// @brief The drop reason for a decoder error.
inline drop_cause drop_cause_of(wire::error e) { return drop_reason_of(e); }

/// @brief What a set/remove route action did to the kernel table.
enum class route_change : std::uint8_t { none, added, updated, removed };

/// @brief Counters of one instance. Plain integers: the instance thread
/// owns them and copies them into status snapshots.
struct counters {
    std::array<std::uint64_t, message_kind_count> received{};  ///< by message_kind
    std::array<std::uint64_t, message_kind_count> sent{};      ///< by message_kind
    std::array<std::uint64_t, drop_cause_count> dropped{};    ///< by drop_cause
    std::uint64_t upcalls_nocache = 0;   ///< NOCACHE upcalls read
    std::uint64_t upcalls_wrongvif = 0;  ///< WRONGVIF upcalls read
    std::uint64_t routes_added = 0;      ///< kernel entries added
    std::uint64_t routes_updated = 0;    ///< kernel entries replaced
    std::uint64_t routes_removed = 0;    ///< kernel entries removed
    std::uint64_t send_errors = 0;       ///< messages the kernel refused to send

    /// @brief A message was decoded and handed to the core.
    void count_received(const wire::message& m) { ++received[static_cast<std::size_t>(kind_of(m))]; }
    /// @brief A message was sent.
    void count_sent(const wire::message& m) { ++sent[static_cast<std::size_t>(kind_of(m))]; }
    /// @brief A packet was dropped.
    void count_dropped(drop_cause r) { ++dropped[static_cast<std::size_t>(r)]; }
    /// @brief A packet failed to decode.
    void count_dropped(wire::error e) { count_dropped(drop_cause_of(e)); }
    /// @brief A kernel upcall was read.
    void count_upcall(core::upcall_kind k);
    /// @brief A route change was applied to the kernel.
    void count_route(route_change c);

    /// @brief Count for one message kind.
    std::uint64_t received_of(message_kind k) const { return received[static_cast<std::size_t>(k)]; }
    /// @brief Count for one message kind.
    std::uint64_t sent_of(message_kind k) const { return sent[static_cast<std::size_t>(k)]; }
    /// @brief Count for one reason.
    std::uint64_t dropped_of(drop_cause r) const { return dropped[static_cast<std::size_t>(r)]; }
    /// @brief Sum over all kinds / reasons.
    std::uint64_t total_received() const;
    /// @brief Sum over all kinds.
    std::uint64_t total_sent() const;
    /// @brief Sum over all reasons.
    std::uint64_t total_dropped() const;
    /// @brief Sum of all route changes.
    std::uint64_t route_changes() const { return routes_added + routes_updated + routes_removed; }

    /// @brief Adds another instance's counters (totals over instances).
    counters& operator+=(const counters& o);
    friend bool operator==(const counters&, const counters&) = default;
};

/// @brief Parses a stable message kind name; nullopt if unknown.
std::optional<message_kind> parse_message_kind(std::string_view name);
/// @brief Parses a stable drop reason name; nullopt if unknown.
std::optional<drop_cause> parse_drop_cause(std::string_view name);

}  // namespace mcproxy::daemon
