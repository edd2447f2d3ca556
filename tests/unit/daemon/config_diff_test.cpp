// SPDX-License-Identifier: GPL-2.0-or-later
// Reload keeps an instance running exactly when nothing that affects it
// changed: settings compare by value, where they were written never counts.
#include <gtest/gtest.h>

#include <functional>
#include <vector>

#include "mcproxy/config/parse.hpp"
#include "mcproxy/daemon/config_diff.hpp"

using namespace mcproxy;

namespace {

config::instance parse_instance(const std::string& text, std::size_t i = 0) {
    auto r = config::parse_text(text, "t.conf");
    EXPECT_TRUE(r.ok()) << config::to_string(r.errors);
    return r.ok() ? r.config->instances.at(i) : config::instance{};
}

bool same(const std::string& a, const std::string& b) {
    return daemon::same_settings(parse_instance(a), parse_instance(b));
}

const std::string base = "protocol IGMPv3;\npinstance p: up0 ==> dn1 dn2;\n";

}  // namespace

TEST(ConfigDiff, SameConfigurationElsewhereInTheFileIsTheSame) {
    // Every location differs (lines and columns), nothing else does.
    EXPECT_TRUE(same(base, "# comment\nprotocol IGMPv3;\n\npinstance p:   up0 ==> dn1 dn2;\n"));
    const std::string filtered = "table t { (239.1.1.1 | *) };\npinstance p downstream dn1 out whitelist table t;\n";
    EXPECT_TRUE(same(base + filtered, "\n\n" + base + "\n" + filtered));
}

TEST(ConfigDiff, EveryRelevantChangeIsSeen) {
    EXPECT_FALSE(same(base, "protocol IGMPv2;\npinstance p: up0 ==> dn1 dn2;\n"));
    EXPECT_FALSE(same(base, "protocol IGMPv3;\npinstance p: up0 ==> dn1;\n"));
    EXPECT_FALSE(same(base, "protocol IGMPv3;\npinstance p: up0 ==> dn2 dn1 dn3;\n"));
    EXPECT_FALSE(same(base, "protocol IGMPv3;\npinstance p(7): up0 ==> dn1 dn2;\n"));
    EXPECT_FALSE(same(base, base + "pinstance p downstream dn1 query-interval 60;\n"));
    EXPECT_FALSE(same(base, base + "pinstance p downstream dn1 fastleave;\n"));
    EXPECT_FALSE(same(base, base + "pinstance p downstream dn1 accept-off-link-reports;\n"));
    EXPECT_FALSE(same(base, base + "pinstance p route-idle-timeout 30;\n"));
    EXPECT_FALSE(same(base, base + "table t { (239.1.1.1 | *) };\npinstance p downstream dn1 out whitelist table t;\n"));
}

TEST(ConfigDiff, RuleContentsMatterNotOnlyTheirNumber) {
    EXPECT_FALSE(same(base + "table t { (239.1.1.1 | *) };\npinstance p upstream up0 in whitelist table t;\n",
                      base + "table t { (239.1.1.2 | *) };\npinstance p upstream up0 in whitelist table t;\n"));
}

// What the running instance reports (the table a filter came from, whether
// its kernel table was chosen or assigned) is part of its configuration too:
// a reload that changes only that must not leave the old text in place.
TEST(ConfigDiff, TableNameAndExplicitTableNumberCount) {
    EXPECT_FALSE(same(base + "table t { (239.1.1.1 | *) };\npinstance p upstream up0 in whitelist table t;\n",
                      base + "table u { (239.1.1.1 | *) };\npinstance p upstream up0 in whitelist table u;\n"));
    // The second instance of a family gets table 1 unless it names one.
    const std::string first = "protocol IGMPv3;\npinstance a: up0 ==> dn1;\n";
    const auto assigned = parse_instance(first + "pinstance p: up1 ==> dn2;\n", 1);
    const auto chosen = parse_instance(first + "pinstance p(1): up1 ==> dn2;\n", 1);
    ASSERT_EQ(assigned.table, 1U);
    ASSERT_EQ(chosen.table, 1U);
    EXPECT_FALSE(daemon::same_settings(assigned, chosen));
}

// Each field of the tuning, changed alone, makes the downstream differ: a
// field added later is compared by the defaulted operator== without being
// listed anywhere.
TEST(ConfigDiff, EveryTuningFieldCounts) {
    const config::instance inst = parse_instance(base);
    const config::downstream& d = inst.downstreams.at(0);
    using change = std::function<void(config::downstream_tuning&)>;
    const std::vector<change> changes = {
        [](auto& t) { ++t.robustness; },
        [](auto& t) { t.query_interval += config::milliseconds{1}; },
        [](auto& t) { t.query_response_interval += config::milliseconds{1}; },
        [](auto& t) { t.startup_query_interval += config::milliseconds{1}; },
        [](auto& t) { ++t.startup_query_count; },
        [](auto& t) { t.last_member_query_interval += config::milliseconds{1}; },
        [](auto& t) { ++t.last_member_query_count; },
        [](auto& t) { t.fastleave = !t.fastleave; },
        [](auto& t) { t.accept_off_link_reports = !t.accept_off_link_reports; },
        [](auto& t) { ++t.max_groups; },
        [](auto& t) { ++t.max_sources; },
        [](auto& t) { ++t.max_hosts; },
    };
    for (std::size_t i = 0; i < changes.size(); ++i) {
        config::downstream other = d;
        changes[i](other.tuning);
        EXPECT_FALSE(daemon::same_settings(d, other)) << "tuning change " << i;
    }
    config::downstream moved = d;
    moved.loc.line += 10;
    EXPECT_TRUE(daemon::same_settings(d, moved));
}

TEST(ConfigDiff, OtherInstancesDoNotMatter) {
    EXPECT_TRUE(daemon::same_settings(parse_instance(base), parse_instance(base + "pinstance q: up9 ==> dn9;\n")));
}

TEST(ConfigDiff, InPlaceOnlyWhenOnlyPlainDownstreamsChange) {
    const auto before = parse_instance(base);
    EXPECT_TRUE(daemon::reconfigurable_in_place(before, parse_instance("protocol IGMPv3;\npinstance p: up0 ==> dn1;\n")));
    EXPECT_TRUE(daemon::reconfigurable_in_place(
        before, parse_instance(base + "pinstance p downstream dn2 query-interval 60;\n")));
    EXPECT_FALSE(daemon::reconfigurable_in_place(before, parse_instance("protocol IGMPv3;\npinstance p: up1 ==> dn1 dn2;\n")));
    EXPECT_FALSE(daemon::reconfigurable_in_place(before, parse_instance(base + "pinstance p route-idle-timeout 30;\n")));
    EXPECT_FALSE(daemon::reconfigurable_in_place(
        before, parse_instance(base + "table t { (239.1.1.1 | *) };\npinstance p downstream dn1 out whitelist table t;\n")));
}
