// SPDX-License-Identifier: GPL-2.0-or-later
// mcproxy-tester command line: subcommands, options, defaults, usage errors.
#include "../../../tester/options.hpp"

#include <gtest/gtest.h>

using namespace mcproxy::tester;
using mcproxy::net::address;

namespace {

tester_options ok(const std::vector<std::string>& args) {
    const auto r = parse_arguments(args);
    if (const auto* e = std::get_if<usage_error>(&r)) ADD_FAILURE() << e->message;
    EXPECT_TRUE(std::holds_alternative<tester_options>(r));
    return std::holds_alternative<tester_options>(r) ? std::get<tester_options>(r)
                                                     : tester_options{};
}

std::string fails(const std::vector<std::string>& args) {
    const auto r = parse_arguments(args);
    EXPECT_TRUE(std::holds_alternative<usage_error>(r));
    return std::holds_alternative<usage_error>(r) ? std::get<usage_error>(r).message : "";
}

}  // namespace

TEST(TesterOptions, JoinAnySource) {
    const auto o = ok({"join", "veth0", "239.1.1.1"});
    EXPECT_EQ(o.cmd, command::join);
    EXPECT_EQ(o.iface, "veth0");
    EXPECT_EQ(o.group, *address::parse("239.1.1.1"));
    EXPECT_TRUE(o.sources.empty());
    EXPECT_FALSE(o.exclude);
    EXPECT_EQ(o.duration_s, 0);  // until a signal
}

TEST(TesterOptions, JoinSourcesIncludeAndExclude) {
    auto o = ok({"join", "veth0", "232.1.1.1", "--source", "198.51.100.1", "--source=198.51.100.2",
                 "--duration", "2.5"});
    ASSERT_EQ(o.sources.size(), 2U);
    EXPECT_EQ(o.sources[1], *address::parse("198.51.100.2"));
    EXPECT_FALSE(o.exclude);
    EXPECT_DOUBLE_EQ(o.duration_s, 2.5);
    o = ok({"join", "--exclude", "veth0", "ff05::1:3", "--source", "2001:db8::1"});
    EXPECT_TRUE(o.exclude);
    EXPECT_TRUE(o.group.is_v6());
}

TEST(TesterOptions, SendDefaultsAreBounded) {
    auto o = ok({"send", "veth0", "239.1.1.1"});
    EXPECT_EQ(o.count, 100U);
    EXPECT_EQ(o.port, 5001U);
    EXPECT_DOUBLE_EQ(o.rate_pps, 10);
    EXPECT_EQ(o.ttl, 16U);
    EXPECT_EQ(o.size, 64U);
    // With a duration and no count the duration is the bound.
    o = ok({"send", "veth0", "239.1.1.1", "--duration", "3"});
    EXPECT_EQ(o.count, 0U);
    EXPECT_DOUBLE_EQ(o.duration_s, 3);
}

TEST(TesterOptions, SendAllOptions) {
    const auto o = ok({"send", "veth0", "ff3e::1", "--port", "6000", "--rate", "250.5", "--count",
                       "7", "--ttl", "1", "--size", "1400", "--source-address", "2001:db8::5"});
    EXPECT_EQ(o.port, 6000U);
    EXPECT_DOUBLE_EQ(o.rate_pps, 250.5);
    EXPECT_EQ(o.count, 7U);
    EXPECT_EQ(o.ttl, 1U);
    EXPECT_EQ(o.size, 1400U);
    ASSERT_TRUE(o.source_address);
    EXPECT_EQ(*o.source_address, *address::parse("2001:db8::5"));
}

TEST(TesterOptions, ReceiveDefaultsToTenSeconds) {
    auto o = ok({"receive", "veth0", "239.1.1.1", "--json"});
    EXPECT_DOUBLE_EQ(o.duration_s, 10);
    EXPECT_TRUE(o.json);
    EXPECT_EQ(o.count, 0U);
    o = ok({"receive", "veth0", "239.1.1.1", "--count", "5", "--duration", "1"});
    EXPECT_EQ(o.count, 5U);
    EXPECT_DOUBLE_EQ(o.duration_s, 1);
}

TEST(TesterOptions, Help) {
    EXPECT_TRUE(std::holds_alternative<help_request>(parse_arguments({"--help"})));
    EXPECT_TRUE(std::holds_alternative<help_request>(parse_arguments({"help"})));
    EXPECT_TRUE(std::holds_alternative<help_request>(parse_arguments({"send", "-h"})));
    EXPECT_NE(help_text().find("receive IFACE GROUP"), std::string::npos);
}

TEST(TesterOptions, UsageErrors) {
    EXPECT_NE(fails({}).find("missing subcommand"), std::string::npos);
    EXPECT_NE(fails({"jion", "a", "239.1.1.1"}).find("unknown subcommand 'jion'"),
              std::string::npos);
    EXPECT_NE(fails({"join", "veth0"}).find("needs IFACE and GROUP"), std::string::npos);
    EXPECT_NE(fails({"join", "a", "239.1.1.1", "x"}).find("unexpected argument 'x'"),
              std::string::npos);
    EXPECT_NE(fails({"join", "a", "198.51.100.1"}).find("not a multicast"), std::string::npos);
    EXPECT_NE(fails({"join", "a", "239.1.1.300"}).find("not an IPv4 or IPv6"), std::string::npos);
    EXPECT_NE(fails({"join", "a", "239.1.1.1", "--source", "2001:db8::1"})
                  .find("different address families"),
              std::string::npos);
    EXPECT_NE(fails({"join", "a", "239.1.1.1", "--source", "239.1.1.2"}).find("unicast"),
              std::string::npos);
    EXPECT_NE(fails({"join", "a", "239.1.1.1", "--port", "5"}).find("does not apply to 'join'"),
              std::string::npos);
    EXPECT_NE(fails({"send", "a", "239.1.1.1", "--source", "198.51.100.1"})
                  .find("does not apply to 'send'"),
              std::string::npos);
    EXPECT_NE(fails({"send", "a", "239.1.1.1", "--bogus"}).find("unknown option '--bogus'"),
              std::string::npos);
    EXPECT_NE(fails({"send", "a", "239.1.1.1", "--count"}).find("needs a value"),
              std::string::npos);
    EXPECT_NE(fails({"receive", "a", "239.1.1.1", "--json=1"}).find("takes no value"),
              std::string::npos);
    EXPECT_NE(fails({"send", "a", "239.1.1.1", "--count", "1", "--count", "2"}).find("twice"),
              std::string::npos);
    EXPECT_NE(fails({"send", "a", "ff05::1", "--source-address", "198.51.100.1"})
                  .find("different address families"),
              std::string::npos);
    EXPECT_NE(fails({"join", "abcdefghijklmnopq", "239.1.1.1"}).find("too long"),
              std::string::npos);
}

TEST(TesterOptions, NumberRangesAreChecked) {
    const std::vector<std::vector<std::string>> bad = {
        {"--port", "0"},        {"--port", "65536"},     {"--port", "12a"},
        {"--rate", "0"},        {"--rate", "-1"},        {"--rate", "1000001"},
        {"--rate", "nan"},      {"--count", "0"},        {"--count", "-3"},
        {"--ttl", "0"},         {"--ttl", "256"},        {"--size", "27"},
        {"--size", "65508"},    {"--duration", "0"},     {"--duration", "604801"},
        {"--duration", "1e3"},  {"--count", "99999999999999999999"},
    };
    for (const auto& opt : bad) {
        std::vector<std::string> args = {"send", "a", "239.1.1.1"};
        args.insert(args.end(), opt.begin(), opt.end());
        EXPECT_NE(fails(args).find("bad value"), std::string::npos) << opt[0] << " " << opt[1];
    }
    EXPECT_EQ(ok({"send", "a", "239.1.1.1", "--size", "28"}).size, 28U);
    EXPECT_EQ(ok({"send", "a", "239.1.1.1", "--size", "65507"}).size, 65507U);
    EXPECT_EQ(ok({"send", "a", "239.1.1.1", "--ttl", "255"}).ttl, 255U);
}

TEST(TesterOptions, TooManySources) {
    std::vector<std::string> args = {"join", "a", "232.1.1.1"};
    for (unsigned i = 0; i <= max_sources; ++i) {
        args.push_back("--source");
        args.push_back("198.51.100." + std::to_string(i + 1));
    }
    EXPECT_NE(fails(args).find("at most 64 sources"), std::string::npos);
}
