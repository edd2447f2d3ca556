// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/ipv6_header.hpp"

#include "byte_io.hpp"

namespace mcproxy::wire {
namespace {

constexpr std::size_t fixed_header = 40;    // RFC 8200 3
constexpr std::uint8_t opt_pad1 = 0;        // RFC 8200 4.2
constexpr std::uint8_t opt_router_alert = 5;  // RFC 2711 2.1
constexpr std::uint8_t proto_routing = 43;
constexpr std::uint8_t proto_fragment = 44;
constexpr std::uint8_t proto_dstopts = 60;
constexpr int max_ext_headers = 8;

// Length of the extension header at b[0], or 0 if it does not fit.
std::size_t ext_length(std::span<const std::uint8_t> b) {
    if (b.size() < 2) return 0;
    const std::size_t len = (static_cast<std::size_t>(b[1]) + 1) * 8;  // RFC 8200 4.3
    return len <= b.size() ? len : 0;
}

}  // namespace

result<hop_by_hop_info> parse_hop_by_hop(std::span<const std::uint8_t> hbh) {
    const std::size_t len = ext_length(hbh);
    if (len == 0) return error::bad_ext_header;
    hop_by_hop_info info;
    info.next_header = hbh[0];
    info.length = len;
    // RFC 8200 4.2: Pad1 is one byte; every other option is type, length, data.
    std::size_t i = 2;
    while (i < len) {  // each step advances i by >= 1
        const std::uint8_t type = hbh[i];
        if (type == opt_pad1) {
            ++i;
            continue;
        }
        if (len - i < 2) return error::bad_ext_header;
        const std::size_t olen = hbh[i + 1];
        if (olen > len - i - 2) return error::bad_ext_header;
        if (type == opt_router_alert) {
            if (olen != 2) return error::bad_ext_header;  // RFC 2711 2.1: length 2
            if (!info.router_alert) info.router_alert = detail::get16(hbh, i + 2);
        }
        i += 2 + olen;
    }
    return info;
}

void append_hop_by_hop_router_alert(std::uint8_t next_header, std::uint16_t value,
                                    std::vector<std::uint8_t>& out) {
    // RFC 2711 2.1 option 05 02 vv vv, then PadN (01 00) to 8 bytes (RFC 8200 4.2).
    out.insert(out.end(), {next_header, 0, opt_router_alert, 2, static_cast<std::uint8_t>(value >> 8),
                           static_cast<std::uint8_t>(value & 0xFF), 1, 0});
}

result<ipv6_info> parse_ipv6(std::span<const std::uint8_t> p) {
    if (p.size() < fixed_header) return error::truncated;
    if ((p[0] >> 4) != 6) return error::bad_ip_header;
    const std::size_t plen = detail::get16(p, 4);
    if (plen > p.size() - fixed_header) return error::truncated;
    ipv6_info info;
    info.traffic_class = static_cast<std::uint8_t>(((p[0] & 0x0F) << 4) | (p[1] >> 4));
    info.hop_limit = p[7];
    info.src = detail::get_v6(p, 8);
    info.dst = detail::get_v6(p, 24);
    const auto rest = p.subspan(fixed_header, plen);  // drops link padding
    std::uint8_t nh = p[6];
    std::size_t off = 0;
    for (int n = 0; n <= max_ext_headers; ++n) {
        const auto here = rest.subspan(off);
        switch (nh) {
            case ip_proto_icmpv6:
                info.payload = here;
                return info;
            case ip_proto_hopopts: {
                // RFC 8200 4.1: hop-by-hop options only right after the IPv6 header.
                if (off != 0) return error::bad_ext_header;
                auto h = parse_hop_by_hop(here);
                if (!h) return h.err();
                info.router_alert = h->router_alert;
                nh = h->next_header;
                off += h->length;
                break;
            }
            case proto_dstopts:
            case proto_routing: {
                const std::size_t len = ext_length(here);
                if (len == 0) return error::bad_ext_header;
                nh = here[0];
                off += len;
                break;
            }
            case proto_fragment: return error::fragment;
            default: return error::wrong_protocol;
        }
    }
    return error::bad_ext_header;  // too many extension headers
}

std::optional<error> build_ipv6(const ipv6_build& h, std::span<const std::uint8_t> payload,
                                std::vector<std::uint8_t>& out) {
    out.clear();
    if (!h.src.is_v6() || !h.dst.is_v6()) return error::wrong_family;
    const std::size_t plen = (h.router_alert ? 8 : 0) + payload.size();
    if (plen > 0xFFFF) return error::bad_length;
    out.reserve(fixed_header + plen);
    detail::put8(out, static_cast<std::uint8_t>(0x60 | (h.traffic_class >> 4)));
    detail::put8(out, static_cast<std::uint8_t>((h.traffic_class & 0x0F) << 4));
    detail::put16(out, 0);  // flow label
    detail::put16(out, static_cast<std::uint16_t>(plen));
    detail::put8(out, h.router_alert ? ip_proto_hopopts : ip_proto_icmpv6);
    detail::put8(out, h.hop_limit);
    detail::put_addr(out, h.src);
    detail::put_addr(out, h.dst);
    if (h.router_alert) append_hop_by_hop_router_alert(ip_proto_icmpv6, h.router_alert_value, out);
    out.insert(out.end(), payload.begin(), payload.end());
    return std::nullopt;
}

}  // namespace mcproxy::wire
