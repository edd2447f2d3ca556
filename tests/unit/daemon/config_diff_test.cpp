// SPDX-License-Identifier: GPL-2.0-or-later
// Reload keeps an instance running exactly when nothing that affects it changed.
#include <gtest/gtest.h>

#include "mcproxy/config/parse.hpp"
#include "mcproxy/daemon/config_diff.hpp"

using namespace mcproxy;

namespace {

std::string fp(const std::string& text, std::size_t i = 0) {
    auto r = config::parse_text(text, "t.conf");
    EXPECT_TRUE(r.ok()) << config::to_string(r.errors);
    return r.ok() ? daemon::fingerprint(r.config->instances.at(i)) : std::string();
}

const std::string base = "protocol IGMPv3;\npinstance p: up0 ==> dn1 dn2;\n";

}  // namespace

TEST(ConfigDiff, SameConfigurationSameFingerprint) {
    EXPECT_EQ(fp(base), fp("# comment\nprotocol IGMPv3;\n\npinstance p:   up0 ==> dn1 dn2;\n"));
}

TEST(ConfigDiff, EveryRelevantChangeIsSeen) {
    const std::string before = fp(base);
    EXPECT_NE(before, fp("protocol IGMPv2;\npinstance p: up0 ==> dn1 dn2;\n"));
    EXPECT_NE(before, fp("protocol IGMPv3;\npinstance p: up0 ==> dn1;\n"));
    EXPECT_NE(before, fp("protocol IGMPv3;\npinstance p: up0 ==> dn2 dn1 dn3;\n"));
    EXPECT_NE(before, fp("protocol IGMPv3;\npinstance p(7): up0 ==> dn1 dn2;\n"));
    EXPECT_NE(before, fp(base + "pinstance p downstream dn1 query-interval 60;\n"));
    EXPECT_NE(before, fp(base + "pinstance p downstream dn1 fastleave;\n"));
    EXPECT_NE(before, fp(base + "pinstance p downstream dn1 accept-off-link-reports;\n"));
    EXPECT_NE(before, fp(base + "pinstance p route-idle-timeout 30;\n"));
    EXPECT_NE(before, fp(base + "table t { (239.1.1.1 | *) };\npinstance p downstream dn1 out whitelist table t;\n"));
}

TEST(ConfigDiff, RuleContentsMatterNotOnlyTheirNumber) {
    EXPECT_NE(fp(base + "table t { (239.1.1.1 | *) };\npinstance p upstream up0 in whitelist table t;\n"),
              fp(base + "table t { (239.1.1.2 | *) };\npinstance p upstream up0 in whitelist table t;\n"));
}

TEST(ConfigDiff, OtherInstancesDoNotMatter) {
    EXPECT_EQ(fp(base), fp(base + "pinstance q: up9 ==> dn9;\n"));
}
