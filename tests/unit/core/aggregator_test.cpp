// SPDX-License-Identifier: GPL-2.0-or-later
// RFC 4605 4.1 merging rules, case by case for IPv4 and IPv6, the filter
// hook, and a randomised sequence checked against a from-scratch merge.
#include <gtest/gtest.h>

#include <random>

#include "core/host_test_util.hpp"
#include "mcproxy/core/aggregator.hpp"

namespace mcproxy::core {
namespace {

using namespace host_test;

struct fam {
    const char* name;
    const char* group;
    const char* s1;
    const char* s2;
    const char* s3;
};
const fam fam_v4{"IPv4", "239.2.2.2", "198.51.100.1", "198.51.100.2", "198.51.100.3"};
const fam fam_v6{"IPv6", "ff3e::8000:1", "2001:db8::a", "2001:db8::b", "2001:db8::c"};

void PrintTo(const fam& f, std::ostream* os) { *os << f.name; }

class Merge : public ::testing::TestWithParam<fam> {};

TEST_P(Merge, AllIncludeIsTheUnion) {
    const fam& f = GetParam();
    aggregator a;
    EXPECT_TRUE(a.set(1, ip(f.group), inc({f.s1})));
    EXPECT_TRUE(a.set(2, ip(f.group), inc({f.s2, f.s1})));
    EXPECT_EQ(a.merged(ip(f.group)), inc({f.s1, f.s2}));
    // s1 is still wanted by 2: no change when 1 drops it.
    EXPECT_FALSE(a.set(1, ip(f.group), membership{}));
    EXPECT_EQ(a.merged(ip(f.group)), inc({f.s1, f.s2}));
    EXPECT_TRUE(a.set(2, ip(f.group), membership{}));
    EXPECT_TRUE(a.merged(ip(f.group)).empty());
    EXPECT_EQ(a.group_count(), 0u);
}

TEST_P(Merge, OneExcludeWinsOverIncludes) {
    const fam& f = GetParam();
    aggregator a;
    a.set(1, ip(f.group), inc({f.s1}));
    EXPECT_TRUE(a.set(2, ip(f.group), exc({f.s1, f.s2})));
    // EXCLUDE({s1, s2} - {s1})
    EXPECT_EQ(a.merged(ip(f.group)), exc({f.s2}));
}

TEST_P(Merge, ExcludeListsIntersect) {
    const fam& f = GetParam();
    aggregator a;
    a.set(1, ip(f.group), exc({f.s1, f.s2}));
    EXPECT_TRUE(a.set(2, ip(f.group), exc({f.s2, f.s3})));
    EXPECT_EQ(a.merged(ip(f.group)), exc({f.s2}));
    EXPECT_TRUE(a.set(3, ip(f.group), exc({})));
    EXPECT_EQ(a.merged(ip(f.group)), exc({}));
}

TEST_P(Merge, IncludeRemovesFromIntersection) {
    const fam& f = GetParam();
    aggregator a;
    a.set(1, ip(f.group), exc({f.s1, f.s2}));
    a.set(2, ip(f.group), exc({f.s1, f.s2}));
    EXPECT_EQ(a.merged(ip(f.group)), exc({f.s1, f.s2}));
    EXPECT_TRUE(a.set(3, ip(f.group), inc({f.s2, f.s3})));
    EXPECT_EQ(a.merged(ip(f.group)), exc({f.s1}));
}

TEST_P(Merge, LastExcludeLeavingFallsBackToIncludeUnion) {
    const fam& f = GetParam();
    aggregator a;
    a.set(1, ip(f.group), inc({f.s1}));
    a.set(2, ip(f.group), exc({f.s2}));
    EXPECT_TRUE(a.set(2, ip(f.group), membership{}));
    EXPECT_EQ(a.merged(ip(f.group)), inc({f.s1}));
}

TEST_P(Merge, ExcludeChangeHiddenByAnotherExcludeIsNoChange) {
    const fam& f = GetParam();
    aggregator a;
    a.set(1, ip(f.group), exc({}));
    a.set(2, ip(f.group), exc({f.s1}));
    EXPECT_EQ(a.merged(ip(f.group)), exc({}));
    EXPECT_FALSE(a.set(2, ip(f.group), exc({f.s1, f.s2})));
    EXPECT_FALSE(a.set(2, ip(f.group), exc({f.s1, f.s2})));  // identical
    EXPECT_FALSE(a.set(3, ip(f.group), inc({f.s1})));
    EXPECT_EQ(a.downstream(3, ip(f.group)), inc({f.s1}));
}

TEST_P(Merge, RemovingAnInterfaceReportsChangedGroups) {
    const fam& f = GetParam();
    aggregator a;
    a.set(1, ip(f.group), exc({}));
    a.set(2, ip(f.group), inc({f.s1}));
    EXPECT_EQ(a.remove_interface(1), std::vector<net::address>{ip(f.group)});
    EXPECT_EQ(a.merged(ip(f.group)), inc({f.s1}));
    EXPECT_TRUE(a.remove_interface(7).empty());
}

TEST_P(Merge, FilterTurnsAnySourceJoinIntoIncludeOfAllowedSource) {
    const fam& f = GetParam();
    // A downstream `out` whitelist allowing only s1 for the group (doc/filters.md).
    const net::address allowed = ip(f.s1);
    membership_filter only_s1 = [allowed](if_index, const net::address&, const membership& m) {
        membership r{filter_mode::include, {}};
        if (m.wants(allowed)) r.sources.insert(allowed);
        return r;
    };
    aggregator a(only_s1);
    EXPECT_TRUE(a.set(1, ip(f.group), exc({})));
    EXPECT_EQ(a.merged(ip(f.group)), inc({f.s1}));
    EXPECT_FALSE(a.set(2, ip(f.group), inc({f.s2})));  // filtered away
    // Dropping the filter brings the raw memberships back.
    EXPECT_EQ(a.set_filter({}), std::vector<net::address>{ip(f.group)});
    EXPECT_EQ(a.merged(ip(f.group)), exc({}));
}

INSTANTIATE_TEST_SUITE_P(Rfc4605_4_1, Merge, ::testing::Values(fam_v4, fam_v6),
                         [](const auto& pi) { return std::string(pi.param.name); });

TEST(MergeRandom, IncrementalEqualsFromScratchAndChangesAreExact) {
    std::mt19937 rng(4605);
    const std::vector<net::address> groups{ip("239.3.0.1"), ip("239.3.0.2"), ip("ff05::3:1")};
    std::vector<net::address> v4s, v6s;
    for (std::uint32_t i = 1; i <= 6; ++i) v4s.push_back(net::address::v4(0xCB007100u + i));
    for (std::uint8_t i = 1; i <= 6; ++i) v6s.push_back(*net::address::parse("2001:db8::" + std::to_string(i)));
    aggregator a;
    for (int step = 0; step < 20000; ++step) {
        const net::address& g = groups[rng() % groups.size()];
        const auto& pool = g.is_v4() ? v4s : v6s;
        const auto iface = static_cast<if_index>(1 + rng() % 32);
        membership m;
        const auto kind = static_cast<unsigned>(rng() % 5);
        if (kind > 0) {
            m.mode = kind <= 2 ? filter_mode::include : filter_mode::exclude;
            for (const auto& s : pool)
                if (rng() % 3 == 0) m.sources.insert(s);
        }
        const membership before = a.merged(g);
        const bool changed = a.set(iface, g, m);
        const membership after = a.merged(g);
        ASSERT_EQ(after, a.recompute(g)) << "step " << step;
        ASSERT_EQ(changed, before != after) << "step " << step;
        ASSERT_EQ(a.downstream(iface, g), m);
    }
}

}  // namespace
}  // namespace mcproxy::core
