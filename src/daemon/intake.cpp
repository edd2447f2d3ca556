// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/intake.hpp"

#include <numeric>

#include "mcproxy/wire/igmp_codec.hpp"
#include "mcproxy/wire/mld_codec.hpp"

namespace mcproxy::daemon {

const char* to_string(drop_reason r) {
    switch (r) {
        case drop_reason::malformed: return "malformed";
        case drop_reason::bad_checksum: return "bad_checksum";
        case drop_reason::unknown_type: return "unknown_type";
        case drop_reason::bad_ttl: return "bad_ttl";
        case drop_reason::not_link_local_source: return "not_link_local_source";
        case drop_reason::own_message: return "own_message";
        case drop_reason::not_our_interface: return "not_our_interface";
        case drop_reason::wrong_family: return "wrong_family";
        case drop_reason::count_: break;
    }
    return "?";
}

std::uint64_t drop_counters::total() const {
    return std::accumulate(by_reason.begin(), by_reason.end(), std::uint64_t{0});
}

namespace {

intake_result refused(drop_reason r) { return intake_result{std::nullopt, r}; }

drop_reason reason_of(wire::error e) {
    switch (e) {
        case wire::error::bad_checksum: return drop_reason::bad_checksum;
        case wire::error::unknown_type: return drop_reason::unknown_type;
        default: return drop_reason::malformed;
    }
}

bool is_report(const wire::message& m) {
    return std::holds_alternative<wire::report_v3>(m) || std::holds_alternative<wire::report_v1v2>(m);
}

}  // namespace

intake_result check_igmp(const kernel::received_packet& p) {
    if (!p.source.is_v4()) return refused(drop_reason::wrong_family);
    if (p.ttl != 1) return refused(drop_reason::bad_ttl);
    auto decoded = wire::decode_igmp(p.payload());
    if (!decoded) return refused(reason_of(decoded.err()));
    return intake_result{std::move(decoded.value()), drop_reason::malformed};
}

intake_result check_mld(const kernel::received_packet& p) {
    if (!p.source.is_v6()) return refused(drop_reason::wrong_family);
    if (p.ttl != 1) return refused(drop_reason::bad_ttl);
    auto decoded = wire::decode_mld(p.payload(), p.source, p.destination);
    if (!decoded) return refused(reason_of(decoded.err()));
    const bool link_local = p.source.is_v6_link_local_unicast();
    if (!link_local && !(p.source.is_unspecified() && is_report(decoded.value())))
        return refused(drop_reason::not_link_local_source);
    return intake_result{std::move(decoded.value()), drop_reason::malformed};
}

}  // namespace mcproxy::daemon
