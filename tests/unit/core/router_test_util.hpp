// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Helpers for the router tests: a fake clock, address pools, report
/// builders and filters over the actions a router returned.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mcproxy/core/router.hpp"

namespace mcproxy::core::test {

using namespace std::chrono_literals;
using wire::record_type;

/// @brief Address family under test.
enum class fam { v4, v6 };

inline std::string fam_name(fam f) { return f == fam::v4 ? "IPv4" : "IPv6"; }
inline void PrintTo(fam f, std::ostream* os) { *os << fam_name(f); }

inline net::address addr(const std::string& text) {
    auto a = net::address::parse(text);
    EXPECT_TRUE(a.has_value()) << text;
    return a.value_or(net::address{});
}

/// @brief Source number n: 192.0.2.n or 2001:db8::n.
inline net::address src(fam f, int n) {
    return addr(f == fam::v4 ? "192.0.2." + std::to_string(n) : "2001:db8::" + std::to_string(n));
}
/// @brief Host (report sender) number n: 198.51.100.n or fe80::10:n.
inline net::address host(fam f, int n) {
    return addr(f == fam::v4 ? "198.51.100." + std::to_string(n) : "fe80::10:" + std::to_string(n));
}
/// @brief Group number n: 239.1.1.n or ff05::1:n.
inline net::address grp(fam f, int n) {
    return addr(f == fam::v4 ? "239.1.1." + std::to_string(n) : "ff05::1:" + std::to_string(n));
}
/// @brief Our own address: 198.51.100.100 or fe80::100 (higher than hosts,
/// lower than routers made by other_router()).
inline net::address own(fam f) { return addr(f == fam::v4 ? "198.51.100.100" : "fe80::100"); }
/// @brief Another router with a lower (true) or higher (false) address.
inline net::address other_router(fam f, bool lower) {
    if (f == fam::v4) return addr(lower ? "198.51.100.50" : "198.51.100.200");
    return addr(lower ? "fe80::50" : "fe80::200");
}

inline wire::version v3_of(fam f) { return f == fam::v4 ? wire::version::igmpv3 : wire::version::mldv2; }

inline source_set srcs(fam f, std::initializer_list<int> ns) {
    std::vector<net::address> v;
    for (int n : ns) v.push_back(src(f, n));
    return source_set(std::move(v));
}

/// @brief A v3/MLDv2 report with one record.
inline wire::message rec(fam f, record_type t, const net::address& group, const source_set& s) {
    wire::report_v3 r;
    r.ver = v3_of(f);
    r.records.push_back(wire::group_record{t, group, s.to_vector(), {}});
    return r;
}

/// @brief Queries among `out`.
inline std::vector<wire::query> queries(const actions& out) {
    std::vector<wire::query> r;
    for (const auto& a : out)
        if (const auto* s = std::get_if<send_action>(&a))
            if (const auto* q = std::get_if<wire::query>(&s->msg)) r.push_back(*q);
    return r;
}

/// @brief Destinations of the send actions among `out`.
inline std::vector<net::address> destinations(const actions& out) {
    std::vector<net::address> r;
    for (const auto& a : out)
        if (const auto* s = std::get_if<send_action>(&a)) r.push_back(s->destination);
    return r;
}

/// @brief A router on a fake clock that starts at time_point{} as querier.
struct fixture {
    fam f;
    time_point now{};
    router r;
    actions out;

    explicit fixture(fam fa, bool fastleave = false, std::optional<wire::version> ver = std::nullopt,
                     bool with_address = true)
        : f(fa), r(make(fa, fastleave, ver, with_address), time_point{}) {
        r.advance(now, out);  // first startup query
        out.clear();
    }

    static router_settings make(fam fa, bool fastleave, std::optional<wire::version> ver, bool with_address) {
        router_settings s;
        s.iface = 7;
        s.ver = ver.value_or(v3_of(fa));
        s.fastleave = fastleave;
        if (with_address) s.own_address = own(fa);
        else s.own_address = net::address::any(fa == fam::v4 ? net::family::ipv4 : net::family::ipv6);
        return s;
    }

    const timer_settings& t() const { return r.timers(); }
    duration gmi() const { return t().group_membership_interval(); }
    duration lmqt() const { return t().last_member_query_time(); }

    group_list send(const wire::message& m, int host_n = 1) { return r.handle(m, host(f, host_n), now, out); }
    group_list send_from(const wire::message& m, const net::address& from) { return r.handle(m, from, now, out); }
    group_list report(record_type ty, int g, std::initializer_list<int> s, int host_n = 1) {
        return send(rec(f, ty, grp(f, g), srcs(f, s)), host_n);
    }
    /// @brief Steps the clock and runs advance().
    group_list step(duration d) {
        now += d;
        return r.advance(now, out);
    }
    /// @brief Runs advance() at every deadline up to `until`.
    group_list run_until(time_point until) {
        group_list all;
        for (int i = 0; i < 100000; ++i) {
            auto d = r.next_deadline();
            if (!d || *d > until) break;
            now = std::max(now, *d);
            auto c = r.advance(now, out);
            all.insert(all.end(), c.begin(), c.end());
        }
        now = until;
        auto c = r.advance(now, out);
        all.insert(all.end(), c.begin(), c.end());
        return all;
    }
    membership mem(int g) const { return r.membership(grp(f, g)); }
    const source_record* source(int g, int s) const {
        const auto* rec = r.record(grp(f, g));
        return rec ? rec->find(src(f, s)) : nullptr;
    }
};

}  // namespace mcproxy::core::test
