// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/counters.hpp"

#include <numeric>
#include <type_traits>

namespace mcproxy::daemon {

namespace {

// Index = enum value; the names are part of the JSON schema, never rename.
constexpr std::array<const char*, message_kind_count> kind_names = {
    "igmpv1_query",  "igmpv2_query", "igmpv3_query", "igmpv1_report", "igmpv2_report", "igmpv3_report",
    "igmpv2_leave",  "mldv1_query",  "mldv2_query",  "mldv1_report",  "mldv2_report",  "mldv1_done",
};

constexpr std::array<const char*, drop_cause_count> reason_names = {
    "truncated",      "bad_length",       "bad_count",       "bad_checksum",
    "unknown_type",   "not_multicast",    "fragment",        "bad_ip_header",
    "wrong_protocol", "bad_ext_header",   "wrong_version",   "bad_ttl",
    "no_router_alert", "not_link_local_source", "off_link_source", "own_message",
    "unknown_interface", "interface_down", "filtered",      "limit_exceeded",
    "malformed",
};

struct kind_visitor {
    message_kind operator()(const wire::query& q) const {
        switch (q.ver) {
            case wire::version::igmpv1: return message_kind::igmpv1_query;
            case wire::version::igmpv2: return message_kind::igmpv2_query;
            case wire::version::igmpv3: return message_kind::igmpv3_query;
            case wire::version::mldv1: return message_kind::mldv1_query;
            case wire::version::mldv2: return message_kind::mldv2_query;
        }
        return message_kind::igmpv3_query;
    }
    message_kind operator()(const wire::report_v3& r) const {
        return r.ver == wire::version::mldv2 ? message_kind::mldv2_report : message_kind::igmpv3_report;
    }
    message_kind operator()(const wire::report_v1v2& r) const {
        switch (r.ver) {
            case wire::version::igmpv1: return message_kind::igmpv1_report;
            case wire::version::mldv1:
            case wire::version::mldv2: return message_kind::mldv1_report;
            default: return message_kind::igmpv2_report;
        }
    }
    message_kind operator()(const wire::leave& l) const {
        return wire::family_of(l.ver) == net::family::ipv6 ? message_kind::mldv1_done : message_kind::igmpv2_leave;
    }
};

template <typename E, std::size_t N>
std::optional<E> parse_name(const std::array<const char*, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < N; ++i)
        if (name == names[i]) return static_cast<E>(static_cast<std::underlying_type_t<E>>(i));
    return std::nullopt;
}

template <std::size_t N>
std::uint64_t sum(const std::array<std::uint64_t, N>& a) {
    return std::accumulate(a.begin(), a.end(), std::uint64_t{0});
}

}  // namespace

const char* to_string(message_kind k) {
    const auto i = static_cast<std::size_t>(k);
    return i < kind_names.size() ? kind_names[i] : "unknown";
}

message_kind kind_of(const wire::message& m) { return std::visit(kind_visitor{}, m); }

const char* to_string(drop_cause r) {
    const auto i = static_cast<std::size_t>(r);
    return i < reason_names.size() ? reason_names[i] : "unknown";
}

drop_cause drop_cause_of(wire::error e) {
    switch (e) {
        case wire::error::truncated: return drop_cause::truncated;
        case wire::error::bad_length: return drop_cause::bad_length;
        case wire::error::bad_count: return drop_cause::bad_count;
        case wire::error::bad_checksum: return drop_cause::bad_checksum;
        case wire::error::unknown_type: return drop_cause::unknown_type;
        case wire::error::not_multicast: return drop_cause::not_multicast;
        case wire::error::fragment: return drop_cause::fragment;
        case wire::error::bad_ip_header: return drop_cause::bad_ip_header;
        case wire::error::wrong_protocol: return drop_cause::wrong_protocol;
        case wire::error::bad_ext_header: return drop_cause::bad_ext_header;
        case wire::error::wrong_version: return drop_cause::wrong_version;
        case wire::error::wrong_family: return drop_cause::wrong_version;
        case wire::error::too_many_sources: return drop_cause::bad_count;
        case wire::error::bad_aux_data: return drop_cause::bad_length;
    }
    return drop_cause::malformed;
}

void counters::count_upcall(core::upcall_kind k) {
    if (k == core::upcall_kind::nocache)
        ++upcalls_nocache;
    else
        ++upcalls_wrongvif;
}

void counters::count_route(route_change c) {
    switch (c) {
        case route_change::added: ++routes_added; break;
        case route_change::updated: ++routes_updated; break;
        case route_change::removed: ++routes_removed; break;
        case route_change::none: break;
    }
}

std::uint64_t counters::total_received() const { return sum(received); }
std::uint64_t counters::total_sent() const { return sum(sent); }
std::uint64_t counters::total_dropped() const { return sum(dropped); }

counters& counters::operator+=(const counters& o) {
    for (std::size_t i = 0; i < message_kind_count; ++i) {
        received[i] += o.received[i];
        sent[i] += o.sent[i];
    }
    for (std::size_t i = 0; i < drop_cause_count; ++i) dropped[i] += o.dropped[i];
    upcalls_nocache += o.upcalls_nocache;
    upcalls_wrongvif += o.upcalls_wrongvif;
    routes_added += o.routes_added;
    routes_updated += o.routes_updated;
    routes_removed += o.routes_removed;
    send_errors += o.send_errors;
    return *this;
}

std::optional<message_kind> parse_message_kind(std::string_view name) {
    return parse_name<message_kind>(kind_names, name);
}

std::optional<drop_cause> parse_drop_cause(std::string_view name) {
    return parse_name<drop_cause>(reason_names, name);
}

}  // namespace mcproxy::daemon
