// SPDX-License-Identifier: GPL-2.0-or-later
// The JSON writer: escaping (RFC 8259 7), UTF-8 validity, structure.
#include "mcproxy/daemon/json_writer.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "daemon/json_test_util.hpp"

namespace mcproxy::daemon {
namespace {

std::string json_quoted(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

struct escape_row {
    std::string in;
    std::string out;
};

// RFC 8259 7: quote, reverse solidus and U+0000..U+001F must be escaped.
TEST(JsonString, EscapesWhatMustBeEscaped) {
    const escape_row rows[] = {
        {"", "\"\""},
        {"eth0", "\"eth0\""},
        {"a\"b", "\"a\\\"b\""},
        {"a\\b", "\"a\\\\b\""},
        {"\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\""},
        {std::string("\x00", 1), "\"\\u0000\""},
        {"\x01\x1f", "\"\\u0001\\u001f\""},
        {"\x7f", "\"\\u007f\""},
        {"a/b", "\"a/b\""},
    };
    for (const auto& r : rows) EXPECT_EQ(json_quoted(r.in), r.out) << r.in;
}

TEST(JsonString, KeepsValidUtf8) {
    const std::string s = "\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80";  // U+00E4 U+20AC U+1F600
    EXPECT_EQ(json_quoted(s), "\"" + s + "\"");
}

// RFC 3629 3/4: overlong forms, surrogates, values above U+10FFFF, stray
// continuation bytes and truncated sequences are not UTF-8.
TEST(JsonString, ReplacesInvalidUtf8PerByte) {
    const escape_row rows[] = {
        {"\xff", "\"\\ufffd\""},
        {"\x80", "\"\\ufffd\""},
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},          // overlong '/'
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},  // surrogate U+D800
        {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},  // above U+10FFFF
        {"\xe2\x82", "\"\\ufffd\\ufffd\""},          // truncated
        {"a\xe2\x82z", "\"a\\ufffd\\ufffdz\""},
    };
    for (const auto& r : rows) EXPECT_EQ(json_quoted(r.in), r.out);
}

TEST(JsonString, AnyByteStringGivesParseableJson) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    const std::string q = json_quoted(all);
    const auto v = json_test::parse(q);
    ASSERT_TRUE(v.is_string());
    // The printable ASCII part survives unchanged.
    EXPECT_NE(v.str().find("0123456789:;<=>?@ABC"), std::string::npos);
}

TEST(JsonWriter, CompactNesting) {
    json_writer w;
    w.begin_object();
    w.member("a", std::uint64_t{1});
    w.key("b").begin_array().value(true).null().value("x").end_array();
    w.key("c").begin_object().end_object();
    w.key("d").begin_array().end_array();
    w.member("e", std::int64_t{-3});
    w.member("f", std::optional<std::uint64_t>{});
    w.member("g", std::optional<std::uint64_t>{7});
    w.end_object();
    EXPECT_TRUE(w.complete());
    EXPECT_EQ(w.str(), R"({"a":1,"b":[true,null,"x"],"c":{},"d":[],"e":-3,"f":null,"g":7})");
}

TEST(JsonWriter, IndentedOutput) {
    json_writer w(2);
    w.begin_object().key("a").begin_array().value(std::uint64_t{1}).value(std::uint64_t{2}).end_array();
    w.key("b").begin_object().end_object().end_object();
    EXPECT_EQ(w.str(), "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}");
    EXPECT_NO_THROW(json_test::parse(w.str()));
}

TEST(JsonWriter, MisuseIsAProgrammingError) {
    {
        json_writer w;
        w.begin_object();
        EXPECT_THROW(w.value(true), std::logic_error);  // value without key
    }
    {
        json_writer w;
        w.begin_array();
        EXPECT_THROW(w.key("k"), std::logic_error);  // key in array
        EXPECT_THROW(w.end_object(), std::logic_error);
    }
    {
        json_writer w;
        w.value(true);
        EXPECT_TRUE(w.complete());
        EXPECT_THROW(w.value(false), std::logic_error);  // second document
    }
    {
        json_writer w;
        w.begin_object().key("k");
        EXPECT_THROW(w.end_object(), std::logic_error);  // key without value
        EXPECT_FALSE(w.complete());
    }
}

TEST(JsonTestParser, RejectsWhatIsNotJson) {
    for (const char* bad : {"", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "\"\x01\"", "\"\\x\"", "01", "[1] 2",
                            "{\"a\":1,\"a\":2}", "nul"})
        EXPECT_THROW(json_test::parse(bad), std::runtime_error) << bad;
}

}  // namespace
}  // namespace mcproxy::daemon
