// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/mld_codec.hpp"

#include <algorithm>

#include "byte_io.hpp"
#include "v3_layout.hpp"
#include "mcproxy/wire/checksum.hpp"
#include "mcproxy/wire/resp_code.hpp"

namespace mcproxy::wire {
namespace {

using detail::get16;
using detail::get_v6;
using bytes_t = std::span<const std::uint8_t>;

constexpr std::size_t report_header = 8;   // RFC 3810 5.2
constexpr std::size_t v1_size = 24;        // RFC 2710 3
constexpr std::size_t v2_query_size = 28;  // RFC 3810 5.1

result<message> decode_query(bytes_t b) {
    if (b.size() < v1_size) return error::truncated;
    query q;
    q.group = get_v6(b, 8);
    if (!q.group.is_unspecified() && !q.group.is_multicast()) return error::not_multicast;
    // RFC 3810 8.1: 24 octets is MLDv1, >= 28 MLDv2, anything else MUST be
    // silently ignored.
    if (b.size() == v1_size) {
        q.ver = version::mldv1;
        q.max_resp = std::chrono::milliseconds{get16(b, 4)};  // RFC 2710 3.4: plain milliseconds
        return q;
    }
    if (b.size() < v2_query_size) return error::bad_length;
    q.ver = version::mldv2;
    q.max_resp = mld_max_resp_decode(get16(b, 4));   // RFC 3810 5.1.3
    q.s_flag = (b[24] & 0x08) != 0;                  // RFC 3810 5.1.7
    q.qrv = static_cast<std::uint8_t>(b[24] & 0x07); // RFC 3810 5.1.8
    q.qqi = qqic_decode(b[25]);                      // RFC 3810 5.1.9
    const std::size_t n = get16(b, 26);              // RFC 3810 5.1.10
    // Additional data after the sources is checksummed, else ignored (5.1.12).
    if (n > (b.size() - v2_query_size) / 16) return error::bad_count;
    if (n > 0 && q.group.is_unspecified()) return error::bad_count;  // 5.1.10: zero in a General Query
    q.sources.reserve(n);
    for (std::size_t i = 0; i < n; ++i) q.sources.push_back(get_v6(b, v2_query_size + 16 * i));
    return q;
}

result<message> decode_single_group(bytes_t b, std::uint8_t type) {
    if (b.size() < v1_size) return error::truncated;
    // RFC 2710 3.7: octets past the first 24 are ignored (but checksummed).
    const net::address group = get_v6(b, 8);
    if (!group.is_multicast()) return error::not_multicast;
    if (type == mld_type::done) return leave{version::mldv1, group};
    return report_v1v2{version::mldv1, group};
}

result<message> decode_v2_report(bytes_t b) { return detail::get_v3_report(b, version::mldv2); }

std::optional<error> encode_query(const query& q, std::vector<std::uint8_t>& out) {
    if (!q.group.is_v6() || !detail::all_of_family(q.sources, net::family::ipv6)) return error::wrong_family;
    std::uint16_t code = 0;
    if (q.ver == version::mldv1) {
        if (!q.sources.empty()) return error::wrong_version;
        // RFC 2710 3.4: plain milliseconds, at most 65535.
        code = static_cast<std::uint16_t>(std::clamp<long long>(q.max_resp.count(), 0, 0xFFFF));
    } else if (q.ver == version::mldv2) {
        if (q.sources.size() > (mld_max_message - v2_query_size) / 16) return error::too_many_sources;
        code = mld_max_resp_encode(q.max_resp);
    } else {
        return error::wrong_version;
    }
    out.reserve(v2_query_size + 16 * q.sources.size());
    detail::put8(out, mld_type::query);
    detail::put8(out, 0);
    detail::put16(out, 0);
    detail::put16(out, code);
    detail::put16(out, 0);
    detail::put_addr(out, q.group);
    if (q.ver == version::mldv2) detail::put_v3_query_tail(out, q, qqic_encode(q.qqi));
    return std::nullopt;
}

std::optional<error> encode_v2_report(const report_v3& r, std::vector<std::uint8_t>& out) {
    if (r.ver != version::mldv2) return error::wrong_version;
    return detail::put_v3_report(out, r, mld_type::v2_report, net::family::ipv6, mld_max_message);
}

std::optional<error> encode_single(std::uint8_t type, const net::address& group, std::vector<std::uint8_t>& out) {
    if (!group.is_v6()) return error::wrong_family;
    out.reserve(v1_size);
    detail::put8(out, type);
    detail::put8(out, 0);
    detail::put16(out, 0);
    detail::put16(out, 0);  // Maximum Response Delay: zero when sent by hosts (RFC 2710 3.4)
    detail::put16(out, 0);
    detail::put_addr(out, group);
    return std::nullopt;
}

}  // namespace

result<message> decode_mld(std::span<const std::uint8_t> icmp, const net::address& src,
                           const net::address& dst, checksum_check check) {
    if (icmp.size() < report_header) return error::truncated;
    if (check == checksum_check::verify &&
        (!src.is_v6() || !dst.is_v6() || icmpv6_checksum(src, dst, icmp) != 0))
        return error::bad_checksum;
    // The Code field is zero on send and ignored on receipt (RFC 2710 3.2).
    switch (icmp[0]) {
        case mld_type::query: return decode_query(icmp);
        case mld_type::v1_report:
        case mld_type::done: return decode_single_group(icmp, icmp[0]);
        case mld_type::v2_report: return decode_v2_report(icmp);
        default: return error::unknown_type;
    }
}

std::optional<error> encode_mld(const message& m, const net::address& src, const net::address& dst,
                                std::vector<std::uint8_t>& out) {
    out.clear();
    if (!src.is_v6() || !dst.is_v6()) return error::wrong_family;
    std::optional<error> e;
    if (const auto* q = std::get_if<query>(&m)) {
        e = encode_query(*q, out);
    } else if (const auto* r2 = std::get_if<report_v3>(&m)) {
        e = encode_v2_report(*r2, out);
    } else if (const auto* r = std::get_if<report_v1v2>(&m)) {
        e = r->ver == version::mldv1 ? encode_single(mld_type::v1_report, r->group, out) : error::wrong_version;
    } else {
        const auto& l = std::get<leave>(m);
        e = l.ver == version::mldv1 ? encode_single(mld_type::done, l.group, out) : error::wrong_version;
    }
    if (e) {
        out.clear();
        return e;
    }
    detail::set16(out, 2, icmpv6_checksum(src, dst, out));
    return std::nullopt;
}

result<std::vector<std::uint8_t>> encode_mld(const message& m, const net::address& src,
                                             const net::address& dst) {
    std::vector<std::uint8_t> out;
    if (auto e = encode_mld(m, src, dst, out)) return *e;
    return out;
}

}  // namespace mcproxy::wire
