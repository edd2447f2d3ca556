// SPDX-License-Identifier: GPL-2.0-or-later
// Files written for the classic mcproxy keep their meaning.
#include "config_test_util.hpp"

using namespace std::chrono_literals;
using namespace mcproxy::config;

namespace {
mcproxy::net::address a(const char* s) { return *mcproxy::net::address::parse(s); }
}  // namespace

TEST(ConfigClassic, FullClassicStyleFile) {
    const std::string text = R"(
# a classic-style file
protocol IGMPv3;

pinstance 1:          eth0 eth1 eth3 ==> eth4 eth5 eth10;   # first upstream has priority
pinstance local:      wlan0 wlan1 ==> dummy0 eth6 dummy1;
pinstance querier:    ==> eth8;
pinstance split(10):  tunU1 tunU2 ==> tunD1 tunD2;

table 1 {
  (239.99.99.99 | *)
  (* | 198.51.100.0/24)
};
table ranges {
  (239.0.0.0 - 239.0.255.255 | 198.51.100.0/24)
  (239.0.0.0 - 239.0.255.255 | 203.0.113.0 - 203.0.113.55)
};
table pc { (* | 192.0.2.3) };
table nested {
  (table pc)
  (table {(* | *) ( table pc)})
};
table always { (* | *) };

pinstance 1 upstream eth0 out whitelist table 1;
pinstance 1 upstream eth1 out whitelist table ranges;
pinstance 1 upstream eth3 out whitelist table always;
pinstance 1 downstream eth5 out whitelist table pc;
pinstance 1 downstream eth4 out whitelist table {(* | 192.0.2.0/24)};
pinstance 1 downstream eth4 in blacklist table always;
pinstance local upstream wlan0 out blacklist table nested;
pinstance local upstream wlan1 in blacklist table always;
pinstance split upstream tunU1 out whitelist table {tunD1(* | *)};
pinstance split upstream tunU2 out whitelist table {tunD2(* | *)};
pinstance split downstream tunD1 out whitelist table {tunU1(* | *)};
pinstance split downstream tunD2 out whitelist table {tunU2(* | *)};
pinstance split upstream * in rulematching mutex 10000;
pinstance split upstream * out rulematching first;
)";
    auto r = config_test::parse(text);
    ASSERT_TRUE(r.ok()) << to_string(r.errors);
    EXPECT_TRUE(r.warnings.empty()) << to_string(r.warnings);
    const auto& m = *r.config;
    ASSERT_EQ(m.instances.size(), 4u);
    EXPECT_EQ(m.instances[0].name, "1");
    EXPECT_EQ(m.instances[2].upstreams.size(), 0u);
    EXPECT_EQ(m.instances[3].table, 10u);
    EXPECT_EQ(m.instances[3].upstream_in, (rule_matching{matching::mutex, 10s}));
    EXPECT_EQ(m.tables.at("nested").size(), 3u);
    const auto& split = m.instances[3];
    const auto& f = *split.upstreams[0].filters.out;
    EXPECT_TRUE(f.allows("tunD1", a("192.0.2.1"), a("239.1.1.1")));
    EXPECT_FALSE(f.allows("tunD2", a("192.0.2.1"), a("239.1.1.1")));
    const auto& ranges = *m.instances[0].upstreams[1].filters.out;
    EXPECT_TRUE(ranges.allows("eth4", a("203.0.113.55"), a("239.0.255.255")));
    EXPECT_FALSE(ranges.allows("eth4", a("203.0.113.56"), a("239.0.255.255")));
}

TEST(ConfigClassic, ClassicTokensWithoutSpaces) {
    auto m = config_test::valid("protocol MLDv2;pinstance a(3):up==>down;"
                                "pinstance a upstream up in whitelist table{(ff05::1|*)(ff05::/16|2001:db8::1-2001:db8::9)};");
    const auto& rules = m.instances[0].upstreams[0].filters.in->rules.rules();
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_EQ(rules[1].to_string(), "(ff05::/16 | 2001:db8::1 - 2001:db8::9)");
}
