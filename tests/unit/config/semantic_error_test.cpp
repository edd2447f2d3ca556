// SPDX-License-Identifier: GPL-2.0-or-later
// One test per semantic error: exact position and message.
#include "config_test_util.hpp"

using config_test::first_error;
using config_test::parse;

namespace {
const std::string base = "protocol IGMPv3;\npinstance a: eth0 ==> eth1 eth2;\n";  // lines 1-2
}

TEST(ConfigSemanticError, UnknownTable) {
    EXPECT_EQ(first_error(base + "pinstance a upstream eth0 in whitelist table nope;"),
              "t.conf:3:46: error: unknown table 'nope': no 'table nope { ... };' in the file");
    EXPECT_EQ(first_error("table t { (table nope) };\n" + base),
              "t.conf:1:18: error: unknown table 'nope': no 'table nope { ... };' in the file");
}

TEST(ConfigSemanticError, TableDefinedTwice) {
    EXPECT_EQ(first_error(base + "table t { (* | *) };\ntable t { (239.1.1.1 | *) };"),
              "t.conf:4:7: error: table 't' is already defined at 3:7");
}

TEST(ConfigSemanticError, AddressFamilyDoesNotMatchProtocol) {
    EXPECT_EQ(first_error(base + "table v6 { (ff05::1 | *) };\npinstance a downstream eth1 out whitelist table v6;"),
              "t.conf:3:13: error: IPv6 address 'ff05::1' does not match protocol IGMPv3 of instance 'a' (bound at 4:1)");
    EXPECT_EQ(first_error("protocol MLDv2;\npinstance b: eth0 ==> eth1;\n"
                          "pinstance b upstream eth0 in blacklist table { (* | 192.0.2.1) };"),
              "t.conf:3:53: error: IPv4 address '192.0.2.1' does not match protocol MLDv2 of instance 'b' (bound at 3:1)");
}

TEST(ConfigSemanticError, RangeMixesFamilies) {
    EXPECT_EQ(first_error("table t { (239.1.1.1 - ff05::1 | *) };\n" + base),
              "t.conf:1:24: error: group range '239.1.1.1 - ff05::1' mixes IPv4 and IPv6");
}

TEST(ConfigSemanticError, InterfaceInTwoInstancesOfOneFamily) {
    EXPECT_EQ(first_error(base + "pinstance b: eth3 ==> eth2;"),
              "t.conf:3:23: error: interface 'eth2' is already used by IPv4 instance 'a' at 2:28; an interface may "
              "belong to one IPv4 and one IPv6 instance");
}

TEST(ConfigSemanticError, InterfaceListedTwiceOnOneSide) {
    EXPECT_EQ(first_error("pinstance a: eth0 ==> eth1 eth1;"),
              "t.conf:1:28: error: interface 'eth1' is listed twice as downstream of instance 'a'");
    EXPECT_EQ(first_error("pinstance a: eth0 eth0 ==> eth1;"),
              "t.conf:1:19: error: interface 'eth0' is listed twice as upstream of instance 'a'");
}

TEST(ConfigSemanticError, GroupIsNotMulticast) {
    EXPECT_EQ(first_error("table t { (192.0.2.1 | *) };\n" + base),
              "t.conf:1:12: error: group '192.0.2.1' is not a multicast address (224.0.0.0/4)");
    EXPECT_EQ(first_error("table t { (224.0.0.0/3 | *) };\n" + base),
              "t.conf:1:12: error: group '224.0.0.0/3' is not a multicast address (224.0.0.0/4)");
    EXPECT_EQ(first_error("table t { (2001:db8::1 | *) };\n" + base),
              "t.conf:1:12: error: group '2001:db8::1' is not a multicast address (ff00::/8)");
    EXPECT_EQ(first_error("table t { (239.255.255.255 - 240.0.0.1 | *) };\n" + base),
              "t.conf:1:12: error: group '239.255.255.255 - 240.0.0.1' is not a multicast address (224.0.0.0/4)");
}

TEST(ConfigSemanticError, PrefixLengthOutOfRange) {
    EXPECT_EQ(first_error("table t { (239.0.0.0/33 | *) };\n" + base),
              "t.conf:1:22: error: prefix length 33 is out of range for IPv4, expected 0..32");
    EXPECT_EQ(first_error("table t { (ff05::/129 | *) };\n" + base),
              "t.conf:1:19: error: prefix length 129 is out of range for IPv6, expected 0..128");
    EXPECT_EQ(first_error("table t { (* | 192.0.2.0/99999999999) };\n" + base),
              "t.conf:1:26: error: prefix length 99999999999 is out of range for IPv4, expected 0..32");
}

TEST(ConfigSemanticError, RangeWithReversedEnds) {
    EXPECT_EQ(first_error("table t { (239.1.1.9 - 239.1.1.1 | *) };\n" + base),
              "t.conf:1:12: error: group range '239.1.1.9 - 239.1.1.1' has its ends reversed, expected "
              "'239.1.1.1 - 239.1.1.9'");
    EXPECT_EQ(first_error("table t { (* | 198.51.100.9-198.51.100.1) };\n" + base),
              "t.conf:1:16: error: source range '198.51.100.9 - 198.51.100.1' has its ends reversed, expected "
              "'198.51.100.1 - 198.51.100.9'");
}

TEST(ConfigSemanticError, MoreThan32Interfaces) {
    std::string text = "pinstance big: up ==>";
    for (int i = 0; i < 32; ++i) text += " d" + std::to_string(i);
    text += ";";
    // up + d0..d30 = 32 interfaces; d31 is the 33rd.
    EXPECT_EQ(first_error(text), "t.conf:1:" + std::to_string(text.size() - 3) +
                                     ": error: instance 'big' has more than 32 interfaces; the kernel allows 32 per "
                                     "table (split it into several instances)");
    // A peering interface counts once.
    std::string ok = "pinstance big: up ==> up";
    for (int i = 0; i < 31; ++i) ok += " d" + std::to_string(i);
    EXPECT_EQ(first_error(ok + ";"), "");
}

TEST(ConfigSemanticError, DuplicateInstanceName) {
    EXPECT_EQ(first_error(base + "pinstance a: eth5 ==> eth6;"), "t.conf:3:11: error: instance 'a' is already defined at 2:11");
}

TEST(ConfigSemanticError, SameTableNumberTwice) {
    EXPECT_EQ(first_error("pinstance a(7): e0 ==> e1;\npinstance b(7): e2 ==> e3;"),
              "t.conf:2:13: error: table 7 is already used by IPv4 instance 'a' at 1:13");
    // IPv4 and IPv6 tables are separate: the same number is fine.
    EXPECT_EQ(first_error("protocol IGMPv3;\npinstance a(7): e0 ==> e1;\nprotocol MLDv2;\npinstance b(7): e0 ==> e1;"), "");
}

TEST(ConfigSemanticError, TableNumberOutOfRange) {
    EXPECT_EQ(first_error("pinstance a(0): e0 ==> e1;"),
              "t.conf:1:13: error: table number 0 is out of range, expected 1..4294967294");
    EXPECT_EQ(first_error("pinstance a(4294967295): e0 ==> e1;"),
              "t.conf:1:13: error: table number 4294967295 is out of range, expected 1..4294967294");
}

TEST(ConfigSemanticError, BindingForUnknownInstance) {
    EXPECT_EQ(first_error(base + "pinstance zz upstream eth0 in whitelist table { (* | *) };"),
              "t.conf:3:11: error: unknown instance 'zz': no 'pinstance zz: ... ==> ...;' in the file");
    EXPECT_EQ(first_error(base + "pinstance zz upstream * in rulematching all;"),
              "t.conf:3:11: error: unknown instance 'zz': no 'pinstance zz: ... ==> ...;' in the file");
    EXPECT_EQ(first_error(base + "pinstance zz downstream * fastleave;"), "t.conf:3:11: error: unknown instance 'zz': no 'pinstance zz: ... ==> ...;' in the file");
}

TEST(ConfigSemanticError, BindingForInterfaceNotInInstance) {
    EXPECT_EQ(first_error(base + "pinstance a upstream eth9 in whitelist table { (* | *) };"),
              "t.conf:3:22: error: interface 'eth9' is not an upstream of instance 'a', expected one of: eth0");
    EXPECT_EQ(first_error(base + "pinstance a upstream eth1 in whitelist table { (* | *) };"),
              "t.conf:3:22: error: interface 'eth1' is not an upstream of instance 'a' (it is a downstream), expected "
              "one of: eth0");
    EXPECT_EQ(first_error(base + "pinstance a downstream eth0 out blacklist table { (* | *) };"),
              "t.conf:3:24: error: interface 'eth0' is not a downstream of instance 'a' (it is an upstream), expected "
              "one of: eth1, eth2");
    EXPECT_EQ(first_error(base + "pinstance a downstream eth0 fastleave;"),
              "t.conf:3:24: error: interface 'eth0' is not a downstream of instance 'a' (it is an upstream), expected "
              "one of: eth1, eth2");
}

TEST(ConfigSemanticError, FilterBoundTwice) {
    EXPECT_EQ(first_error(base + "pinstance a upstream eth0 in whitelist table { (* | *) };\n"
                                 "pinstance a upstream eth0 in blacklist table { (* | *) };"),
              "t.conf:4:1: error: a filter for 'upstream eth0 in' of instance 'a' is already bound at 3:1");
}

TEST(ConfigSemanticError, TableCycle) {
    EXPECT_EQ(first_error("table x { (table y) };\ntable y { (table z) };\ntable z { (table x) };\n" + base),
              "t.conf:3:18: error: table cycle: x -> y -> z -> x");
    EXPECT_EQ(first_error("table self { (* | *) (table self) };\n" + base),
              "t.conf:1:29: error: table cycle: self -> self");
}

TEST(ConfigSemanticError, ReferenceChainTooDeep) {
    std::string text = base;
    for (int i = 0; i < 40; ++i)
        text += "table t" + std::to_string(i) + " { (table t" + std::to_string(i + 1) + ") };\n";
    text += "table t40 { (* | *) };\n";
    auto r = parse(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.errors[0].message, "tables nested too deeply: more than 32 levels of references");
}

TEST(ConfigSemanticError, ExponentialTableIsBounded) {
    std::string text = base + "table t0 { (* | *) (* | *) };\n";
    for (int i = 1; i < 30; ++i)
        text += "table t" + std::to_string(i) + " { (table t" + std::to_string(i - 1) + ") (table t" +
                std::to_string(i - 1) + ") };\n";
    auto r = parse(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.errors[0].message, "table expands to more than 100000 rules");
}

TEST(ConfigSemanticError, InvalidInterfaceName) {
    EXPECT_EQ(first_error("pinstance a: \"eth0/1\" ==> eth1;"),
              "t.conf:1:14: error: invalid interface name 'eth0/1': it contains '/', ':' or white space");
    EXPECT_EQ(first_error("pinstance a: eth0 ==> abcdefghijklmnop;"),
              "t.conf:1:23: error: invalid interface name 'abcdefghijklmnop': it is longer than 15 characters");
}

TEST(ConfigSemanticError, NoInstance) {
    EXPECT_EQ(first_error("protocol MLDv2;\n"),
              "t.conf: error: no proxy instance defined, expected at least one 'pinstance NAME: UPSTREAM... ==> "
              "DOWNSTREAM...;'");
    EXPECT_EQ(first_error("disable;\n"), "");
}

TEST(ConfigSemanticError, RulematchingMisuse) {
    EXPECT_EQ(first_error(base + "pinstance a downstream * in rulematching all;"),
              "t.conf:3:1: error: rulematching applies to upstreams only, expected 'pinstance a upstream * in "
              "rulematching ...'");
    EXPECT_EQ(first_error(base + "pinstance a upstream * out rulematching mutex 100;"),
              "t.conf:3:41: error: 'mutex' applies to 'upstream * in' only, expected 'all' or 'first'");
    EXPECT_EQ(first_error(base + "pinstance a upstream * in rulematching mutex soon;"),
              "t.conf:3:46: error: invalid mutex timeout 'soon', expected milliseconds, or a time such as 500ms or 2s");
    EXPECT_EQ(first_error(base + "pinstance a upstream * in rulematching all;\npinstance a upstream * in rulematching first;"),
              "t.conf:4:1: error: rulematching for 'upstream * in' of instance 'a' is already set at 3:1");
}

TEST(ConfigSemanticError, ErrorsCarryFoundAndExpected) {
    auto r = parse(base + "pinstance a upstream eth0 in whitelist table nope;");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].file, "t.conf");
    EXPECT_EQ(r.errors[0].found, "nope");
    EXPECT_EQ(r.errors[0].expected, "the name of a table defined with 'table NAME { ... };'");
}

TEST(ConfigSemanticError, TotalBoundRulesAreBounded) {
    std::string text = base + "table big {";
    for (int i = 0; i < 60000; ++i) text += " (* | *)";
    text += " };\n";
    for (const char* b : {"upstream eth0 in", "upstream eth0 out", "downstream eth1 in", "downstream eth1 out",
                          "downstream eth2 in"})
        text += std::string("pinstance a ") + b + " whitelist table big;\n";
    auto r = parse(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.errors[0].message, "filter bindings bind more than 250000 rules in total");
    EXPECT_EQ(r.errors[0].loc.line, 8u);
}

TEST(ConfigSemanticError, TotalTableSizeIsBounded) {
    std::string text = base + "table big {";
    for (int i = 0; i < 90000; ++i) text += " (* | *)";
    text += " };\n";
    for (int i = 0; i < 10; ++i) text += "table t" + std::to_string(i) + " { (table big) };\n";
    auto r = parse(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.errors[0].to_string(), "t.conf:8:7: error: tables expand to more than 500000 rules in total");
}

TEST(ConfigSemanticError, SemanticErrorCountIsBounded) {
    std::string text = base;
    for (int i = 0; i < 300; ++i) text += "table t" + std::to_string(i) + " { (10.0.0.1 | *) };\n";
    auto r = parse(text);
    ASSERT_EQ(r.errors.size(), 51u);
    EXPECT_EQ(r.errors.back().to_string(), "t.conf: error: too many errors, giving up");
}

TEST(ConfigSemanticError, BindingOnASideWithoutInterfaces) {
    EXPECT_EQ(first_error("pinstance q: ==> d;\npinstance q upstream d in whitelist table { (* | *) };"),
              "t.conf:2:22: error: interface 'd' is not an upstream of instance 'q' (it is a downstream), expected "
              "none: it has no upstream");
}
