// SPDX-License-Identifier: GPL-2.0-or-later
// The parts IGMPv3 (RFC 3376 4.1, 4.2) and MLDv2 (RFC 3810 5.1, 5.2) lay out
// the same way, differing only in address size: the query's S/QRV/QQIC/
// source-list tail and the report's group records.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "byte_io.hpp"
#include "mcproxy/wire/error.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::wire::detail {

/// Whether every address is of the family.
inline bool all_of_family(const std::vector<net::address>& v, net::family f) {
    return std::all_of(v.begin(), v.end(), [f](const net::address& a) { return a.fam() == f; });
}

/// Appends S flag, QRV, QQIC, number of sources and the sources of a v3/MLDv2 query.
inline void put_v3_query_tail(std::vector<std::uint8_t>& out, const query& q, std::uint8_t qqic) {
    // RFC 3376 4.1.6, RFC 3810 5.1.8: a robustness above 7 is sent as QRV 0.
    const std::uint8_t qrv = q.qrv > 7 ? 0 : q.qrv;
    put8(out, static_cast<std::uint8_t>((q.s_flag ? 0x08 : 0) | qrv));
    put8(out, qqic);
    put16(out, static_cast<std::uint16_t>(q.sources.size()));
    for (const auto& s : q.sources) put_addr(out, s);
}

/// Appends a v3/MLDv2 report: type, reserved, checksum 0, reserved, number
/// of records and the records (RFC 3376 4.2, RFC 3810 5.2); `max_message`
/// bounds the whole message.
inline std::optional<error> put_v3_report(std::vector<std::uint8_t>& out, const report_v3& r, std::uint8_t type,
                                          net::family fam, std::size_t max_message) {
    constexpr std::size_t header = 8, record_header_without_group = 4;
    const std::size_t addr = fam == net::family::ipv4 ? 4 : 16;
    if (r.records.size() > 0xFFFF) return error::too_many_sources;
    std::size_t total = header;
    for (const auto& rec : r.records) {
        if (rec.group.fam() != fam || !all_of_family(rec.sources, fam)) return error::wrong_family;
        if (rec.aux_data.size() % 4 != 0 || rec.aux_data.size() > 255 * 4) return error::bad_aux_data;
        if (rec.sources.size() > 0xFFFF) return error::too_many_sources;
        total += record_header_without_group + addr * (1 + rec.sources.size()) + rec.aux_data.size();
        if (total > max_message) return error::too_many_sources;
    }
    out.reserve(total);
    put8(out, type);
    put8(out, 0);
    put16(out, 0);
    put16(out, 0);
    put16(out, static_cast<std::uint16_t>(r.records.size()));
    for (const auto& rec : r.records) {
        put8(out, static_cast<std::uint8_t>(rec.type));
        put8(out, static_cast<std::uint8_t>(rec.aux_data.size() / 4));
        put16(out, static_cast<std::uint16_t>(rec.sources.size()));
        put_addr(out, rec.group);
        for (const auto& s : rec.sources) put_addr(out, s);
        out.insert(out.end(), rec.aux_data.begin(), rec.aux_data.end());
    }
    return std::nullopt;
}

}  // namespace mcproxy::wire::detail
