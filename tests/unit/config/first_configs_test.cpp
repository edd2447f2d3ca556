// SPDX-License-Identifier: GPL-2.0-or-later
// The first configurations of doc/first-configs.md cannot drift from the
// parser: every fenced block marked `mcproxy` parses without errors or
// warnings, and the three cases mean what the text around them says.
#include <fstream>
#include <sstream>

#include "config_test_util.hpp"

namespace {

using mcproxy::net::address;

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct example {
    int line;  // of the opening fence
    std::string text;
};

// The blocks between "```mcproxy" and "```" (other fenced blocks, e.g. shell
// commands, are skipped).
std::vector<example> config_blocks(const std::string& markdown) {
    std::vector<example> out;
    std::istringstream in(markdown);
    std::string line;
    int n = 0;
    enum { outside, config, other } state = outside;
    while (std::getline(in, line)) {
        ++n;
        const bool fence = line.rfind("```", 0) == 0;
        if (state == outside && fence) {
            if (line == "```mcproxy") {
                state = config;
                out.push_back({n, ""});
            } else {
                state = other;
            }
        } else if (state != outside && line == "```") {
            state = outside;
        } else if (state == config) {
            out.back().text += line + "\n";
        }
    }
    EXPECT_EQ(state, outside) << "unterminated fenced block";
    return out;
}

std::vector<example> doc_examples() {
    const std::string page = read(MCPROXY_SOURCE_DIR "/doc/first-configs.md");
    EXPECT_FALSE(page.empty()) << "doc/first-configs.md not found";
    return config_blocks(page);
}

// Parses a block so that errors name the line and column in the markdown
// file itself: the block is preceded by as many empty lines as come before it.
mcproxy::config::parse_result parse_in_place(const example& ex) {
    return mcproxy::config::parse_text(std::string(static_cast<std::size_t>(ex.line), '\n') + ex.text,
                                       "doc/first-configs.md");
}

mcproxy::config::model parsed(const example& ex) {
    auto r = parse_in_place(ex);
    EXPECT_TRUE(r.ok()) << ex.text << mcproxy::config::to_string(r.errors);
    return r.config.value_or(mcproxy::config::model{});
}

address a(const char* text) { return address::parse(text).value(); }

}  // namespace

TEST(FirstConfigs, ExtractorFindsOnlyConfigBlocks) {
    const auto blocks = config_blocks(
        "text\n```mcproxy\nprotocol IGMPv3;\n```\n```\nip link\n```\n```sh\nls\n```\n```mcproxy\ndisable;\n```\n");
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(blocks[0].line, 2);
    EXPECT_EQ(blocks[0].text, "protocol IGMPv3;\n");
    EXPECT_EQ(blocks[1].text, "disable;\n");
}

TEST(FirstConfigs, EveryExampleParses) {
    const auto examples = doc_examples();
    EXPECT_GE(examples.size(), 6u);
    for (const auto& ex : examples) {
        auto r = parse_in_place(ex);
        EXPECT_TRUE(r.ok()) << "block at line " << ex.line << ":\n" << ex.text << mcproxy::config::to_string(r.errors);
        // First configurations teach: no warnings either.
        EXPECT_TRUE(r.warnings.empty()) << "block at line " << ex.line << ":\n"
                                        << ex.text << mcproxy::config::to_string(r.warnings);
        if (r.ok()) {
            EXPECT_FALSE(r.config->disabled) << "a first configuration must start";
            EXPECT_FALSE(r.config->instances.empty());
        }
    }
}

TEST(FirstConfigs, HomeIptvJoinsOnlyTvUpstreamAndLeavesFast) {
    const auto examples = doc_examples();
    ASSERT_GE(examples.size(), 1u);
    const auto m = parsed(examples[0]);
    ASSERT_EQ(m.instances.size(), 1u);
    const auto& tv = m.instances[0];
    EXPECT_EQ(tv.protocol, mcproxy::config::protocol_version::igmpv3);
    ASSERT_EQ(tv.upstreams.size(), 1u);
    EXPECT_EQ(tv.upstreams[0].name, "eth0.7");
    ASSERT_EQ(tv.downstreams.size(), 1u);
    EXPECT_EQ(tv.downstreams[0].name, "br-lan");
    EXPECT_TRUE(tv.downstreams[0].tuning.fastleave);
    EXPECT_EQ(tv.downstreams[0].tuning.last_member_query_interval, std::chrono::milliseconds(500));
    const auto& in = tv.upstreams[0].filters.in;
    ASSERT_TRUE(in.has_value());
    EXPECT_TRUE(in->allows("eth0.7", a("192.0.2.9"), a("239.10.1.1")));
    EXPECT_TRUE(in->allows("eth0.7", a("198.51.100.1"), a("232.1.1.1")));
    EXPECT_FALSE(in->allows("eth0.7", a("192.0.2.9"), a("224.2.1.1")));
}

TEST(FirstConfigs, IptvOnTwoVlansSplitsChannels) {
    const auto examples = doc_examples();
    ASSERT_GE(examples.size(), 2u);
    const auto m = parsed(examples[1]);
    ASSERT_EQ(m.instances.size(), 1u);
    const auto& tv = m.instances[0];
    ASSERT_EQ(tv.upstreams.size(), 2u);
    EXPECT_EQ(tv.upstream_in.kind, mcproxy::config::matching::first);
    EXPECT_TRUE(tv.upstreams[0].filters.in->allows("eth0.7", a("192.0.2.1"), a("239.1.2.3")));
    EXPECT_FALSE(tv.upstreams[0].filters.in->allows("eth0.7", a("192.0.2.1"), a("239.2.2.3")));
    EXPECT_TRUE(tv.upstreams[1].filters.in->allows("eth0.8", a("192.0.2.1"), a("239.2.2.3")));
}

TEST(FirstConfigs, MldProxyKeepsSiteLocalGroupsInside) {
    const auto examples = doc_examples();
    ASSERT_GE(examples.size(), 3u);
    const auto m = parsed(examples[2]);
    ASSERT_EQ(m.instances.size(), 1u);
    const auto& v6 = m.instances[0];
    EXPECT_EQ(v6.family, mcproxy::net::family::ipv6);
    EXPECT_EQ(v6.protocol, mcproxy::config::protocol_version::mldv2);
    const auto& up = v6.upstreams.at(0);
    ASSERT_TRUE(up.filters.in && up.filters.out);
    EXPECT_TRUE(up.filters.in->allows("wan", a("2001:db8:5::1"), a("ff3e::8000:1")));
    EXPECT_FALSE(up.filters.in->allows("wan", a("2001:db9::1"), a("ff3e::8000:1")));  // SSM: provider's sources only
    EXPECT_TRUE(up.filters.in->allows("wan", a("2001:db9::1"), a("ff0e::1:2")));
    EXPECT_FALSE(up.filters.in->allows("wan", a("2001:db8::1"), a("ff05::1:3")));
    EXPECT_FALSE(up.filters.out->allows("lan", a("2001:db8:2::5"), a("ff05::1:3")));
    EXPECT_TRUE(up.filters.out->allows("lan", a("2001:db8:2::5"), a("ff0e::1:3")));
}

TEST(FirstConfigs, Ipv4AndIpv6SideBySide) {
    const auto examples = doc_examples();
    ASSERT_GE(examples.size(), 4u);
    const auto m = parsed(examples[3]);
    ASSERT_EQ(m.instances.size(), 2u);
    EXPECT_EQ(m.instances[0].family, mcproxy::net::family::ipv4);
    EXPECT_EQ(m.instances[1].family, mcproxy::net::family::ipv6);
    EXPECT_EQ(m.instances[0].upstreams.at(0).name, m.instances[1].upstreams.at(0).name);
}

TEST(FirstConfigs, TunnelUpstreamAndTunnelDownstream) {
    const auto examples = doc_examples();
    ASSERT_GE(examples.size(), 6u);
    const auto up = parsed(examples[4]);
    ASSERT_EQ(up.instances.size(), 1u);
    EXPECT_EQ(up.instances[0].upstreams.at(0).name, "gre1");
    EXPECT_EQ(up.instances[0].route_idle_timeout, std::chrono::milliseconds(60'000));
    const auto& in = up.instances[0].upstreams[0].filters.in;
    ASSERT_TRUE(in.has_value());
    EXPECT_TRUE(in->allows("gre1", a("192.0.2.1"), a("239.193.0.1")));
    EXPECT_TRUE(in->allows("gre1", a("203.0.113.7"), a("232.5.5.5")));
    EXPECT_FALSE(in->allows("gre1", a("198.51.100.7"), a("232.5.5.5")));

    const auto down = parsed(examples[5]);
    ASSERT_EQ(down.instances.size(), 1u);
    const auto* tun = down.instances[0].find_downstream("tun0");
    ASSERT_NE(tun, nullptr);
    EXPECT_EQ(tun->tuning.robustness, 3u);
    ASSERT_TRUE(tun->filters.out.has_value());
    EXPECT_FALSE(tun->filters.out->allows("eth0", a("192.0.2.1"), a("239.1.1.1")));
}
