// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/summary.hpp"

#include "config_test_util.hpp"

using namespace mcproxy::config;

TEST(ConfigSummary, ShowsInstancesInterfacesTuningAndFilters) {
    auto m = config_test::valid(
        "protocol IGMPv3;\n"
        "table t { (239.0.0.0/8 | *) };\n"
        "pinstance edge(10): wan peer ==> peer lan1 lan2;\n"
        "pinstance edge upstream * in rulematching mutex 5000;\n"
        "pinstance edge upstream wan in whitelist table t;\n"
        "pinstance edge downstream lan1 out blacklist table { (239.9.9.9 | *) (239.9.9.8 | *) };\n"
        "pinstance edge downstream lan2 query-interval 60 fastleave;\n"
        "protocol MLDv2;\n"
        "pinstance q: ==> lan1;\n");
    EXPECT_EQ(summarize(m),
              "configuration t.conf: 2 instances, 1 named table\n"
              "instance 'edge': IGMPv3 (IPv4), kernel table 10\n"
              "  upstreams:   wan, peer\n"
              "  downstreams: peer, lan1, lan2\n"
              "  peering:     peer\n"
              "  rulematching: in mutex 5000 ms, out all\n"
              "  route-idle-timeout: 300 s\n"
              "  downstream lan2: query-interval 60 s, fastleave\n"
              "  filter upstream wan in: whitelist table 't' (1 rule)\n"
              "  filter downstream lan1 out: blacklist anonymous table (2 rules)\n"
              "instance 'q': MLDv2 (IPv6), kernel table default\n"
              "  upstreams:   none (querier only)\n"
              "  downstreams: lan1\n"
              "  route-idle-timeout: 300 s\n");
}

TEST(ConfigSummary, SaysWhenDisabled) {
    auto m = config_test::valid("disable;\npinstance a: e0 ==> e1;\n");
    EXPECT_NE(summarize(m).find("DISABLED: the file contains 'disable;', mcproxy will not start\n"), std::string::npos);
}

TEST(ConfigSummary, ShowsAcceptOffLinkReports) {
    auto m = config_test::valid("protocol IGMPv2;\npinstance a: e0 ==> e1 e2;\n"
                                "pinstance a downstream e2 accept-off-link-reports fastleave;\n");
    const std::string s = summarize(m);
    EXPECT_NE(s.find("  downstream e2: fastleave, accept-off-link-reports\n"), std::string::npos) << s;
    EXPECT_EQ(s.find("downstream e1:"), std::string::npos) << s;
}
