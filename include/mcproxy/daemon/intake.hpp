// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Validation of every received IGMP/MLD packet before it reaches the
/// core: decoded message or a counted reason to drop it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "mcproxy/kernel/mroute_types.hpp"
#include "mcproxy/wire/error.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::daemon {

/// @brief Why a received packet was dropped.
enum class drop_reason : std::uint8_t {
    malformed,              ///< the codec refused it (truncated, bad length/counts, ...)
    bad_checksum,           ///< IGMP/ICMPv6 checksum wrong
    unknown_type,           ///< not a membership message
    bad_ttl,                ///< TTL / hop limit not 1
    not_link_local_source,  ///< MLD from a source that is not link-local
    own_message,            ///< sent by ourselves
    not_our_interface,      ///< arrived on an interface of no (usable) configured interface
    wrong_family,           ///< IGMP in an MLD instance or the other way round
    count_                  ///< number of reasons (not a reason)
};

/// @brief Stable name of a reason ("bad_ttl", ...).
const char* to_string(drop_reason r);

/// @brief Counters of dropped packets, by reason.
struct drop_counters {
    std::array<std::uint64_t, static_cast<std::size_t>(drop_reason::count_)> by_reason{};  /**< one counter per drop_reason, indexed by its value */
    /// @brief Counts one drop.
    void count(drop_reason r) { ++by_reason[static_cast<std::size_t>(r)]; }
    /// @brief How many were dropped for `r`.
    std::uint64_t operator[](drop_reason r) const { return by_reason[static_cast<std::size_t>(r)]; }
    /// @brief All drops.
    std::uint64_t total() const;
};

/// @brief A decoded message, or why it was dropped.
struct intake_result {
    std::optional<wire::message> msg;  ///< set when accepted
    drop_reason reason = drop_reason::malformed;  ///< meaningful when !msg
};

/// @brief Checks and decodes an IGMP packet (IPv4 datagram as received).
/// RFC 3376 4 / RFC 2236 2: IGMP is sent with TTL 1, so anything else came
/// through a router and is not from this link.
intake_result check_igmp(const kernel::received_packet& p);

/// @brief Checks and decodes an MLD packet. RFC 3810 5 / RFC 2710 3: hop
/// limit 1 and a link-local source (RFC 3810 5.2.13 also allows reports from
/// the unspecified address, sent during DAD).
intake_result check_mld(const kernel::received_packet& p);

}  // namespace mcproxy::daemon
