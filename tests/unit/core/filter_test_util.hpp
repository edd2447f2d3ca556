// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers for the filter, rule matching and peering tests: filters written
// like the configuration language, and report extraction per interface.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/host_test_util.hpp"
#include "mcproxy/core/instance.hpp"
#include "mcproxy/core/source_filter.hpp"

namespace mcproxy::core::filter_test {

using namespace host_test;

/// @brief "*", "a", "a/len" or "a-b" as a range of family `f`.
inline address_range range(const std::string& text, net::family f = net::family::ipv4) {
    if (text == "*") return address_range::all(f);
    if (auto dash = text.find('-'); dash != std::string::npos)
        return {*net::address::parse(text.substr(0, dash)), *net::address::parse(text.substr(dash + 1))};
    if (auto slash = text.find('/'); slash != std::string::npos) {
        const net::address a = *net::address::parse(text.substr(0, slash));
        const auto len = static_cast<unsigned>(std::stoul(text.substr(slash + 1)));
        const net::address first = a.masked(len);
        // The last address of the block: every host bit set.
        std::array<std::uint8_t, 16> b{};
        for (std::size_t k = 0; k < a.size(); ++k) b[k] = first.data()[k];
        for (unsigned bit = len; bit < a.max_prefix(); ++bit) b[bit / 8] = static_cast<std::uint8_t>(b[bit / 8] | (0x80u >> (bit % 8)));
        const net::address last = a.is_v4() ? net::address::v4(std::array<std::uint8_t, 4>{b[0], b[1], b[2], b[3]})
                                            : net::address::v6(b);
        return {first, last};
    }
    const net::address a = *net::address::parse(text);
    return {a, a};
}

/// @brief A rule "[arrival](group | source)".
inline filter_rule rule(const std::string& group, const std::string& source, std::optional<if_index> arrival = {}) {
    const net::family f = group.find(':') != std::string::npos ? net::family::ipv6 : net::family::ipv4;
    return filter_rule{arrival, range(group, f), range(source, f)};
}

/// @brief A whitelist of `rules`.
inline source_filter whitelist(std::vector<filter_rule> rules) { return {filter_kind::whitelist, std::move(rules)}; }
/// @brief A blacklist of `rules`.
inline source_filter blacklist(std::vector<filter_rule> rules) { return {filter_kind::blacklist, std::move(rules)}; }

/// @brief An IGMPv3 report of `records` from host `from` on `iface`.
inline message_event v3_report(if_index iface, const char* from, std::vector<wire::group_record> recs) {
    return message_event{iface, ip(from), ip("224.0.0.22"), wire::report_v3{wire::version::igmpv3, std::move(recs)}};
}

/// @brief Group records sent on `iface`.
inline std::vector<wire::group_record> records_on(const actions& out, if_index iface) {
    std::vector<wire::group_record> r;
    for (const auto& s : sends(out))
        if (s.iface == iface)
            if (const auto* m = std::get_if<wire::report_v3>(&s.msg))
                r.insert(r.end(), m->records.begin(), m->records.end());
    return r;
}

/// @brief The read_counters_action keys in `out`.
inline std::vector<route_key> counter_reads(const actions& out) {
    std::vector<route_key> r;
    for (const auto& a : out)
        if (const auto* rc = std::get_if<read_counters_action>(&a)) r.insert(r.end(), rc->keys.begin(), rc->keys.end());
    return r;
}

}  // namespace mcproxy::core::filter_test
