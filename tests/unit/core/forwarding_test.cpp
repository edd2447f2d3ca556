// SPDX-License-Identifier: GPL-2.0-or-later
// RFC 4605 4.2 forwarding decisions: inputs, outputs, changes only on
// change, idle expiry by packet counters, and a randomised consistency check.
#include <gtest/gtest.h>

#include <random>

#include "core/host_test_util.hpp"
#include "mcproxy/core/forwarding.hpp"

namespace mcproxy::core {
namespace {

using namespace host_test;

constexpr if_index up = 1, up2 = 2, d1 = 11, d2 = 12, d3 = 13;

std::vector<set_route_action> sets(const actions& out) {
    std::vector<set_route_action> r;
    for (const auto& a : out)
        if (const auto* s = std::get_if<set_route_action>(&a)) r.push_back(*s);
    return r;
}
std::vector<route_key> removes(const actions& out) {
    std::vector<route_key> r;
    for (const auto& a : out)
        if (const auto* s = std::get_if<remove_route_action>(&a)) r.push_back(s->key);
    return r;
}

struct fixture {
    aggregator agg;
    forwarding fwd;
    time_point now = at(0s);
    actions out;
    explicit fixture(forwarding_settings s = {}) : fwd(std::move(s), agg) {
        fwd.set_interfaces({up}, {d1, d2, d3}, now, out);
        out.clear();
    }
    void join(if_index d, const char* g, const membership& m) {
        agg.set(d, ip(g), m);
        fwd.on_membership_change(ip(g), now, out);
    }
};

TEST(Forwarding, UpstreamDataGoesToWantingDownstreams) {
    fixture f;
    f.join(d1, "239.1.1.1", exc({}));
    f.join(d2, "239.1.1.1", exc({"192.0.2.5"}));
    f.join(d3, "239.1.1.1", inc({"192.0.2.6"}));
    f.out.clear();
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_EQ(sets(f.out)[0].key, (route_key{ip("192.0.2.5"), ip("239.1.1.1")}));
    EXPECT_EQ(sets(f.out)[0].input, up);
    EXPECT_EQ(sets(f.out)[0].outputs, (std::vector<if_index>{d1}));  // d2 excludes, d3 wants another
}

TEST(Forwarding, UnwantedUpstreamDataGetsAnEmptyRouteThatIdlesOut) {
    forwarding_settings s;
    s.idle_timeout = 30s;
    s.counter_interval = 10s;
    fixture f(s);
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("239.1.1.9"), f.now, f.out);
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_TRUE(sets(f.out)[0].outputs.empty());
    const route_key k{ip("192.0.2.5"), ip("239.1.1.9")};
    // Counters asked every 10 s; packets flow until 20 s, then stop.
    std::uint64_t packets = 0;
    for (int i = 1; i <= 8; ++i) {
        f.now = at(std::chrono::seconds(10 * i));
        ASSERT_EQ(f.fwd.next_deadline(), f.now);
        f.out.clear();
        f.fwd.advance(f.now, f.out);
        ASSERT_EQ(f.out.size(), 1u);
        EXPECT_EQ(std::get<read_counters_action>(f.out[0]).keys, std::vector<route_key>{k});
        if (i <= 2) packets += 100;
        f.out.clear();
        f.fwd.on_counters({{k, packets}}, f.now, f.out);
        if (i < 5) {
            EXPECT_TRUE(f.out.empty()) << i;
        } else {
            // Last movement seen at 20 s; idle 30 s at 50 s.
            EXPECT_EQ(removes(f.out), std::vector<route_key>{k}) << i;
            EXPECT_EQ(f.fwd.route_count(), 0u);
            EXPECT_FALSE(f.fwd.next_deadline());  // nothing left to poll
            break;
        }
    }
}

// An upcall storm of (S,G) nobody wants stays within max_routes: the oldest
// unwanted route makes room, wanted routes are never evicted, and when every
// route is wanted new ones are refused with one log line per 10 s.
TEST(Forwarding, RouteBoundEvictsUnwantedRoutesFirst) {
    forwarding_settings s;
    s.max_routes = 4;
    fixture f(s);
    f.join(d1, "239.1.1.1", exc({}));
    f.fwd.on_upcall(up, ip("198.18.0.1"), ip("239.1.1.1"), f.now, f.out);  // wanted
    for (int i = 1; i <= 1000; ++i) {
        const std::string src = "198.18.1." + std::to_string(i % 250 + 1);
        const std::string grp = "239.9." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
        f.fwd.on_upcall(up, ip(src.c_str()), ip(grp.c_str()), f.now, f.out);
        ASSERT_LE(f.fwd.route_count(), 4u);
    }
    EXPECT_TRUE(f.fwd.route(route_key{ip("198.18.0.1"), ip("239.1.1.1")})) << "the wanted route stays";
    EXPECT_EQ(f.fwd.refused_routes(), 0u);
    // Every installed route was removed again (kernel entries follow).
    EXPECT_EQ(sets(f.out).size() - removes(f.out).size(), 4u);

    // All four wanted: a fifth is refused, logged once.
    f.out.clear();
    for (const char* g : {"239.2.0.1", "239.2.0.2", "239.2.0.3", "239.2.0.4", "239.2.0.5", "239.2.0.6"}) {
        f.join(d2, g, exc({}));
        f.fwd.on_upcall(up, ip("198.18.0.1"), ip(g), f.now, f.out);
    }
    EXPECT_EQ(f.fwd.route_count(), 4u);
    EXPECT_GE(f.fwd.refused_routes(), 2u);
    std::size_t logs = 0;
    for (const auto& a : f.out) logs += std::holds_alternative<log_action>(a);
    EXPECT_EQ(logs, 1u);
}

TEST(Forwarding, LocalSourceGoesUpstreamAndToOtherDownstreamsNeverBack) {
    fixture f;
    f.fwd.set_interfaces({up, up2}, {d1, d2, d3}, f.now, f.out);
    f.join(d1, "239.1.1.1", exc({}));
    f.join(d2, "239.1.1.1", exc({}));
    f.out.clear();
    f.fwd.on_upcall(d1, ip("198.51.100.7"), ip("239.1.1.1"), f.now, f.out);
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_EQ(sets(f.out)[0].input, d1);
    EXPECT_EQ(sets(f.out)[0].outputs, (std::vector<if_index>{up, up2, d2}));
}

// Default: a route for an INCLUDE source is made from the upcall of its
// first packet, so routes follow the flows that exist, not the sources
// joined (measured in doc/benchmarks.md: about 0.1 ms later, nothing lost).
TEST(Forwarding, IncludeSourcesWaitForTheirData) {
    fixture f;
    f.join(d2, "232.1.1.1", inc({"192.0.2.1", "192.0.2.2"}));
    EXPECT_TRUE(sets(f.out).empty());
    EXPECT_EQ(f.fwd.route_count(), 0u);
    f.fwd.on_upcall(up, ip("192.0.2.1"), ip("232.1.1.1"), f.now, f.out);
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_EQ(sets(f.out)[0].input, up);
    EXPECT_EQ(sets(f.out)[0].outputs, std::vector<if_index>{d2});
    EXPECT_FALSE(f.fwd.route({ip("192.0.2.1"), ip("232.1.1.1")})->proactive);
    // A source nobody included gets a route that forwards nowhere.
    f.out.clear();
    f.fwd.on_upcall(up, ip("192.0.2.9"), ip("232.1.1.1"), f.now, f.out);
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_TRUE(sets(f.out)[0].outputs.empty());
}

TEST(Forwarding, IncludeSourcesAreProgrammedBeforeDataWhenProactive) {
    forwarding_settings s;
    s.proactive_include = true;
    fixture f(s);
    f.join(d2, "232.1.1.1", inc({"192.0.2.1", "192.0.2.2"}));
    ASSERT_EQ(sets(f.out).size(), 2u);
    for (const auto& r : sets(f.out)) {
        EXPECT_EQ(r.input, up);
        EXPECT_EQ(r.outputs, std::vector<if_index>{d2});
    }
    EXPECT_TRUE(f.fwd.route({ip("192.0.2.1"), ip("232.1.1.1")})->proactive);
}

TEST(Forwarding, MembershipChangesUpdateRoutesOnlyWhenOutputsChange) {
    fixture f;
    f.join(d1, "239.1.1.1", exc({}));
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);
    f.out.clear();
    f.join(d2, "239.1.1.1", inc({"192.0.2.5"}));
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_EQ(sets(f.out)[0].outputs, (std::vector<if_index>{d1, d2}));
    f.out.clear();
    // d3 joins with a source that is not this one: no change for (S,G),
    // and none for 192.0.2.8 before its data arrives.
    f.join(d3, "239.1.1.1", inc({"192.0.2.8"}));
    EXPECT_TRUE(sets(f.out).empty());
    f.out.clear();
    f.fwd.on_membership_change(ip("239.1.1.1"), f.now, f.out);  // nothing changed
    EXPECT_TRUE(f.out.empty());
    f.join(d1, "239.1.1.1", exc({"192.0.2.5"}));
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_EQ(sets(f.out)[0].outputs, (std::vector<if_index>{d2}));
}

TEST(Forwarding, WrongInterfaceMovesTheInput) {
    fixture f;
    f.join(d1, "239.1.1.1", exc({}));
    f.join(d2, "239.1.1.1", exc({}));
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);
    f.out.clear();
    f.fwd.on_upcall(d1, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_EQ(sets(f.out)[0].input, d1);
    EXPECT_EQ(sets(f.out)[0].outputs, (std::vector<if_index>{up, d2}));
}

TEST(Forwarding, RepeatedUpcallReinstallsTheSameRoute) {
    fixture f;
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);
    const auto first = sets(f.out);
    f.out.clear();
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_EQ(sets(f.out)[0].outputs, first[0].outputs);
    EXPECT_EQ(f.fwd.route_count(), 1u);
}

TEST(Forwarding, BadUpcallsAreIgnored) {
    fixture f;
    f.fwd.on_upcall(99, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);           // not ours
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("224.0.0.251"), f.now, f.out);         // link-local
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("192.0.2.9"), f.now, f.out);           // not multicast
    f.fwd.on_upcall(up, ip("2001:db8::1"), ip("239.1.1.1"), f.now, f.out);         // mixed families
    f.fwd.on_upcall(up, ip("0.0.0.0"), ip("239.1.1.1"), f.now, f.out);             // no source
    EXPECT_TRUE(f.out.empty());
    EXPECT_EQ(f.fwd.route_count(), 0u);
}

TEST(Forwarding, InterfaceRemovalDropsAndUpdatesRoutes) {
    fixture f;
    f.join(d1, "239.1.1.1", exc({}));
    f.join(d2, "239.1.1.1", exc({}));
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);
    f.fwd.on_upcall(d3, ip("198.51.100.3"), ip("239.1.1.1"), f.now, f.out);
    f.out.clear();
    f.fwd.set_interfaces({up}, {d1, d2}, f.now, f.out);  // d3 gone
    EXPECT_EQ(removes(f.out), (std::vector<route_key>{{ip("198.51.100.3"), ip("239.1.1.1")}}));
    f.out.clear();
    f.fwd.set_interfaces({up}, {d2}, f.now, f.out);  // d1 gone
    ASSERT_EQ(sets(f.out).size(), 1u);
    EXPECT_EQ(sets(f.out)[0].outputs, std::vector<if_index>{d2});
}

TEST(Forwarding, OutputFilterHookIsHonoured) {
    forwarding_settings s;
    s.allow_output = [](const route_key& k, if_index, if_index o) {
        return !(o == d2 && k.source == *net::address::parse("192.0.2.5"));
    };
    fixture f(s);
    f.join(d1, "239.1.1.1", exc({}));
    f.join(d2, "239.1.1.1", exc({}));
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);
    EXPECT_EQ(f.fwd.route({ip("192.0.2.5"), ip("239.1.1.1")})->outputs, std::vector<if_index>{d1});
    f.out.clear();
    f.fwd.set_output_filter({}, f.now, f.out);
    EXPECT_EQ(f.fwd.route({ip("192.0.2.5"), ip("239.1.1.1")})->outputs, (std::vector<if_index>{d1, d2}));
}

TEST(Forwarding, Ipv6RoutesWork) {
    fixture f;
    f.join(d1, "ff05::1", exc({}));
    f.fwd.on_upcall(up, ip("2001:db8::5"), ip("ff05::1"), f.now, f.out);
    EXPECT_EQ(f.fwd.route({ip("2001:db8::5"), ip("ff05::1")})->outputs, std::vector<if_index>{d1});
    f.out.clear();
    f.fwd.on_upcall(up, ip("2001:db8::5"), ip("ff02::1"), f.now, f.out);
    EXPECT_TRUE(f.out.empty());
}

TEST(Forwarding, ClearRemovesEverything) {
    fixture f;
    f.fwd.on_upcall(up, ip("192.0.2.5"), ip("239.1.1.1"), f.now, f.out);
    f.fwd.on_upcall(up, ip("192.0.2.6"), ip("239.1.1.1"), f.now, f.out);
    f.out.clear();
    f.fwd.clear(f.out);
    EXPECT_EQ(removes(f.out).size(), 2u);
    EXPECT_EQ(f.fwd.route_count(), 0u);
}

TEST(ForwardingRandom, RoutesAlwaysMatchTheMemberships) {
    std::mt19937 rng(4242);
    forwarding_settings s;
    fixture f(s);
    const std::vector<if_index> downs{d1, d2, d3};
    std::vector<net::address> groups{ip("239.7.0.1"), ip("239.7.0.2")};
    std::vector<net::address> sources;
    for (std::uint32_t i = 1; i <= 5; ++i) sources.push_back(net::address::v4(0xC0000200u + i));
    for (int step = 0; step < 5000; ++step) {
        f.out.clear();
        const auto& g = groups[rng() % groups.size()];
        if (rng() % 2) {
            membership m;
            if (rng() % 3) {
                m.mode = rng() % 2 ? filter_mode::include : filter_mode::exclude;
                for (const auto& src : sources)
                    if (rng() % 3 == 0) m.sources.insert(src);
            }
            const if_index d = downs[rng() % downs.size()];
            const bool same = f.agg.downstream(d, g) == m;
            f.agg.set(d, g, m);
            f.fwd.on_membership_change(g, f.now, f.out);
            // No action for an unchanged state.
            if (same) {
                ASSERT_TRUE(f.out.empty()) << "step " << step;
            }
        } else {
            const if_index in = rng() % 4 == 0 ? up : downs[rng() % downs.size()];
            f.fwd.on_upcall(in, sources[rng() % sources.size()], g, f.now, f.out);
        }
        // Every route: outputs are exactly what the memberships ask for.
        for (const auto& grp : groups)
            for (const auto& src : sources) {
                auto r = f.fwd.route({src, grp});
                if (!r) continue;
                std::vector<if_index> expect;
                if (r->input != up) expect.push_back(up);
                for (if_index d : downs)
                    if (d != r->input && f.agg.downstream(d, grp).wants(src)) expect.push_back(d);
                std::sort(expect.begin(), expect.end());
                ASSERT_EQ(r->outputs, expect) << "step " << step;
                ASSERT_EQ(std::count(r->outputs.begin(), r->outputs.end(), r->input), 0);
            }
        // Every set_route emitted carries a real route.
        for (const auto& sr : sets(f.out)) {
            auto r = f.fwd.route(sr.key);
            ASSERT_TRUE(r);
            ASSERT_EQ(r->outputs, sr.outputs);
        }
    }
}

}  // namespace
}  // namespace mcproxy::core
