// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Helpers for the host, aggregator and forwarding tests: address
/// literals, membership shorthands, and extraction of sent messages.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "mcproxy/core/types.hpp"

namespace mcproxy::core::host_test {

using namespace std::chrono_literals;

/// @brief Parses an address literal (test input is always valid).
inline net::address ip(const char* s) { return *net::address::parse(s); }

/// @brief Set of parsed address literals.
inline source_set srcs(std::initializer_list<const char*> l) {
    source_set s;
    for (const char* x : l) s.insert(ip(x));
    return s;
}
/// @brief INCLUDE{l}.
inline membership inc(std::initializer_list<const char*> l) { return membership{filter_mode::include, srcs(l)}; }
/// @brief EXCLUDE{l}.
inline membership exc(std::initializer_list<const char*> l) { return membership{filter_mode::exclude, srcs(l)}; }

/// @brief Time `d` after the epoch of the fake clock.
inline time_point at(duration d) { return time_point{} + d; }

/// @brief Every send_action in `out`.
inline std::vector<send_action> sends(const actions& out) {
    std::vector<send_action> r;
    for (const auto& a : out)
        if (const auto* s = std::get_if<send_action>(&a)) r.push_back(*s);
    return r;
}

/// @brief Every IGMPv3/MLDv2 report in `out`.
inline std::vector<wire::report_v3> v3_reports(const actions& out) {
    std::vector<wire::report_v3> r;
    for (const auto& s : sends(out))
        if (const auto* m = std::get_if<wire::report_v3>(&s.msg)) r.push_back(*m);
    return r;
}

/// @brief All group records of all v3 reports in `out`, in order.
inline std::vector<wire::group_record> records(const actions& out) {
    std::vector<wire::group_record> r;
    for (const auto& rep : v3_reports(out))
        for (const auto& rec : rep.records) r.push_back(rec);
    return r;
}

/// @brief A record with sources given as literals.
inline wire::group_record rec(wire::record_type t, const char* group, std::initializer_list<const char*> l) {
    wire::group_record r{t, ip(group), {}, {}};
    for (const char* x : l) r.sources.push_back(ip(x));
    return r;
}

/// @brief "TYPE group {sources}" for readable failure messages.
inline std::string show(const std::vector<wire::group_record>& v) {
    std::string s;
    for (const auto& r : v) {
        s += std::string(wire::to_string(r.type)) + " " + r.group.to_string() + " {";
        for (std::size_t i = 0; i < r.sources.size(); ++i) s += (i ? ", " : "") + r.sources[i].to_string();
        s += "} ";
    }
    return s;
}

/// @brief What a router with perfect reception learns from state-change records.
inline void apply(std::map<net::address, membership>& model, const wire::group_record& r) {
    membership& m = model[r.group];
    const source_set b(r.sources);
    switch (r.type) {
        case wire::record_type::change_to_include: m = membership{filter_mode::include, b}; break;
        case wire::record_type::change_to_exclude: m = membership{filter_mode::exclude, b}; break;
        case wire::record_type::allow_new_sources:
            m.sources = m.mode == filter_mode::include ? m.sources + b : m.sources - b;
            break;
        case wire::record_type::block_old_sources:
            m.sources = m.mode == filter_mode::include ? m.sources - b : m.sources + b;
            break;
        default: break;  // current-state records answer queries; not modelled
    }
}

}  // namespace mcproxy::core::host_test
