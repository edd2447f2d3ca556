// SPDX-License-Identifier: GPL-2.0-or-later
// The control protocol: request lines (one row per accepted and rejected
// form), reply framing in both directions.
#include "mcproxy/daemon/control_protocol.hpp"

#include <gtest/gtest.h>

#include "daemon/json_test_util.hpp"

namespace mcproxy::daemon {
namespace {

struct good_row {
    const char* line;
    command_kind command;
    status_view view;
    bool json;
    const char* canonical;
};

TEST(ParseRequest, AcceptsEveryRequest) {
    const good_row rows[] = {
        {"show status", command_kind::show, status_view::status, false, "show status"},
        {"show interfaces", command_kind::show, status_view::interfaces, false, "show interfaces"},
        {"show groups --json", command_kind::show, status_view::groups, true, "show groups --json"},
        {"show --json sources", command_kind::show, status_view::sources, true, "show sources --json"},
        {"  show\troutes  ", command_kind::show, status_view::routes, false, "show routes"},
        {"show stats\r", command_kind::show, status_view::stats, false, "show stats"},
        {"reload", command_kind::reload, status_view::status, false, "reload"},
        {"version", command_kind::version, status_view::status, false, "version"},
        {"version --json", command_kind::version, status_view::status, true, "version --json"},
        {"help", command_kind::help, status_view::status, false, "help"},
    };
    for (const auto& r : rows) {
        const auto p = parse_request(r.line);
        ASSERT_TRUE(std::holds_alternative<control_request>(p)) << r.line << ": " << std::get<std::string>(p);
        const auto& req = std::get<control_request>(p);
        EXPECT_EQ(req.command, r.command) << r.line;
        if (r.command == command_kind::show) {
            EXPECT_EQ(req.view, r.view) << r.line;
        }
        EXPECT_EQ(req.json, r.json) << r.line;
        EXPECT_EQ(req.to_line(), r.canonical);
        // The canonical line parses to the same request.
        EXPECT_EQ(std::get<control_request>(parse_request(req.to_line())), req);
    }
}

struct bad_row {
    std::string line;
    const char* message_part;
};

TEST(ParseRequest, RejectsWithAClearMessage) {
    const bad_row rows[] = {
        {"", "empty request"},
        {"   ", "empty request"},
        {"shwo status", "unknown request 'shwo'"},
        {"show", "needs what to show"},
        {"show everything", "cannot show 'everything'"},
        {"show groups extra", "unexpected argument 'extra'"},
        {"show groups --yaml", "unknown option '--yaml'"},
        {"reload now", "unexpected argument 'now'"},
        {"reload --json", "no --json output"},
        {"help --json", "no --json output"},
        {"SHOW status", "unknown request 'SHOW'"},
        {"show status\x01", "non-printable"},
        {"show \xc3\xa4", "non-printable"},
        {std::string("show\0status", 11), "non-printable"},
        {std::string(2000, 'a'), "too long"},
        {"\x1b[31mshow", "non-printable"},
    };
    for (const auto& r : rows) {
        const auto p = parse_request(r.line);
        ASSERT_TRUE(std::holds_alternative<std::string>(p)) << r.line;
        EXPECT_NE(std::get<std::string>(p).find(r.message_part), std::string::npos)
            << r.line << " -> " << std::get<std::string>(p);
    }
}

TEST(ParseRequest, ErrorsDoNotEchoControlCharacters) {
    const auto p = parse_request("x\x7f\x7f");
    ASSERT_TRUE(std::holds_alternative<std::string>(p));
    for (char c : std::get<std::string>(p)) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
    const auto q = parse_request("verylongwordverylongwordverylongwordverylongwordverylongwordverylongword");
    EXPECT_LT(std::get<std::string>(q).size(), 120u);
}

TEST(Reply, EncodesHeaderAndBody) {
    EXPECT_EQ(encode_reply(control_reply::success("hello\n")), "OK 6\nhello\n");
    EXPECT_EQ(encode_reply(control_reply::success("")), "OK 0\n");
    EXPECT_EQ(encode_reply(control_reply::error("bad")), "ERR 4\nbad\n");
    EXPECT_EQ(encode_reply(control_reply::error("bad\n")), "ERR 4\nbad\n");
}

TEST(ReplyDecoder, DecodesByteByByte) {
    const std::string wire = encode_reply(control_reply::success("line one\nline two\n")) + "TRAILING";
    reply_decoder d;
    reply_decoder::state st = reply_decoder::state::need_more;
    std::size_t i = 0;
    for (; i < wire.size() && st == reply_decoder::state::need_more; ++i) st = d.feed(wire.substr(i, 1));
    ASSERT_EQ(st, reply_decoder::state::done);
    EXPECT_EQ(i, wire.size() - 8);  // done exactly at the end of the body
    EXPECT_TRUE(d.reply().ok);
    EXPECT_EQ(d.reply().body, "line one\nline two\n");
    EXPECT_EQ(d.feed("more"), reply_decoder::state::done);
}

TEST(ReplyDecoder, DecodesErrorsAndEmptyBodies) {
    reply_decoder e;
    EXPECT_EQ(e.feed("ERR 5\noops\n"), reply_decoder::state::done);
    EXPECT_FALSE(e.reply().ok);
    EXPECT_EQ(e.reply().body, "oops\n");
    reply_decoder z;
    EXPECT_EQ(z.feed("OK 0\n"), reply_decoder::state::done);
    EXPECT_EQ(z.reply().body, "");
}

TEST(ReplyDecoder, RejectsGarbage) {
    for (const char* bad : {"HELLO 5\n", "OK\n", "OK x\n", "OK 5x\n", "OK -1\n", "OK 99999999999999999999\n",
                            "OK 999999999\n", "OK 1111111111111111111111111111111111"}) {
        reply_decoder d;
        EXPECT_EQ(d.feed(bad), reply_decoder::state::bad) << bad;
        EXPECT_FALSE(d.error().empty());
    }
}

TEST(StatusReply, FormatsByViewAndJson) {
    control_request r;
    r.command = command_kind::show;
    r.view = status_view::routes;
    const auto text = status_reply(r, {});
    EXPECT_TRUE(text.ok);
    EXPECT_EQ(text.body, "no instances\n");
    r.json = true;
    const auto json = status_reply(r, {});
    EXPECT_EQ(json_test::parse(json.body)["view"].str(), "routes");
    r.command = command_kind::reload;
    EXPECT_FALSE(status_reply(r, {}).ok);
}

TEST(VersionReply, TextAndJson) {
    control_request r;
    r.command = command_kind::version;
    EXPECT_EQ(version_reply(r).body, std::string("mcproxy ") + MCPROXY_VERSION + "\n");
    r.json = true;
    const auto v = json_test::parse(version_reply(r).body);
    EXPECT_EQ(v["mcproxy_version"].str(), MCPROXY_VERSION);
    EXPECT_EQ(v["schema_version"].u64(), status_schema_version);
}

TEST(RequestHelp, ListsEveryRequest) {
    const auto h = request_help();
    for (const char* w : {"show", "status", "interfaces", "groups", "sources", "routes", "stats", "reload", "version"})
        EXPECT_NE(h.find(w), std::string::npos) << w;
}

}  // namespace
}  // namespace mcproxy::daemon
