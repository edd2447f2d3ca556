// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/lexer.hpp"

#include <gtest/gtest.h>

using namespace mcproxy::config;

namespace {

std::string kinds_and_texts(std::string_view text) {
    std::string s;
    for (const auto& t : lex(text).tokens) {
        if (t.kind == token_kind::end) break;
        s += (s.empty() ? "" : " ") + (t.kind == token_kind::word ? t.text : t.describe());
    }
    return s;
}

}  // namespace

TEST(ConfigLexer, PositionsAreLineAndColumn) {
    auto r = lex("protocol IGMPv3;\n  pinstance a: eth0 ==> eth1;");
    ASSERT_TRUE(r.errors.empty());
    ASSERT_GE(r.tokens.size(), 10u);
    EXPECT_EQ(r.tokens[0].loc, (location{1, 1}));
    EXPECT_EQ(r.tokens[1].loc, (location{1, 10}));
    EXPECT_EQ(r.tokens[2].loc, (location{1, 16}));
    EXPECT_EQ(r.tokens[3].loc, (location{2, 3}));
    EXPECT_TRUE(r.tokens[3].line_start);
    EXPECT_FALSE(r.tokens[4].line_start);
    EXPECT_EQ(r.tokens[5].kind, token_kind::colon);
    EXPECT_FALSE(r.tokens[5].space_before);
    EXPECT_EQ(r.tokens[7].kind, token_kind::arrow);
}

TEST(ConfigLexer, CommentsRunToEndOfLine) {
    EXPECT_EQ(kinds_and_texts("a # b c ; d\ne"), "a e");
    EXPECT_EQ(kinds_and_texts("a#b\n#only\n"), "a");
}

TEST(ConfigLexer, InterfaceNamesWithPunctuationStayWhole) {
    EXPECT_EQ(kinds_and_texts("br-lan eth0.100 veth0@if3 vlan_1 wg-0.2"), "br-lan eth0.100 veth0@if3 vlan_1 wg-0.2");
}

TEST(ConfigLexer, RangesSplitAtDashAfterDigitOrAddress) {
    EXPECT_EQ(kinds_and_texts("239.1.1.1-239.1.1.9"), "239.1.1.1 '-' 239.1.1.9");
    EXPECT_EQ(kinds_and_texts("239.1.1.1 - 239.1.1.9"), "239.1.1.1 '-' 239.1.1.9");
    EXPECT_EQ(kinds_and_texts("ff05::1-ff05::9"), "ff05::1 '-' ff05::9");
    EXPECT_EQ(kinds_and_texts("ff05::/16"), "ff05:: '/' 16");
    EXPECT_EQ(kinds_and_texts("::1"), "::1");
    EXPECT_EQ(kinds_and_texts("::ffff:192.0.2.1"), "::ffff:192.0.2.1");
    // A name followed by a dash and a space is a name and a dash.
    EXPECT_EQ(kinds_and_texts("eth0 - eth1"), "eth0 '-' eth1");
    EXPECT_EQ(kinds_and_texts("eth0- x"), "eth0 '-' x");
}

TEST(ConfigLexer, SingleColonIsPunctuation) {
    EXPECT_EQ(kinds_and_texts("pinstance a: x"), "pinstance a ':' x");
    EXPECT_EQ(kinds_and_texts("pinstance beef:cafe"), "pinstance beef ':' cafe");
    EXPECT_EQ(kinds_and_texts("p(10):"), "p '(' 10 ')' ':'");
}

TEST(ConfigLexer, QuotedNamesAreNeverKeywords) {
    auto r = lex("\"table\" table");
    ASSERT_EQ(r.tokens.size(), 3u);
    EXPECT_EQ(r.tokens[0].kind, token_kind::quoted);
    EXPECT_FALSE(r.tokens[0].is_keyword("table"));
    EXPECT_TRUE(r.tokens[1].is_keyword("table"));
    EXPECT_TRUE(lex("TaBlE").tokens[0].is_keyword("table"));
}

TEST(ConfigLexer, UnterminatedQuoteIsAnErrorAtTheQuote) {
    auto r = lex("pinstance a: \"eth0 ==> eth1;\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].loc, (location{1, 14}));
    EXPECT_EQ(r.errors[0].message, "unterminated quoted string: expected '\"' before end of line");
}

TEST(ConfigLexer, UnexpectedCharactersAreReportedAndBounded) {
    auto r = lex("a = b");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].loc, (location{1, 3}));
    EXPECT_EQ(r.errors[0].message, "unexpected character '=', expected '==>'");
    auto bin = lex(std::string(1000, '\x01'));
    EXPECT_EQ(bin.errors.size(), 20u);
    EXPECT_EQ(bin.errors[0].message, "unexpected character byte \\x01");
}

TEST(ConfigLexer, OverlongWordsAreErrors) {
    auto r = lex("table " + std::string(300, 'x') + " {");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].loc, (location{1, 7}));
    EXPECT_EQ(r.errors[0].message, "word 'xxxxxxxxxxxxxxxxxxxx...' is longer than 255 characters");
    EXPECT_TRUE(lex(std::string(255, 'x')).errors.empty());
}
