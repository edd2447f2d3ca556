// SPDX-License-Identifier: GPL-2.0-or-later
// The documentation and the parser cannot drift: every example of
// doc/mcproxy.conf.5 (between .EX and .EE) and the shipped mcproxy.conf parse.
#include <cstring>
#include <fstream>
#include <sstream>

#include "config_test_util.hpp"
#include "mcproxy/config/summary.hpp"

namespace {

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Undoes the groff escapes used in examples.
std::string unescape(std::string line) {
    const std::pair<const char*, const char*> escapes[] = {
        {"\\-", "-"}, {"\\(dq", "\""}, {"\\(aq", "'"}, {"\\&", ""}, {"\\e", "\\"}};
    for (const auto& [from, to] : escapes)
        for (std::size_t p = line.find(from); p != std::string::npos; p = line.find(from, p + std::strlen(to)))
            line.replace(p, std::strlen(from), to);
    return line;
}

struct example {
    int line;  // of the .EX request
    std::string text;
};

std::vector<example> man_examples(const std::string& page) {
    std::vector<example> out;
    std::istringstream in(page);
    std::string line;
    int n = 0;
    bool inside = false;
    while (std::getline(in, line)) {
        ++n;
        if (line == ".EX") {
            inside = true;
            out.push_back({n, ""});
        } else if (line == ".EE") {
            inside = false;
        } else if (inside) {
            out.back().text += unescape(line) + "\n";
        }
    }
    return out;
}

}  // namespace

TEST(ConfigManPage, EveryExampleParses) {
    const std::string page = read(MCPROXY_SOURCE_DIR "/doc/mcproxy.conf.5");
    ASSERT_FALSE(page.empty()) << "doc/mcproxy.conf.5 not found";
    const auto examples = man_examples(page);
    EXPECT_GE(examples.size(), 10u);
    for (const auto& ex : examples) {
        auto r = mcproxy::config::parse_text(ex.text, "mcproxy.conf.5 example at line " + std::to_string(ex.line));
        EXPECT_TRUE(r.ok()) << ex.text << mcproxy::config::to_string(r.errors);
        // Examples teach: they must not provoke warnings either.
        EXPECT_TRUE(r.warnings.empty()) << ex.text << mcproxy::config::to_string(r.warnings);
    }
}

TEST(ConfigManPage, ExamplesMeanWhatTheTextSays) {
    const auto examples = man_examples(read(MCPROXY_SOURCE_DIR "/doc/mcproxy.conf.5"));
    ASSERT_GE(examples.size(), 10u);
    auto m = config_test::valid(examples[2].text);  // IGMP and MLD in one file
    ASSERT_EQ(m.instances.size(), 2u);
    EXPECT_EQ(m.instances[1].family, mcproxy::net::family::ipv6);
    EXPECT_EQ(m.instances[0].downstreams[2].name, "vlan-eth0.2");
    auto peering = config_test::valid(examples[8].text);
    ASSERT_EQ(peering.instances.size(), 1u);
    EXPECT_EQ(peering.instances[0].peering, std::vector<std::string>{"peer"});
    auto off_link = config_test::valid(examples[9].text);  // accept-off-link-reports on lab only
    ASSERT_EQ(off_link.instances.size(), 1u);
    ASSERT_EQ(off_link.instances[0].downstreams.size(), 2u);
    EXPECT_FALSE(off_link.instances[0].downstreams[0].tuning.accept_off_link_reports);
    EXPECT_TRUE(off_link.instances[0].downstreams[1].tuning.accept_off_link_reports);
}

TEST(ConfigExampleFile, ShippedMcproxyConfParses) {
    auto r = mcproxy::config::parse_file(MCPROXY_SOURCE_DIR "/mcproxy.conf");
    ASSERT_TRUE(r.ok()) << mcproxy::config::to_string(r.errors);
    EXPECT_TRUE(r.warnings.empty()) << mcproxy::config::to_string(r.warnings);
    EXPECT_FALSE(mcproxy::config::summarize(*r.config).empty());
}
