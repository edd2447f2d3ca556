// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/igmp_codec.hpp"

#include <algorithm>

#include "byte_io.hpp"
#include "v3_layout.hpp"
#include "mcproxy/wire/checksum.hpp"
#include "mcproxy/wire/resp_code.hpp"

namespace mcproxy::wire {
namespace {

using detail::get16;
using detail::get_v4;
using bytes_t = std::span<const std::uint8_t>;

constexpr std::size_t header_size = 8;      // RFC 2236 2, RFC 3376 4.2
constexpr std::size_t v3_query_size = 12;   // RFC 3376 4.1

bool general_or_multicast(const net::address& g) { return g.is_unspecified() || g.is_multicast(); }

result<message> decode_query(bytes_t b) {
    query q;
    q.group = get_v4(b, 4);
    if (!general_or_multicast(q.group)) return error::not_multicast;
    // RFC 3376 7.1: 8 octets with code 0 is v1, non-zero v2, >= 12 octets v3;
    // any other length MUST be silently ignored.
    if (b.size() == header_size) {
        if (b[1] == 0) {
            q.ver = version::igmpv1;
            q.max_resp = std::chrono::milliseconds{10000};  // RFC 2236 4: v1 queries mean 10 s
        } else {
            q.ver = version::igmpv2;
            // RFC 2236 2.2: a plain count of 1/10 s (no floating-point form in v2).
            q.max_resp = std::chrono::milliseconds{100 * b[1]};
        }
        return q;
    }
    if (b.size() < v3_query_size) return error::bad_length;
    q.ver = version::igmpv3;
    q.max_resp = igmp_max_resp_decode(b[1]);   // RFC 3376 4.1.1
    q.s_flag = (b[8] & 0x08) != 0;             // RFC 3376 4.1.5
    q.qrv = static_cast<std::uint8_t>(b[8] & 0x07);  // RFC 3376 4.1.6
    q.qqi = qqic_decode(b[9]);                 // RFC 3376 4.1.7
    const std::size_t n = get16(b, 10);        // RFC 3376 4.1.8
    // The count must fit the buffer; additional octets after the sources
    // are covered by the checksum but otherwise ignored (RFC 3376 4.1.10).
    if (n > (b.size() - v3_query_size) / 4) return error::bad_count;
    // RFC 3376 4.1.8: the source count is zero in a General Query.
    if (n > 0 && q.group.is_unspecified()) return error::bad_count;
    q.sources.reserve(n);
    for (std::size_t i = 0; i < n; ++i) q.sources.push_back(get_v4(b, v3_query_size + 4 * i));
    return q;
}

result<message> decode_v3_report(bytes_t b) { return detail::get_v3_report(b, version::igmpv3); }

result<message> decode_single_group(bytes_t b, std::uint8_t type) {
    // RFC 2236 2.5: octets past the first 8 are ignored (but checksummed).
    const net::address group = get_v4(b, 4);
    if (!group.is_multicast()) return error::not_multicast;
    if (type == igmp_type::leave) return leave{version::igmpv2, group};
    return report_v1v2{type == igmp_type::v1_report ? version::igmpv1 : version::igmpv2, group};
}

void finish(std::vector<std::uint8_t>& out) {
    detail::set16(out, 2, internet_checksum(out));
}

std::optional<error> encode_query(const query& q, std::vector<std::uint8_t>& out) {
    if (!q.group.is_v4() || !detail::all_of_family(q.sources, net::family::ipv4)) return error::wrong_family;
    std::uint8_t code = 0;
    switch (q.ver) {
        case version::igmpv1:
            if (!q.sources.empty()) return error::wrong_version;
            code = 0;  // RFC 1112: unused field, zero
            break;
        case version::igmpv2: {
            if (!q.sources.empty()) return error::wrong_version;
            // RFC 2236 2.2: 1/10 s, linear, at most 255. Never 0: that would read as v1.
            const auto tenths = std::clamp<long long>(q.max_resp.count() / 100, 1, 255);
            code = static_cast<std::uint8_t>(tenths);
            break;
        }
        case version::igmpv3:
            if (q.sources.size() > (igmp_max_message - v3_query_size) / 4) return error::too_many_sources;
            code = igmp_max_resp_encode(q.max_resp);
            break;
        default: return error::wrong_version;
    }
    out.reserve(v3_query_size + 4 * q.sources.size());
    detail::put8(out, igmp_type::query);
    detail::put8(out, code);
    detail::put16(out, 0);
    detail::put_addr(out, q.group);
    if (q.ver == version::igmpv3) detail::put_v3_query_tail(out, q, qqic_encode(q.qqi));
    return std::nullopt;
}

std::optional<error> encode_v3_report(const report_v3& r, std::vector<std::uint8_t>& out) {
    if (r.ver != version::igmpv3) return error::wrong_version;
    return detail::put_v3_report(out, r, igmp_type::v3_report, net::family::ipv4, igmp_max_message);
}

std::optional<error> encode_single(std::uint8_t type, const net::address& group, std::vector<std::uint8_t>& out) {
    if (!group.is_v4()) return error::wrong_family;
    out.reserve(header_size);
    detail::put8(out, type);
    detail::put8(out, 0);
    detail::put16(out, 0);
    detail::put_addr(out, group);
    return std::nullopt;
}

}  // namespace

result<message> decode_igmp(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < header_size) return error::truncated;
    // RFC 3376 4.1.2 / 4.2.2: the checksum covers the whole IGMP message.
    if (internet_checksum(bytes) != 0) return error::bad_checksum;
    switch (bytes[0]) {
        case igmp_type::query: return decode_query(bytes);
        case igmp_type::v1_report:
        case igmp_type::v2_report:
        case igmp_type::leave: return decode_single_group(bytes, bytes[0]);
        case igmp_type::v3_report: return decode_v3_report(bytes);
        default: return error::unknown_type;
    }
}

std::optional<error> encode_igmp(const message& m, std::vector<std::uint8_t>& out) {
    out.clear();
    std::optional<error> e;
    if (const auto* q = std::get_if<query>(&m)) {
        e = encode_query(*q, out);
    } else if (const auto* r3 = std::get_if<report_v3>(&m)) {
        e = encode_v3_report(*r3, out);
    } else if (const auto* r = std::get_if<report_v1v2>(&m)) {
        if (r->ver == version::igmpv1) e = encode_single(igmp_type::v1_report, r->group, out);
        else if (r->ver == version::igmpv2) e = encode_single(igmp_type::v2_report, r->group, out);
        else e = error::wrong_version;
    } else {
        const auto& l = std::get<leave>(m);
        e = l.ver == version::igmpv2 ? encode_single(igmp_type::leave, l.group, out) : error::wrong_version;
    }
    if (e) {
        out.clear();
        return e;
    }
    finish(out);
    return std::nullopt;
}

result<std::vector<std::uint8_t>> encode_igmp(const message& m) {
    std::vector<std::uint8_t> out;
    if (auto e = encode_igmp(m, out)) return *e;
    return out;
}

}  // namespace mcproxy::wire
