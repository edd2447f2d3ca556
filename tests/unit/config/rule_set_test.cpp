// SPDX-License-Identifier: GPL-2.0-or-later
// rule_set::matches and filter::allows on resolved rules.
#include "mcproxy/config/rule_set.hpp"

#include "config_test_util.hpp"

using namespace mcproxy::config;
using mcproxy::net::address;
using mcproxy::net::family;

namespace {

address a(const char* s) { return *address::parse(s); }

// The rule set of an anonymous whitelist bound to downstream d of an IGMPv3 instance.
rule_set rules_of(const std::string& rules, const char* proto = "IGMPv3") {
    auto m = config_test::valid(std::string("protocol ") + proto + ";\npinstance i: u1 u2 ==> d;\n" +
                                "pinstance i downstream d out whitelist table { " + rules + " };\n");
    if (m.instances.empty() || !m.instances[0].downstreams[0].filters.out) return {};
    return m.instances[0].downstreams[0].filters.out->rules;
}

}  // namespace

TEST(ConfigRuleSet, StarMatchesTheWholeFamilyOnly) {
    auto r = rules_of("(* | *)");
    EXPECT_TRUE(r.matches("u1", a("192.0.2.1"), a("239.1.1.1")));
    EXPECT_TRUE(r.matches("u1", a("0.0.0.0"), a("224.0.0.0")));
    EXPECT_TRUE(r.matches("u1", a("255.255.255.255"), a("239.255.255.255")));
    EXPECT_FALSE(r.matches("u1", a("2001:db8::1"), a("ff05::1")));
    EXPECT_EQ(address_range::all(family::ipv4).to_string(), "*");
    EXPECT_EQ(address_range::all(family::ipv6).last.to_string(), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

TEST(ConfigRuleSet, SingleGroupAnySource) {
    auto r = rules_of("(239.1.1.1 | *)");
    EXPECT_TRUE(r.matches("u1", a("198.51.100.7"), a("239.1.1.1")));
    EXPECT_FALSE(r.matches("u1", a("198.51.100.7"), a("239.1.1.2")));
}

TEST(ConfigRuleSet, RangeBoundsAreInclusive) {
    auto r = rules_of("(239.1.1.1 - 239.1.1.9 | 198.51.100.10 - 198.51.100.20)");
    EXPECT_TRUE(r.matches("x", a("198.51.100.10"), a("239.1.1.1")));
    EXPECT_TRUE(r.matches("x", a("198.51.100.20"), a("239.1.1.9")));
    EXPECT_FALSE(r.matches("x", a("198.51.100.21"), a("239.1.1.9")));
    EXPECT_FALSE(r.matches("x", a("198.51.100.9"), a("239.1.1.5")));
    EXPECT_FALSE(r.matches("x", a("198.51.100.15"), a("239.1.1.10")));
    EXPECT_FALSE(r.matches("x", a("198.51.100.15"), a("239.1.1.0")));
}

TEST(ConfigRuleSet, PrefixesCoverTheirBlock) {
    auto r = rules_of("(232.0.0.0/8 | 203.0.113.0/24)");
    EXPECT_TRUE(r.matches("x", a("203.0.113.0"), a("232.0.0.0")));
    EXPECT_TRUE(r.matches("x", a("203.0.113.255"), a("232.255.255.255")));
    EXPECT_FALSE(r.matches("x", a("203.0.114.0"), a("232.1.1.1")));
    EXPECT_FALSE(r.matches("x", a("203.0.113.1"), a("233.0.0.0")));
    EXPECT_EQ(r.rules()[0].to_string(), "(232.0.0.0/8 | 203.0.113.0/24)");
    auto all = rules_of("(224.0.0.0/4 | 0.0.0.0/0)");
    EXPECT_EQ(all.rules()[0].to_string(), "(224.0.0.0/4 | *)");
    auto host = rules_of("(239.1.1.1/32 | 192.0.2.1/32)");
    EXPECT_EQ(host.rules()[0].to_string(), "(239.1.1.1 | 192.0.2.1)");
}

TEST(ConfigRuleSet, InterfaceQualifierRestrictsArrival) {
    auto r = rules_of("u1(239.1.1.1 | *) (239.2.2.2 | *)");
    EXPECT_TRUE(r.matches("u1", a("192.0.2.1"), a("239.1.1.1")));
    EXPECT_FALSE(r.matches("u2", a("192.0.2.1"), a("239.1.1.1")));
    EXPECT_TRUE(r.matches("u2", a("192.0.2.1"), a("239.2.2.2")));
}

TEST(ConfigRuleSet, AnyRuleMatching) {
    auto r = rules_of("(239.1.1.1 | 192.0.2.1) (239.1.1.1 | 192.0.2.2)");
    EXPECT_TRUE(r.matches("d", a("192.0.2.1"), a("239.1.1.1")));
    EXPECT_TRUE(r.matches("d", a("192.0.2.2"), a("239.1.1.1")));
    EXPECT_FALSE(r.matches("d", a("192.0.2.3"), a("239.1.1.1")));
    EXPECT_FALSE(rule_set{}.matches("d", a("192.0.2.1"), a("239.1.1.1")));
}

TEST(ConfigRuleSet, Ipv6Rules) {
    auto r = rules_of("(ff3e::/16 | 2001:db8::/32) (ff05::1 - ff05::ff | *)", "MLDv2");
    EXPECT_TRUE(r.matches("d", a("2001:db8:1::1"), a("ff3e::8000:1")));
    EXPECT_FALSE(r.matches("d", a("2001:db9::1"), a("ff3e::8000:1")));
    EXPECT_TRUE(r.matches("d", a("fe80::1"), a("ff05::80")));
    EXPECT_FALSE(r.matches("d", a("fe80::1"), a("ff05::100")));
    EXPECT_FALSE(r.matches("d", a("192.0.2.1"), a("239.1.1.1")));
}

TEST(ConfigRuleSet, WhitelistAndBlacklist) {
    filter w{filter_type::whitelist, rules_of("(239.1.1.1 | *)"), "", {}};
    filter b{filter_type::blacklist, rules_of("(239.1.1.1 | *)"), "", {}};
    EXPECT_TRUE(w.allows("d", a("192.0.2.1"), a("239.1.1.1")));
    EXPECT_FALSE(w.allows("d", a("192.0.2.1"), a("239.1.1.2")));
    EXPECT_FALSE(b.allows("d", a("192.0.2.1"), a("239.1.1.1")));
    EXPECT_TRUE(b.allows("d", a("192.0.2.1"), a("239.1.1.2")));
}
