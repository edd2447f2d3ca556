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

/// Reads the group records of a v3/MLDv2 report (RFC 3376 4.2, RFC 3810
/// 5.2) starting with the record count at offset 6. Counts must fit the
/// buffer; records of an unknown type are skipped and the rest processed
/// (RFC 3810 5.2.12, the same for IGMPv3); aux data is kept verbatim so a
/// decode/encode round trip is exact (RFC 3376 4.2.10); octets after the
/// last record are checksummed but ignored (RFC 3376 4.2.11, RFC 3810 5.2.11).
inline result<message> get_v3_report(std::span<const std::uint8_t> b, version ver) {
    constexpr std::size_t header = 8;
    const bool v6 = family_of(ver) == net::family::ipv6;
    const std::size_t addr = v6 ? 16 : 4;
    const std::size_t record_header = 4 + addr;
    report_v3 r;
    r.ver = ver;
    const std::size_t m = get16(b, 6);  // RFC 3376 4.2.3, RFC 3810 5.2.3
    // Reserve no more records than the buffer could possibly hold.
    r.records.reserve(std::min(m, (b.size() - header) / record_header));
    std::size_t off = header;
    for (std::size_t i = 0; i < m; ++i) {
        if (b.size() - off < record_header) return error::bad_count;
        const std::uint8_t type = b[off];
        const std::size_t aux = 4u * b[off + 1];  // 32-bit words (4.2.6, 5.2.6)
        const std::size_t n = get16(b, off + 2);  // 4.2.7, 5.2.7
        const net::address group = v6 ? get_v6(b, off + 4) : get_v4(b, off + 4);
        const std::size_t body = addr * n + aux;
        if (b.size() - off - record_header < body) return error::bad_count;
        if (!group.is_multicast()) return error::not_multicast;
        const std::size_t src_off = off + record_header;
        off = src_off + body;
        if (type < 1 || type > 6) continue;
        group_record rec;
        rec.type = static_cast<record_type>(type);
        rec.group = group;
        rec.sources.reserve(n);
        for (std::size_t s = 0; s < n; ++s)
            rec.sources.push_back(v6 ? get_v6(b, src_off + addr * s) : get_v4(b, src_off + addr * s));
        const auto aux_begin = b.begin() + static_cast<std::ptrdiff_t>(src_off + addr * n);
        rec.aux_data.assign(aux_begin, aux_begin + static_cast<std::ptrdiff_t>(aux));
        r.records.push_back(std::move(rec));
    }
    return r;
}

}  // namespace mcproxy::wire::detail
