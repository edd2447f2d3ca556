// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/ipv4_header.hpp"

#include "byte_io.hpp"
#include "mcproxy/wire/checksum.hpp"

namespace mcproxy::wire {
namespace {

constexpr std::size_t min_header = 20;
constexpr std::uint8_t opt_eol = 0;
constexpr std::uint8_t opt_nop = 1;
constexpr std::uint8_t opt_router_alert = 148;  // RFC 2113 2.1: copied, class 0, number 20

// RFC 791 3.1 options: EOL and NOP are one byte; every other option is
// type, length (including both bytes), data. Returns false if malformed.
bool parse_options(std::span<const std::uint8_t> opts, bool& router_alert) {
    std::size_t i = 0;
    while (i < opts.size()) {  // each step advances i by >= 1
        const std::uint8_t type = opts[i];
        if (type == opt_eol) break;
        if (type == opt_nop) {
            ++i;
            continue;
        }
        if (opts.size() - i < 2) return false;
        const std::size_t len = opts[i + 1];
        if (len < 2 || len > opts.size() - i) return false;
        if (type == opt_router_alert) {
            // RFC 2113 2.1: length 4, value 0 = "router shall examine packet";
            // other values are reserved, so (like Linux) only 0 counts.
            if (len != 4) return false;
            if (opts[i + 2] == 0 && opts[i + 3] == 0) router_alert = true;
        }
        i += len;
    }
    return true;
}

}  // namespace

result<ipv4_info> parse_ipv4(std::span<const std::uint8_t> p) {
    if (p.size() < min_header) return error::truncated;
    if ((p[0] >> 4) != 4) return error::bad_ip_header;
    const std::size_t ihl = 4u * (p[0] & 0x0F);
    if (ihl < min_header) return error::bad_ip_header;
    if (ihl > p.size()) return error::truncated;
    const std::size_t total = detail::get16(p, 2);
    if (total < ihl) return error::bad_ip_header;
    if (total > p.size()) return error::truncated;
    // Protocol before checksum: kernel upcalls on the mroute socket (struct
    // igmpmsg) have protocol 0 and an unrepaired header checksum, and should
    // be told apart by their protocol, not counted as bad checksums.
    if (p[9] != ip_proto_igmp) return error::wrong_protocol;
    if (internet_checksum(p.first(ihl)) != 0) return error::bad_checksum;
    // RFC 791 3.1: MF flag or a non-zero fragment offset make a fragment.
    const std::uint16_t frag = detail::get16(p, 6);
    if ((frag & 0x2000) != 0 || (frag & 0x1FFF) != 0) return error::fragment;
    ipv4_info info;
    if (!parse_options(p.subspan(min_header, ihl - min_header), info.router_alert))
        return error::bad_ip_header;
    info.tos = p[1];
    info.ttl = p[8];
    info.src = detail::get_v4(p, 12);
    info.dst = detail::get_v4(p, 16);
    info.payload = p.subspan(ihl, total - ihl);
    return info;
}

std::optional<error> build_ipv4(const ipv4_build& h, std::span<const std::uint8_t> payload,
                                std::vector<std::uint8_t>& out) {
    out.clear();
    if (!h.src.is_v4() || !h.dst.is_v4()) return error::wrong_family;
    const std::size_t ihl = min_header + (h.router_alert ? 4 : 0);
    const std::size_t total = ihl + payload.size();
    if (total > 0xFFFF) return error::bad_length;
    out.reserve(total);
    detail::put8(out, static_cast<std::uint8_t>(0x40 | (ihl / 4)));
    detail::put8(out, h.tos);
    detail::put16(out, static_cast<std::uint16_t>(total));
    detail::put16(out, h.id);
    detail::put16(out, 0x4000);  // DF, as Linux sends IGMP
    detail::put8(out, h.ttl);
    detail::put8(out, h.protocol);
    detail::put16(out, 0);
    detail::put_addr(out, h.src);
    detail::put_addr(out, h.dst);
    if (h.router_alert) {
        // RFC 2113 2.1: type 148, length 4, value 0.
        out.insert(out.end(), {opt_router_alert, 4, 0, 0});
    }
    detail::set16(out, 10, internet_checksum(std::span<const std::uint8_t>(out).first(ihl)));
    out.insert(out.end(), payload.begin(), payload.end());
    return std::nullopt;
}

}  // namespace mcproxy::wire
