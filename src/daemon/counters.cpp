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
    for (std::size_t i = 0; i < drop_cause_count; ++i)
        if (name == to_string(static_cast<drop_cause>(i))) return static_cast<drop_cause>(i);
    return std::nullopt;
}

}  // namespace mcproxy::daemon
