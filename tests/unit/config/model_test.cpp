// SPDX-License-Identifier: GPL-2.0-or-later
// The resolved model: instances, protocols, tables, peering, bindings.
#include "config_test_util.hpp"

using namespace std::chrono_literals;
using namespace mcproxy::config;
using config_test::parse;
using config_test::valid;
using config_test::warnings;

namespace {
mcproxy::net::address a(const char* s) { return *mcproxy::net::address::parse(s); }
}  // namespace

TEST(ConfigModel, ClassicSingleInstance) {
    auto m = valid("protocol IGMPv3;\npinstance myProxy: eth0 ==> eth1 eth2;\n");
    ASSERT_EQ(m.instances.size(), 1u);
    const auto& i = m.instances[0];
    EXPECT_EQ(i.name, "myProxy");
    EXPECT_EQ(i.protocol, protocol_version::igmpv3);
    EXPECT_EQ(i.family, mcproxy::net::family::ipv4);
    EXPECT_EQ(i.table, 0u);  // the kernel's default table: no policy rules needed
    EXPECT_FALSE(i.table_explicit);
    ASSERT_EQ(i.upstreams.size(), 1u);
    EXPECT_EQ(i.upstreams[0].name, "eth0");
    ASSERT_EQ(i.downstreams.size(), 2u);
    EXPECT_EQ(i.downstreams[1].name, "eth2");
    EXPECT_EQ(i.upstream_in, (rule_matching{matching::first, 0ms}));
    EXPECT_EQ(i.upstream_out, (rule_matching{matching::all, 0ms}));
    EXPECT_EQ(i.loc, (location{2, 1}));
    EXPECT_FALSE(m.disabled);
}

TEST(ConfigModel, KeywordsAreCaseInsensitive) {
    auto m = valid("PROTOCOL mldv2;\nPInstance a: e0 ==> e1;\nPINSTANCE a UPSTREAM * IN RuleMatching ALL;");
    EXPECT_EQ(m.instances[0].protocol, protocol_version::mldv2);
    EXPECT_EQ(m.instances[0].upstream_in.kind, matching::all);
}

TEST(ConfigModel, QuerierOnlyInstance) {
    auto m = valid("protocol MLDv2;\npinstance q: ==> eth1;\n");
    EXPECT_TRUE(m.instances[0].upstreams.empty());
    EXPECT_EQ(m.instances[0].family, mcproxy::net::family::ipv6);
}

TEST(ConfigModel, UnquotedAndQuotedInterfaceNames) {
    auto m = valid("pinstance a: \"vlan-eth0.2\" br-lan ==> eth0.100 veth0@if3 6in4-wan wg_0;\n");
    const auto& i = m.instances[0];
    EXPECT_EQ(i.upstreams[0].name, "vlan-eth0.2");
    EXPECT_EQ(i.upstreams[1].name, "br-lan");
    EXPECT_EQ(i.downstreams[0].name, "eth0.100");
    EXPECT_EQ(i.downstreams[1].name, "veth0@if3");
    EXPECT_EQ(i.downstreams[2].name, "6in4-wan");
    EXPECT_EQ(i.downstreams[3].name, "wg_0");
}

TEST(ConfigModel, ProtocolAppliesToFollowingInstances) {
    auto m = valid("protocol IGMPv2;\npinstance v4: eth0 ==> eth1;\nprotocol MLDv1;\npinstance v6: eth0 ==> eth1;\n");
    EXPECT_EQ(m.instances[0].protocol, protocol_version::igmpv2);
    EXPECT_EQ(m.instances[1].protocol, protocol_version::mldv1);
    // One IPv4 and one IPv6 instance share interfaces; each family's first
    // instance uses that family's default table.
    EXPECT_EQ(m.instances[0].table, 0u);
    EXPECT_EQ(m.instances[1].table, 0u);
}

TEST(ConfigModel, SingleProtocolLineAppliesEverywhere) {
    auto m = valid("pinstance a: eth0 ==> eth1;\nprotocol MLDv2;\n");
    EXPECT_EQ(m.instances[0].protocol, protocol_version::mldv2);
}

TEST(ConfigModel, NoProtocolMeansIgmpV3WithAWarning) {
    const std::string text = "pinstance a: eth0 ==> eth1;\n";
    EXPECT_EQ(valid(text).instances[0].protocol, protocol_version::igmpv3);
    EXPECT_EQ(warnings(text), "t.conf:1:1: warning: no 'protocol' statement in the file; using IGMPv3\n");
}

TEST(ConfigModel, TableNumbersExplicitAndAssignedNeverCollide) {
    auto m = valid("pinstance a: e0 ==> e1;\npinstance b(1): e2 ==> e3;\npinstance c: e4 ==> e5;\npinstance d(3): e6 ==> e7;");
    EXPECT_EQ(m.instances[0].table, 0u);  // first without a number: the default table
    EXPECT_EQ(m.instances[1].table, 1u);
    EXPECT_TRUE(m.instances[1].table_explicit);
    EXPECT_EQ(m.instances[2].table, 2u);  // lowest free number
    EXPECT_EQ(m.instances[3].table, 3u);
}

TEST(ConfigModel, PeeringInterfaces) {
    auto m = valid("pinstance p: up peer ==> peer down;\n");
    const auto& i = m.instances[0];
    EXPECT_EQ(i.peering, std::vector<std::string>{"peer"});
    EXPECT_FALSE(i.upstreams[0].peering);
    EXPECT_TRUE(i.upstreams[1].peering);
    EXPECT_TRUE(i.downstreams[0].peering);
    EXPECT_FALSE(i.downstreams[1].peering);
    EXPECT_EQ(i.interface_count(), 3u);
}

TEST(ConfigModel, DisableIsCarried) {
    auto m = valid("disable;\nprotocol IGMPv3;\npinstance a: e0 ==> e1;\n");
    EXPECT_TRUE(m.disabled);
}

TEST(ConfigModel, NestedTablesAreFlattenedInOrder) {
    auto m = valid("table base { (239.1.1.1 | *) };\n"
                   "table outer { (232.1.1.1 | 192.0.2.1) (table base) (table { eth9(239.2.2.2 | *) (table base) }) };\n"
                   "pinstance a: e0 ==> e1;\npinstance a downstream e1 out whitelist table outer;\n");
    const auto& rules = m.tables.at("outer").rules();
    ASSERT_EQ(rules.size(), 4u);
    EXPECT_EQ(rules[0].to_string(), "(232.1.1.1 | 192.0.2.1)");
    EXPECT_EQ(rules[1].to_string(), "(239.1.1.1 | *)");
    EXPECT_EQ(rules[2].to_string(), "eth9(239.2.2.2 | *)");
    EXPECT_EQ(rules[3].loc, (location{1, 14}));
    const auto& f = m.instances[0].downstreams[0].filters.out;
    ASSERT_TRUE(f);
    EXPECT_EQ(f->table_name, "outer");
    EXPECT_EQ(f->rules.size(), 4u);
    EXPECT_EQ(f->type, filter_type::whitelist);
}

TEST(ConfigModel, TablesMayBeDefinedAfterUse) {
    auto m = valid("pinstance a: e0 ==> e1;\npinstance a upstream e0 in blacklist table late;\n"
                   "table late { (239.0.0.0/8 | *) };\n");
    const auto& f = m.instances[0].upstreams[0].filters.in;
    ASSERT_TRUE(f);
    EXPECT_EQ(f->type, filter_type::blacklist);
    EXPECT_EQ(f->rules.rules()[0].group.to_string(), "239.0.0.0/8");
}

TEST(ConfigModel, StarBindingFillsInterfacesWithoutTheirOwn) {
    auto m = valid("pinstance a: u1 u2 ==> d1 d2;\n"
                   "pinstance a downstream d2 out blacklist table { (239.9.9.9 | *) };\n"
                   "pinstance a downstream * out whitelist table { (239.1.1.1 | *) };\n");
    const auto& i = m.instances[0];
    EXPECT_EQ(i.downstreams[0].filters.out->type, filter_type::whitelist);
    EXPECT_EQ(i.downstreams[1].filters.out->type, filter_type::blacklist);
    EXPECT_FALSE(i.downstreams[0].filters.in);
    EXPECT_FALSE(i.upstreams[0].filters.out);
    ASSERT_TRUE(i.downstream_defaults.out);
    EXPECT_EQ(i.downstream_defaults.out->type, filter_type::whitelist);
    EXPECT_FALSE(i.downstream_defaults.in);
    EXPECT_FALSE(i.upstream_defaults.in);
}

TEST(ConfigModel, RuleMatchingMutexTimeout) {
    auto m = valid("pinstance a: u1 u2 ==> d1;\npinstance a upstream * in rulematching mutex 10000;\n"
                   "pinstance a upstream * out rulematching first;\n");
    EXPECT_EQ(m.instances[0].upstream_in, (rule_matching{matching::mutex, 10s}));
    EXPECT_EQ(m.instances[0].upstream_out.kind, matching::first);
    auto m2 = valid("pinstance a: u1 u2 ==> d1;\npinstance a upstream * in rulematching mutex 2.5s;\n");
    EXPECT_EQ(m2.instances[0].upstream_in.timeout, 2500ms);
}

TEST(ConfigModel, RuleMatchingWarnings) {
    EXPECT_EQ(warnings("pinstance a: u1 ==> d1;\npinstance a upstream u1 in rulematching all;\n"),
              "t.conf:1:1: warning: no 'protocol' statement in the file; using IGMPv3\n"
              "t.conf:2:1: warning: rulematching has no effect: instance 'a' has fewer than two upstreams\n"
              "t.conf:2:22: warning: rulematching applies to all upstreams of instance 'a'; interface 'u1' is "
              "ignored (write '*')\n");
}

TEST(ConfigModel, OtherWarnings) {
    EXPECT_EQ(warnings("protocol IGMPv3;\ntable t { (239.1.1.1/24 | *) };\npinstance a: u ==> d;\n"
                       "pinstance a upstream u in whitelist table { ethX(* | *) (table t) };\n"),
              "t.conf:2:12: warning: host bits set in '239.1.1.1/24'; using 239.1.1.0/24\n"
              "t.conf:4:45: warning: interface 'ethX' in this rule is not part of instance 'a' (bound at 4:1); the "
              "rule never matches\n");
    EXPECT_EQ(warnings("protocol IGMPv3;\nprotocol MLDv2;\npinstance a: u ==> d;\n"),
              "t.conf:1:1: warning: this protocol statement applies to no instance: the next protocol statement "
              "comes before any 'pinstance' definition\n");
}

TEST(ConfigModel, EmptyStatementsAndCommentsAreAllowed) {
    auto m = valid(";;\n# comment\nprotocol IGMPv3; # trailing\n;pinstance a: e0 ==> e1;;\n");
    EXPECT_EQ(m.instances.size(), 1u);
}

TEST(ConfigModel, WarningsComeWithErrorsToo) {
    auto r = parse("pinstance a: e0 ==> e1;\ntable t { (1.2.3.4 | *) };\n");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.warnings.size(), 2u);  // no protocol, unused table
}

TEST(ConfigModel, ParseFileReadsAndReportsMissingFiles) {
    auto r = parse_file("/nonexistent/mcproxy.conf");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].to_string(), "/nonexistent/mcproxy.conf: error: cannot open: No such file or directory");
}

TEST(ConfigModel, AddressMatchingThroughTheModel) {
    auto m = valid("protocol MLDv2;\npinstance a: u ==> d;\n"
                   "pinstance a downstream d out whitelist table { (ff05::/16 | 2001:db8::1 - 2001:db8::ff) };\n");
    const auto& f = *m.instances[0].downstreams[0].filters.out;
    EXPECT_TRUE(f.allows("u", a("2001:db8::10"), a("ff05::1234")));
    EXPECT_FALSE(f.allows("u", a("2001:db8::100"), a("ff05::1234")));
    EXPECT_FALSE(f.allows("u", a("2001:db8::10"), a("ff0e::1")));
}

TEST(ConfigModel, PunctuatedNamesInBindingsAndRuleQualifiers) {
    auto m = valid("protocol IGMPv3;\npinstance a: 6in4-wan ==> br-lan \"vlan-eth0.2\";\n"
                   "pinstance a upstream 6in4-wan out whitelist table { br-lan(239.1.1.1-239.1.1.9 | *) "
                   "\"vlan-eth0.2\"(239.2.2.2 | *) 6in4-wan(239.3.3.3 | *) };\n"
                   "pinstance a downstream \"vlan-eth0.2\" fastleave;\n");
    const auto& i = m.instances[0];
    const auto& rules = i.upstreams[0].filters.out->rules.rules();
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[0].to_string(), "br-lan(239.1.1.1 - 239.1.1.9 | *)");
    EXPECT_EQ(rules[1].iface, "vlan-eth0.2");
    EXPECT_EQ(rules[2].iface, "6in4-wan");
    EXPECT_TRUE(i.downstreams[1].tuning.fastleave);
}

TEST(ConfigModel, UnusedTableAndUselessBindingWarnings) {
    EXPECT_EQ(warnings("protocol IGMPv3;\ntable spare { (* | *) };\npinstance q: ==> d;\n"
                       "pinstance q upstream * in whitelist table { (* | *) };\n"),
              "t.conf:2:7: warning: table 'spare' is defined but never used\n"
              "t.conf:4:1: warning: instance 'q' has no upstream; this binding has no effect\n");
}
