// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Sizes of IGMPv3 / MLDv2 reports on the wire and packing of group
/// records into as few reports as the link MTU allows (RFC 3376 4.2.16,
/// RFC 3810 5.2.15).
#pragma once

#include <cstddef>
#include <vector>

#include "mcproxy/net/address.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::core {

/// @brief Bytes of one report before its first group record, IP header included.
///
/// IPv4: 20 (IP header) + 4 (Router Alert option, RFC 2113) + 8 (IGMPv3
/// report header: type, reserved, checksum, reserved, number of records;
/// RFC 3376 4.2). IPv6: 40 (IPv6 header) + 8 (hop-by-hop header carrying
/// the Router Alert option, RFC 2711) + 8 (MLDv2 report header; RFC 3810 5.2).
std::size_t report_header_size(net::family f);

/// @brief Bytes of one group record with `sources` sources and no aux data.
///
/// IPv4: 8 (type, aux len, number of sources, group) + 4 per source
/// (RFC 3376 4.2.4). IPv6: 20 (type, aux len, number of sources, 16-byte
/// group) + 16 per source (RFC 3810 5.2.4).
std::size_t record_size(net::family f, std::size_t sources);

/// @brief Most sources one record can carry in a report of `mtu` bytes (at least 1).
std::size_t max_sources_per_record(net::family f, std::size_t mtu);

/// @brief Result of packing: the reports, and how many sources were left
/// out of EXCLUDE records too large for one packet.
struct packed_reports {
    std::vector<wire::report_v3> reports;  ///< in sending order, each within the size limit
    std::size_t dropped_sources = 0;  ///< sources left out of EXCLUDE records too large for one packet
};

/// @brief Packs `records` in order into reports of at most `mtu` bytes each.
///
/// RFC 3376 4.2.16 / RFC 3810 5.2.15: records that do not fit the current
/// report start a new one; a record too large for any single report is
/// split into records with disjoint source subsets if its type is
/// IS_IN, TO_IN, ALLOW or BLOCK, and cut to the sources that fit if it is
/// IS_EX or TO_EX (always the same, lowest sources, so successive reports
/// agree). An `mtu` too small for one record with one source is raised to
/// that size so packing always makes progress.
packed_reports pack_reports(wire::version ver, std::vector<wire::group_record> records, std::size_t mtu);

}  // namespace mcproxy::core
