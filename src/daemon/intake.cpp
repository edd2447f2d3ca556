// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/intake.hpp"

#include <algorithm>

#include "mcproxy/wire/igmp_codec.hpp"
#include "mcproxy/wire/ipv4_header.hpp"
#include "mcproxy/wire/mld_codec.hpp"

namespace mcproxy::daemon {

namespace {

// Index = enum value; the names are counter labels, never rename.
constexpr std::array<const char*, static_cast<std::size_t>(drop_reason::count_)> reason_names = {
    "truncated",         "bad_length",     "bad_count",       "bad_checksum",
    "unknown_type",      "not_multicast",  "fragment",        "bad_ip_header",
    "wrong_protocol",    "bad_ext_header", "wrong_version",   "bad_ttl",
    "no_router_alert",   "not_link_local_source", "off_link_source", "own_message",
    "unknown_interface", "interface_down", "filtered",        "limit_exceeded",
    "malformed",
};

/// Fixed IPv6 header plus the smallest hop-by-hop header that carries Router Alert.
constexpr std::size_t ipv6_overhead = 40 + 8;

intake_result refused(drop_reason r) { return intake_result{std::nullopt, r}; }

bool is_report_or_leave(const wire::message& m) {
    return !std::holds_alternative<wire::query>(m);
}

bool is_report(const wire::message& m) {
    return std::holds_alternative<wire::report_v3>(m) || std::holds_alternative<wire::report_v1v2>(m);
}

bool is_own(const net::address& source, const link_view& link) {
    return !source.is_unspecified() && std::find(link.own.begin(), link.own.end(), source) != link.own.end();
}

// Router Alert by IGMP version (table in doc/packet-validation.md):
//   IGMPv1 query and report: never carried one (RFC 1112 predates RFC 2113).
//   IGMPv2 report and leave: RFC 2236 2 sends one, but RFC 2236 9 and
//     RFC 3376 9.2 note that requiring it breaks older hosts; TTL 1 and the
//     on-link source check are the defence instead.
//   IGMPv2 and IGMPv3 queries: RFC 3376 9.1, hosts SHOULD ignore them without it.
//   IGMPv3 report: RFC 3376 4, every IGMPv3 message carries it, and no IGMPv3
//     implementation can predate RFC 2113.
bool igmp_needs_router_alert(const wire::message& m) {
    const wire::version v = wire::version_of(m);
    if (std::holds_alternative<wire::query>(m)) return v != wire::version::igmpv1;
    return v == wire::version::igmpv3;
}

// RFC 3376 9.2 / RFC 2236 9: a report (or leave) whose source is not in a
// subnet of the arrival interface came from elsewhere. RFC 3376 4.2.13:
// routers MUST accept reports from 0.0.0.0.
bool igmp_source_on_link(const net::address& source, const link_view& link) {
    if (source.is_unspecified()) return true;
    bool checkable = false;
    for (const subnet& s : link.subnets) {
        if (!s.address.is_v4() || s.prefix_len >= 32) continue;  // /32: a point-to-point address
        checkable = true;
        if (s.contains(source)) return true;
    }
    return !checkable;
}

}  // namespace

const char* to_string(drop_reason r) {
    const auto i = static_cast<std::size_t>(r);
    return i < reason_names.size() ? reason_names[i] : "unknown";
}

drop_reason drop_reason_of(wire::error e) {
    switch (e) {
        case wire::error::truncated: return drop_reason::truncated;
        case wire::error::bad_length: return drop_reason::bad_length;
        case wire::error::bad_count: return drop_reason::bad_count;
        case wire::error::bad_checksum: return drop_reason::bad_checksum;
        case wire::error::unknown_type: return drop_reason::unknown_type;
        case wire::error::not_multicast: return drop_reason::not_multicast;
        case wire::error::fragment: return drop_reason::fragment;
        case wire::error::bad_ip_header: return drop_reason::bad_ip_header;
        case wire::error::wrong_protocol: return drop_reason::wrong_protocol;
        case wire::error::bad_ext_header: return drop_reason::bad_ext_header;
        case wire::error::wrong_version:
        case wire::error::wrong_family: return drop_reason::wrong_version;
        case wire::error::too_many_sources: return drop_reason::bad_count;
        case wire::error::bad_aux_data: return drop_reason::bad_length;
    }
    return drop_reason::malformed;
}

bool subnet::contains(const net::address& a) const {
    if (a.fam() != address.fam()) return false;
    return a.masked(prefix_len) == address.masked(prefix_len);
}

intake_result check_igmp(const kernel::received_packet& p, const link_view& link, const intake_policy& policy) {
    if (!p.source.is_v4()) return refused(drop_reason::wrong_version);
    // The whole IPv4 header again: the kernel hands IGMP without Router
    // Alert to the mroute socket before reassembly (ip_mr_input), so a
    // fragment can arrive here; options and header checksum are checked too.
    auto ip = wire::parse_ipv4(p.bytes);
    if (!ip) return refused(drop_reason_of(ip.err()));
    if (link.mtu != 0 && p.bytes.size() > link.mtu) return refused(drop_reason::fragment);
    if (is_own(ip->src, link)) return refused(drop_reason::own_message);
    // RFC 3376 4, RFC 2236 2, RFC 1112 appendix I: every IGMP message is
    // sent with TTL 1; anything else crossed a router.
    if (ip->ttl != 1) return refused(drop_reason::bad_ttl);
    auto decoded = wire::decode_igmp(ip->payload);
    if (!decoded) return refused(drop_reason_of(decoded.err()));
    if (igmp_needs_router_alert(*decoded) && !ip->router_alert) return refused(drop_reason::no_router_alert);
    if (policy.require_on_link_source && is_report_or_leave(*decoded) && !igmp_source_on_link(ip->src, link))
        return refused(drop_reason::off_link_source);
    return intake_result{std::move(decoded.value()), drop_reason::malformed};
}

intake_result check_mld(const kernel::received_packet& p, const link_view& link, const intake_policy& policy) {
    (void)policy;  // IPv6: a link-local source is on-link by definition (RFC 4291 2.5.6)
    if (!p.source.is_v6()) return refused(drop_reason::wrong_version);
    // The raw ICMPv6 socket delivers reassembled messages only; one that
    // did not fit the link in one packet was fragmented on purpose.
    if (link.mtu != 0 && p.bytes.size() + ipv6_overhead > link.mtu) return refused(drop_reason::fragment);
    if (is_own(p.source, link)) return refused(drop_reason::own_message);
    // RFC 2710 3 / RFC 3810 5: hop limit 1 and the hop-by-hop Router Alert,
    // on every MLD message; RFC 3810 7.4 (start) drops reports failing either.
    if (p.ttl != 1) return refused(drop_reason::bad_ttl);
    if (!p.router_alert) return refused(drop_reason::no_router_alert);
    auto decoded = wire::decode_mld(p.payload(), p.source, p.destination);
    if (!decoded) return refused(drop_reason_of(decoded.err()));
    // RFC 3810 5.1.14: queries from anything but a link-local address are
    // discarded. RFC 3810 5.2.13 / RFC 3590: reports may come from :: while
    // the sender's link-local address is tentative (DAD); a Done never needs to.
    const bool link_local = p.source.is_v6_link_local_unicast();
    if (!link_local && !(p.source.is_unspecified() && is_report(*decoded)))
        return refused(drop_reason::not_link_local_source);
    return intake_result{std::move(decoded.value()), drop_reason::malformed};
}

}  // namespace mcproxy::daemon
