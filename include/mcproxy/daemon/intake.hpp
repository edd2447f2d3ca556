// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Validation of every received IGMP/MLD packet before it reaches the
/// core: decoded message or a counted reason to drop it. The accepted and
/// refused cases, with the RFC text behind each, are in doc/packet-validation.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "mcproxy/kernel/mroute_types.hpp"
#include "mcproxy/net/address.hpp"
#include "mcproxy/wire/error.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::daemon {

/// @brief Why a received packet was not handed to the core. The names from
/// to_string() are stable (counter labels); new reasons are only appended.
/// Same values and names as the control socket's counters.
enum class drop_reason : std::uint8_t {
    truncated,              ///< buffer ends before a fixed part (wire::error::truncated)
    bad_length,             ///< length not allowed for the type
    bad_count,              ///< a record/source count or aux length points past the end
    bad_checksum,           ///< IGMP/ICMPv6 (or IPv4 header) checksum wrong
    unknown_type,           ///< not a membership message type
    not_multicast,          ///< group address not multicast
    fragment,               ///< IP fragment, or a reassembled datagram larger than the link MTU
    bad_ip_header,          ///< malformed IPv4 header or options
    wrong_protocol,         ///< not IGMP / ICMPv6
    bad_ext_header,         ///< malformed IPv6 extension headers
    wrong_version,          ///< version or address family does not fit the instance
    bad_ttl,                ///< TTL / hop limit not 1 (RFC 3376 4, RFC 2236 2, RFC 3810 5)
    no_router_alert,        ///< Router Alert missing where the version requires it
    not_link_local_source,  ///< MLD from a source that is not link-local (RFC 3810 5.1.14, 5.2.13)
    off_link_source,        ///< IGMP report/leave from outside the interface's subnets (RFC 3376 9.2)
    own_message,            ///< sent by ourselves
    unknown_interface,      ///< arrived on an interface the instance does not use
    interface_down,         ///< arrived on a configured interface that is not usable
    filtered,               ///< refused by a configured rule
    limit_exceeded,         ///< a state limit (groups, sources, hosts) was reached
    malformed,              ///< any other decode error
    count_                  ///< number of reasons (not a reason)
};

/// @brief Stable name of a reason ("bad_ttl", ...).
const char* to_string(drop_reason r);
/// @brief The drop reason for a decoder error.
drop_reason drop_reason_of(wire::error e);

/// @brief An address of an interface with its prefix length (IFA_LOCAL/prefixlen).
struct subnet {
    net::address address;     ///< one of the interface's addresses
    unsigned prefix_len = 0;  ///< its prefix length
    /// @brief Whether `a` lies in this subnet (same family, same first prefix_len bits).
    bool contains(const net::address& a) const;
    friend bool operator==(const subnet&, const subnet&) = default;
};

/// @brief What the intake knows about the arrival interface. Spans, so that
/// building one per packet allocates nothing.
struct link_view {
    /// IPv4: the interface's addresses with prefix lengths. Empty (no
    /// address, e.g. an unnumbered link) or only /32 (point-to-point, whose
    /// only neighbour is the peer): the on-link check cannot be made and is skipped.
    std::span<const subnet> subnets;
    /// Our own addresses on the interface: messages from them are our own.
    std::span<const net::address> own;
    /// Link MTU, 0 if unknown. A membership message never needs fragmenting
    /// (RFC 3376 4.2.16, RFC 3810 5.2.15 split reports to fit the MTU), so a
    /// reassembled one larger than the MTU was fragmented on purpose.
    unsigned mtu = 0;
};

/// @brief Switchable checks.
struct intake_policy {
    /// RFC 3376 9.2 / RFC 2236 9: ignore IGMP reports and leaves whose source
    /// is not in a subnet of the arrival interface (0.0.0.0 always accepted,
    /// RFC 3376 4.2.13). Default on.
    bool require_on_link_source = true;
};

/// @brief A decoded message, or why it was dropped.
struct intake_result {
    std::optional<wire::message> msg;  ///< set when accepted
    drop_reason reason = drop_reason::malformed;  ///< meaningful when !msg
};

/// @brief Checks and decodes an IGMP packet (`p.bytes`: the IPv4 datagram as
/// received, header included). Rules in order: IPv4 header (fragment, options,
/// checksum), own source, TTL 1, IGMP decode, Router Alert by version, on-link
/// source for reports and leaves.
intake_result check_igmp(const kernel::received_packet& p, const link_view& link = {},
                         const intake_policy& policy = {});

/// @brief Checks and decodes an MLD packet (`p.bytes`: the ICMPv6 message).
/// Rules in order: size against the MTU, own source, hop limit 1, Router
/// Alert, MLD decode, link-local source (reports may come from ::).
intake_result check_mld(const kernel::received_packet& p, const link_view& link = {},
                        const intake_policy& policy = {});

}  // namespace mcproxy::daemon
