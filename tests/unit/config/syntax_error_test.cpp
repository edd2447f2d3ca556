// SPDX-License-Identifier: GPL-2.0-or-later
// One test per class of syntax error: exact position and message.
#include "config_test_util.hpp"

using config_test::first_error;
using config_test::parse;

TEST(ConfigSyntaxError, UnknownKeyword) {
    EXPECT_EQ(first_error("protocol IGMPv3;\nprotokoll MLDv2;\n"),
              "t.conf:2:1: error: unknown keyword 'protokoll', expected 'protocol', 'pinstance', 'table' or 'disable'");
}

TEST(ConfigSyntaxError, UnknownProtocolVersion) {
    EXPECT_EQ(first_error("protocol IGMPv4;"),
              "t.conf:1:10: error: expected 'IGMPv1', 'IGMPv2', 'IGMPv3', 'MLDv1' or 'MLDv2', found 'IGMPv4'");
}

TEST(ConfigSyntaxError, UnexpectedToken) {
    EXPECT_EQ(first_error("protocol IGMPv3;\npinstance a eth0 ==> eth1;"),
              "t.conf:2:13: error: expected ':', '(', 'upstream', 'downstream' or 'route-idle-timeout', found 'eth0'");
    EXPECT_EQ(first_error("pinstance a: eth0 ==> eth1 : eth2;"),
              "t.conf:1:28: error: expected downstream interface name or ';', found ':'");
    EXPECT_EQ(first_error("pinstance a: eth0 eth1;"),
              "t.conf:1:23: error: expected upstream interface name or '==>', found ';'");
    EXPECT_EQ(first_error("{"), "t.conf:1:1: error: expected 'protocol', 'pinstance', 'table' or 'disable', found '{'");
}

TEST(ConfigSyntaxError, MissingSemicolonIsReportedAfterThePreviousToken) {
    EXPECT_EQ(first_error("protocol IGMPv3\npinstance a: eth0 ==> eth1;"),
              "t.conf:1:16: error: expected ';' after the protocol, found 'pinstance'");
    EXPECT_EQ(first_error("protocol IGMPv3;\npinstance a: eth0 ==> eth1\npinstance b: eth2 ==> eth3;"),
              "t.conf:2:27: error: expected ';' after the downstream interfaces, found 'pinstance'");
    EXPECT_EQ(first_error("table t { (239.1.1.1 | *) }\npinstance a: eth0 ==> eth1;"),
              "t.conf:1:28: error: expected ';' after the table, found 'pinstance'");
    EXPECT_EQ(first_error("disable"), "t.conf:1:8: error: expected ';' after 'disable', found end of file");
}

TEST(ConfigSyntaxError, MissingSemicolonStillFindsTheNextError) {
    auto r = parse("protocol IGMPv3\npinstance a: eth0 ==> eth1;\nfoo;\n");
    ASSERT_EQ(r.errors.size(), 2u);
    EXPECT_EQ(r.errors[1].to_string(),
              "t.conf:3:1: error: unknown keyword 'foo', expected 'protocol', 'pinstance', 'table' or 'disable'");
}

TEST(ConfigSyntaxError, UnterminatedQuote) {
    EXPECT_EQ(first_error("pinstance a: \"eth0 ==> eth1;\n"),
              "t.conf:1:14: error: unterminated quoted string: expected '\"' before end of line");
    EXPECT_EQ(first_error("pinstance a: \"eth0"),
              "t.conf:1:14: error: unterminated quoted string: expected '\"' before end of file");
}

TEST(ConfigSyntaxError, UnterminatedBrace) {
    EXPECT_EQ(first_error("table t {\n  (239.1.1.1 | *)\n"),
              "t.conf:1:9: error: unterminated '{' (opened here): expected '}' before end of file at 3:1");
    EXPECT_EQ(first_error("table t {\n  (239.1.1.1 | *)\npinstance a: eth0 ==> eth1;"),
              "t.conf:1:9: error: unterminated '{' (opened here): expected '}' before 'pinstance' at 3:1");
}

TEST(ConfigSyntaxError, BadAddress) {
    EXPECT_EQ(first_error("table t { (239.1.1.300 | *) };"),
              "t.conf:1:12: error: invalid group address '239.1.1.300', expected an IPv4 or IPv6 address");
    EXPECT_EQ(first_error("table t { (ff05::1::2 | *) };"),
              "t.conf:1:12: error: invalid group address 'ff05::1::2', expected an IPv4 or IPv6 address");
    EXPECT_EQ(first_error("table t { (239.1.1.1 | host) };"),
              "t.conf:1:24: error: invalid source address 'host', expected an IPv4 or IPv6 address");
    EXPECT_EQ(first_error("table t { (239.1.1.1 | ) };"),
              "t.conf:1:24: error: expected source address or '*', found ')'");
}

TEST(ConfigSyntaxError, RuleNeedsPipeAndParentheses) {
    EXPECT_EQ(first_error("table t { (239.1.1.1) };"),
              "t.conf:1:21: error: expected '|' between group and source, found ')'");
    EXPECT_EQ(first_error("table t { (239.1.1.1 | * };"), "t.conf:1:26: error: expected ')', found '}'");
    EXPECT_EQ(first_error("table t { 239.1.1.1 };"),
              "t.conf:1:11: error: expected a rule '(GROUP | SOURCE)', '(table ...)' or '}', found '239.1.1.1'");
}

TEST(ConfigSyntaxError, PrefixLengthMustBeANumber) {
    EXPECT_EQ(first_error("table t { (239.0.0.0/x | *) };"), "t.conf:1:22: error: expected prefix length, found 'x'");
}

TEST(ConfigSyntaxError, BindingErrors) {
    EXPECT_EQ(first_error("pinstance a upstream eth0 sideways whitelist table t;"),
              "t.conf:1:27: error: expected 'in' or 'out', found 'sideways'");
    EXPECT_EQ(first_error("pinstance a upstream eth0 in greylist table t;"),
              "t.conf:1:30: error: expected 'whitelist', 'blacklist' or 'rulematching', found 'greylist'");
    EXPECT_EQ(first_error("pinstance a upstream eth0 in whitelist t;"),
              "t.conf:1:40: error: expected 'table', found 't'");
    EXPECT_EQ(first_error("pinstance a upstream * in rulematching sometimes;"),
              "t.conf:1:40: error: expected 'all', 'first' or 'mutex', found 'sometimes'");
    EXPECT_EQ(first_error("pinstance a upstream * in rulematching mutex;"),
              "t.conf:1:45: error: expected mutex timeout in milliseconds, found ';'");
}

TEST(ConfigSyntaxError, UnknownDownstreamSetting) {
    EXPECT_EQ(first_error("pinstance a downstream eth1 query-interval 60 querier-interval 10;"),
              "t.conf:1:47: error: unknown downstream setting 'querier-interval'");
    EXPECT_EQ(first_error("pinstance a downstream eth1 robustness;"),
              "t.conf:1:39: error: expected a value for 'robustness', found ';'");
}

TEST(ConfigSyntaxError, TableNumberMustBeANumber) {
    EXPECT_EQ(first_error("pinstance a(ten): eth0 ==> eth1;"), "t.conf:1:13: error: expected table number, found 'ten'");
}

TEST(ConfigSyntaxError, NoDownstream) {
    EXPECT_EQ(first_error("pinstance a: eth0 ==> ;"),
              "t.conf:1:23: error: expected at least one downstream interface, found ';'");
}

TEST(ConfigSyntaxError, DeepNestingIsAnErrorNotACrash) {
    std::string text = "table t { ";
    for (int i = 0; i < 100000; ++i) text += "(table { ";
    auto r = parse(text);
    ASSERT_FALSE(r.errors.empty());
    EXPECT_EQ(r.errors[0].to_string(), "t.conf:1:" + std::to_string(11 + 9 * 31 + 7) +
                                           ": error: tables nested too deeply: more than 32 levels");
}

TEST(ConfigSyntaxError, ErrorCountIsBounded) {
    std::string text;
    for (int i = 0; i < 500; ++i) text += "bogus;\n";
    auto r = parse(text);
    EXPECT_EQ(r.errors.size(), 51u);
    EXPECT_EQ(r.errors.back().message, "too many errors, giving up");
}

TEST(ConfigSyntaxError, EachStatementErrorIsReported) {
    auto r = parse("protocol X;\ntable t { (1.2.3.4.5 | *) };\npinstance a: e ==> f;\npinstance b e;\n");
    ASSERT_EQ(r.errors.size(), 3u);
    EXPECT_EQ(r.errors[0].loc.line, 1u);
    EXPECT_EQ(r.errors[1].loc.line, 2u);
    EXPECT_EQ(r.errors[2].loc.line, 4u);
    EXPECT_EQ(r.errors[0].found, "'X'");
    EXPECT_EQ(r.errors[2].expected, "':', '(', 'upstream', 'downstream' or 'route-idle-timeout'");
}
