// SPDX-License-Identifier: GPL-2.0-or-later
// Filter tables in the core (doc/filters.md): which (S,G) pass, and how a filter
// transforms a membership, including any-source (EXCLUDE) joins.
#include <gtest/gtest.h>

#include <random>

#include "core/filter_test_util.hpp"
#include "mcproxy/core/membership_ops.hpp"

namespace mcproxy::core {
namespace {

using namespace filter_test;

constexpr if_index up1 = 1, up2 = 2;

TEST(SourceFilter, NoBindingAllowsEverything) {
    const source_filter f;
    EXPECT_FALSE(f.bound());
    EXPECT_TRUE(f.allows(ip("198.51.100.1"), ip("239.1.1.1"), up1));
    EXPECT_EQ(f.apply(ip("239.1.1.1"), exc({}), up1), exc({}));
}

TEST(SourceFilter, WhitelistAllowsWhatMatchesBlacklistWhatDoesNot) {
    const auto w = whitelist({rule("239.1.1.1", "*"), rule("239.2.0.0/16", "198.51.100.0/24")});
    EXPECT_TRUE(w.allows(ip("203.0.113.9"), ip("239.1.1.1"), up1));
    EXPECT_TRUE(w.allows(ip("198.51.100.77"), ip("239.2.9.9"), up1));
    EXPECT_FALSE(w.allows(ip("198.51.101.1"), ip("239.2.9.9"), up1));
    EXPECT_FALSE(w.allows(ip("198.51.100.1"), ip("239.3.0.1"), up1));
    const auto b = blacklist({rule("239.1.1.1", "*"), rule("239.2.0.0/16", "198.51.100.0/24")});
    EXPECT_FALSE(b.allows(ip("203.0.113.9"), ip("239.1.1.1"), up1));
    EXPECT_TRUE(b.allows(ip("198.51.101.1"), ip("239.2.9.9"), up1));
}

TEST(SourceFilter, RangesAreInclusive) {
    const auto w = whitelist({rule("239.3.1.1-239.3.1.9", "*")});
    EXPECT_TRUE(w.allows(ip("192.0.2.1"), ip("239.3.1.1"), up1));
    EXPECT_TRUE(w.allows(ip("192.0.2.1"), ip("239.3.1.9"), up1));
    EXPECT_FALSE(w.allows(ip("192.0.2.1"), ip("239.3.1.10"), up1));
}

TEST(SourceFilter, InterfaceQualifiedRuleMatchesOnlyItsArrivalInterface) {
    const auto w = whitelist({rule("239.1.1.1", "*", up1)});
    EXPECT_TRUE(w.allows(ip("198.51.100.1"), ip("239.1.1.1"), up1));
    EXPECT_FALSE(w.allows(ip("198.51.100.1"), ip("239.1.1.1"), up2));
    EXPECT_TRUE(w.has_qualified_rules());
}

TEST(SourceFilter, OtherFamilyNeverMatches) {
    const auto w = whitelist({rule("*", "*")});
    EXPECT_FALSE(w.allows(ip("2001:db8::1"), ip("ff05::1"), up1));
}

TEST(SourceFilter, NamedSourcesAreMergedAndSorted) {
    const auto w = whitelist({rule("239.1.1.1", "198.51.100.5"), rule("239.1.1.1", "198.51.100.0/30"),
                              rule("239.1.1.1", "198.51.100.4"), rule("239.9.9.9", "203.0.113.1")});
    const auto n = w.named_sources(ip("239.1.1.1"), up1);
    ASSERT_EQ(n.size(), 1u);  // .0-.3, .4 and .5 are adjacent
    EXPECT_EQ(n[0], range("198.51.100.0-198.51.100.5"));
}

// One row per transformation case: filter, group, membership in, membership out.
struct apply_row {
    const char* name;
    source_filter filter;
    const char* group;
    membership in;
    membership out;
};

void PrintTo(const apply_row& r, std::ostream* os) { *os << r.name; }

class SourceFilterApply : public ::testing::TestWithParam<apply_row> {};

TEST_P(SourceFilterApply, Row) {
    const auto& r = GetParam();
    EXPECT_EQ(r.filter.apply(ip(r.group), r.in, up1), r.out) << r.name;
}

const apply_row apply_rows[] = {
    {"whitelist any source: EXCLUDE kept", whitelist({rule("239.1.1.1", "*")}), "239.1.1.1", exc({"198.51.100.9"}),
     exc({"198.51.100.9"})},
    {"whitelist other group: never joined", whitelist({rule("239.1.1.1", "*")}), "239.2.2.2", exc({}), inc({})},
    {"whitelist only S: EXCLUDE{} becomes INCLUDE{S}", whitelist({rule("239.1.1.1", "198.51.100.1")}), "239.1.1.1",
     exc({}), inc({"198.51.100.1"})},
    {"whitelist S1 S2: EXCLUDE{S1} becomes INCLUDE{S2}",
     whitelist({rule("239.1.1.1", "198.51.100.1"), rule("239.1.1.1", "198.51.100.2")}), "239.1.1.1",
     exc({"198.51.100.1"}), inc({"198.51.100.2"})},
    {"whitelist only S: EXCLUDE{S} becomes INCLUDE{}", whitelist({rule("239.1.1.1", "198.51.100.1")}), "239.1.1.1",
     exc({"198.51.100.1"}), inc({})},
    {"whitelist only S: INCLUDE{S,T} keeps S", whitelist({rule("239.1.1.1", "198.51.100.1")}), "239.1.1.1",
     inc({"198.51.100.1", "203.0.113.1"}), inc({"198.51.100.1"})},
    {"whitelist source prefix: EXCLUDE stays (route filter limits)", whitelist({rule("239.1.1.1", "198.51.100.0/24")}),
     "239.1.1.1", exc({"203.0.113.1"}), exc({"203.0.113.1"})},
    {"whitelist source prefix: INCLUDE decided per source", whitelist({rule("239.1.1.1", "198.51.100.0/24")}),
     "239.1.1.1", inc({"198.51.100.7", "203.0.113.1"}), inc({"198.51.100.7"})},
    {"whitelist single plus prefix: EXCLUDE stays",
     whitelist({rule("239.1.1.1", "198.51.100.0/24"), rule("239.1.1.1", "203.0.113.1")}), "239.1.1.1", exc({}),
     exc({})},
    {"whitelist two halves of the source space: everything",
     whitelist({rule("239.1.1.1", "0.0.0.0/1"), rule("239.1.1.1", "128.0.0.0/1")}), "239.1.1.1", exc({}), exc({})},
    {"empty whitelist: nothing", whitelist({}), "239.1.1.1", exc({}), inc({})},
    {"blacklist group: EXCLUDE{} never joined", blacklist({rule("239.1.1.1", "*")}), "239.1.1.1", exc({}), inc({})},
    {"blacklist group: INCLUDE never joined", blacklist({rule("239.1.1.1", "*")}), "239.1.1.1",
     inc({"198.51.100.1"}), inc({})},
    {"blacklist group range", blacklist({rule("239.0.0.0/8", "*")}), "239.200.1.1", exc({}), inc({})},
    {"blacklist (S,G): EXCLUDE{} becomes EXCLUDE{S}", blacklist({rule("239.1.1.1", "198.51.100.1")}), "239.1.1.1",
     exc({}), exc({"198.51.100.1"})},
    {"blacklist (S,G): EXCLUDE{T} becomes EXCLUDE{S,T}", blacklist({rule("239.1.1.1", "198.51.100.1")}),
     "239.1.1.1", exc({"203.0.113.1"}), exc({"198.51.100.1", "203.0.113.1"})},
    {"blacklist (S,G): INCLUDE{S,T} keeps T", blacklist({rule("239.1.1.1", "198.51.100.1")}), "239.1.1.1",
     inc({"198.51.100.1", "203.0.113.1"}), inc({"203.0.113.1"})},
    {"blacklist source prefix: EXCLUDE unchanged (route filter limits)",
     blacklist({rule("239.1.1.1", "198.51.100.0/24")}), "239.1.1.1", exc({}), exc({})},
    {"blacklist source prefix: INCLUDE decided per source", blacklist({rule("239.1.1.1", "198.51.100.0/24")}),
     "239.1.1.1", inc({"198.51.100.7", "203.0.113.1"}), inc({"203.0.113.1"})},
    {"blacklist two halves of the source space: never joined",
     blacklist({rule("239.1.1.1", "0.0.0.0/1"), rule("239.1.1.1", "128.0.0.0/1")}), "239.1.1.1", exc({}), inc({})},
    {"blacklist other group: unchanged", blacklist({rule("239.1.1.1", "*")}), "239.2.2.2", exc({}), exc({})},
    {"empty blacklist: unchanged", blacklist({}), "239.1.1.1", exc({"198.51.100.1"}), exc({"198.51.100.1"})},
    {"no membership stays none", whitelist({rule("239.1.1.1", "198.51.100.1")}), "239.1.1.1", inc({}), inc({})},
    {"qualified rule for another arrival does not apply", whitelist({rule("239.1.1.1", "198.51.100.1", up2)}),
     "239.1.1.1", exc({}), inc({})},
    {"qualified rule for this arrival applies", whitelist({rule("239.1.1.1", "198.51.100.1", up1)}), "239.1.1.1",
     exc({}), inc({"198.51.100.1"})},
};

INSTANTIATE_TEST_SUITE_P(Rows, SourceFilterApply, ::testing::ValuesIn(apply_rows));

TEST(SourceFilter, MldWhitelistConvertsAnySourceJoin) {
    const auto w = whitelist({rule("ff05::1", "2001:db8::1")});
    EXPECT_EQ(w.apply(ip("ff05::1"), exc({}), up1), inc({"2001:db8::1"}));
}

// The transformation never lets a source through that allows() refuses,
// for INCLUDE memberships exactly and for EXCLUDE ones whenever the result
// lists its sources (INCLUDE).
TEST(SourceFilter, ApplyAgreesWithAllows) {
    const std::vector<net::address> pool{ip("198.51.100.1"), ip("198.51.100.2"), ip("203.0.113.1"),
                                         ip("203.0.113.200")};
    const std::vector<source_filter> filters{
        whitelist({rule("239.1.1.1", "198.51.100.1"), rule("239.1.1.1", "203.0.113.0/25")}),
        blacklist({rule("239.1.1.1", "198.51.100.2"), rule("239.0.0.0/8", "203.0.113.128/25")}),
        whitelist({rule("239.1.1.1", "198.51.100.1"), rule("239.1.1.1", "203.0.113.1")}),
        blacklist({rule("239.1.1.1", "*")}),
    };
    for (const auto& f : filters)
        for (unsigned mask = 0; mask < 16; ++mask)
            for (auto mode : {filter_mode::include, filter_mode::exclude}) {
                membership m{mode, {}};
                for (unsigned i = 0; i < 4; ++i)
                    if (mask & (1u << i)) m.sources.insert(pool[i]);
                const membership r = f.apply(ip("239.1.1.1"), m, up1);
                for (const auto& s : pool) {
                    const bool want = m.wants(s) && f.allows(s, ip("239.1.1.1"), up1);
                    if (r.mode == filter_mode::include || mode == filter_mode::include)
                        EXPECT_EQ(r.wants(s), want) << m.to_string() << " -> " << r.to_string() << " " << s.to_string();
                    else
                        EXPECT_TRUE(!want || r.wants(s)) << m.to_string() << " -> " << r.to_string();
                }
            }
}

// The group index gives exactly the answers of a plain scan of the rules,
// with overlapping, nested, `*` and IPv6 group ranges mixed.
TEST(SourceFilter, IndexedLookupEqualsALinearScan) {
    std::mt19937 rng(77);
    for (int table = 0; table < 50; ++table) {
        std::vector<filter_rule> rules;
        const auto n = static_cast<int>(1 + rng() % 40);
        for (int i = 0; i < n; ++i) {
            filter_rule r;
            if (rng() % 10 == 0) {
                r.group = address_range::all(net::family::ipv4);
            } else if (rng() % 10 == 0) {
                r.group = range("ff05::/120", net::family::ipv6);
            } else {
                const auto a = static_cast<std::uint32_t>(rng() % 200);
                const auto b = a + static_cast<std::uint32_t>(rng() % (rng() % 4 == 0 ? 150 : 5));
                r.group = {net::address::v4(0xEF000000u + a), net::address::v4(0xEF000000u + b)};
            }
            r.source = rng() % 2 ? address_range::all(net::family::ipv4)
                                 : address_range::single(net::address::v4(0xC6336400u + static_cast<std::uint32_t>(rng() % 4)));
            if (r.group.first.is_v6()) r.source = address_range::all(net::family::ipv6);
            if (rng() % 4 == 0) r.arrival = static_cast<if_index>(1 + rng() % 2);
            rules.push_back(r);
        }
        const source_filter f(rng() % 2 ? filter_kind::whitelist : filter_kind::blacklist, rules);
        for (int q = 0; q < 400; ++q) {
            const bool v6 = rng() % 8 == 0;
            const net::address g = v6 ? ip("ff05::7") : net::address::v4(0xEF000000u + static_cast<std::uint32_t>(rng() % 400));
            const net::address s = v6 ? ip("2001:db8::1") : net::address::v4(0xC6336400u + static_cast<std::uint32_t>(rng() % 4));
            const auto arrival = static_cast<if_index>(1 + rng() % 2);
            bool hit = false;
            for (const auto& r : rules) hit = hit || r.matches(s, g, arrival);
            ASSERT_EQ(f.allows(s, g, arrival), f.kind() == filter_kind::whitelist ? hit : !hit)
                << "table " << table << " group " << g.to_string();
        }
    }
}

// Membership algebra used by rule matching: one row per mode combination.
TEST(MembershipOps, UniteIntersectSubtract) {
    EXPECT_EQ(unite(inc({"198.51.100.1"}), inc({"198.51.100.2"})), inc({"198.51.100.1", "198.51.100.2"}));
    EXPECT_EQ(unite(exc({"198.51.100.1", "198.51.100.2"}), inc({"198.51.100.2"})), exc({"198.51.100.1"}));
    EXPECT_EQ(unite(exc({"198.51.100.1", "198.51.100.2"}), exc({"198.51.100.2"})), exc({"198.51.100.2"}));
    EXPECT_EQ(intersect(inc({"198.51.100.1", "198.51.100.2"}), inc({"198.51.100.2"})), inc({"198.51.100.2"}));
    EXPECT_EQ(intersect(exc({"198.51.100.1"}), inc({"198.51.100.1", "198.51.100.2"})), inc({"198.51.100.2"}));
    EXPECT_EQ(intersect(exc({"198.51.100.1"}), exc({"198.51.100.2"})), exc({"198.51.100.1", "198.51.100.2"}));
    EXPECT_EQ(subtract(exc({}), exc({})), inc({}));
    EXPECT_EQ(subtract(exc({}), inc({"198.51.100.1"})), exc({"198.51.100.1"}));
    EXPECT_EQ(subtract(exc({}), exc({"198.51.100.1"})), inc({"198.51.100.1"}));
    EXPECT_EQ(subtract(inc({"198.51.100.1", "198.51.100.2"}), exc({"198.51.100.1"})), inc({"198.51.100.1"}));
    EXPECT_EQ(complement(inc({"198.51.100.1"})), exc({"198.51.100.1"}));
}

}  // namespace
}  // namespace mcproxy::core
