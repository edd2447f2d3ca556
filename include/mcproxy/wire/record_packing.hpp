// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Packing group records into as few IGMPv3 / MLDv2 reports as fit
/// a link MTU (RFC 3376 4.2.16, RFC 3810 5.2.15).
#pragma once

#include <cstddef>
#include <vector>

#include "mcproxy/wire/message.hpp"

namespace mcproxy::wire {

/// @brief Bytes of a report packet that are not group records:
/// IPv4 20 + Router Alert 4 + IGMP header 8; IPv6 40 + hop-by-hop 8 + MLD header 8.
std::size_t report_overhead(net::family f);

/// @brief Bytes of one encoded group record of family `f` (8 + 4n or 20 + 16n, plus aux).
std::size_t record_size(net::family f, const group_record& r);

/// @brief Packs `records` in order into reports whose packets fit `mtu`.
///
/// `v` selects the family only: the reports are igmpv3 for IPv4 versions
/// and mldv2 for IPv6 ones. The MTU is clamped to [68, 65535] for IPv4
/// and [1280, 65535] for IPv6 (RFC 791, RFC 8200 5). A record that fits
/// no report is handled per RFC 3376 4.2.16 / RFC 3810 5.2.15: IS_EX and
/// TO_EX keep as many sources as fit one report and drop the rest; other
/// types are split into several records of the same type and group, the
/// first one filling the rest of the current report. Aux data that leaves
/// no room for a record header plus one source is dropped (mcproxy never
/// sends aux data; RFC 3376 4.2.6 says senders must not).
std::vector<report_v3> pack_records(version v, std::vector<group_record> records, std::size_t mtu);

}  // namespace mcproxy::wire
