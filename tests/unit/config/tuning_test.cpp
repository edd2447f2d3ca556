// SPDX-License-Identifier: GPL-2.0-or-later
// Per-downstream tuning, fast leave, limits and instance settings.
#include "config_test_util.hpp"

using namespace std::chrono_literals;
using config_test::first_error;
using config_test::valid;
using config_test::warnings;

namespace {
std::string with(const std::string& proto, const std::string& extra) {
    return "protocol " + proto + ";\npinstance a: up ==> d1 d2;\n" + extra;
}
}  // namespace

TEST(ConfigTuning, DefaultsAreTheRfcValues) {
    auto m = valid(with("IGMPv3", ""));
    const auto& t = m.instances.at(0).downstreams.at(0).tuning;
    EXPECT_EQ(t.robustness, 2u);
    EXPECT_EQ(t.query_interval, 125s);
    EXPECT_EQ(t.query_response_interval, 10s);
    EXPECT_EQ(t.startup_query_interval, 31250ms);
    EXPECT_EQ(t.startup_query_count, 2u);
    EXPECT_EQ(t.last_member_query_interval, 1s);
    EXPECT_EQ(t.last_member_query_count, 2u);
    EXPECT_FALSE(t.fastleave);
    EXPECT_EQ(m.instances[0].route_idle_timeout, 300s);
}

TEST(ConfigTuning, AllKeysOnOneInterface) {
    auto m = valid(with("IGMPv3",
                        "pinstance a downstream d1 query-interval 60 query-response-interval 2.5 robustness 3 "
                        "last-member-query-interval 500ms last-member-query-count 4 startup-query-interval 15s "
                        "startup-query-count 5 max-groups 100 max-sources 20 max-hosts 30 fastleave;"));
    const auto& t = m.instances[0].downstreams[0].tuning;
    EXPECT_EQ(t.query_interval, 60s);
    EXPECT_EQ(t.query_response_interval, 2500ms);
    EXPECT_EQ(t.robustness, 3u);
    EXPECT_EQ(t.last_member_query_interval, 500ms);
    EXPECT_EQ(t.last_member_query_count, 4u);
    EXPECT_EQ(t.startup_query_interval, 15s);
    EXPECT_EQ(t.startup_query_count, 5u);
    EXPECT_EQ(t.max_groups, 100u);
    EXPECT_EQ(t.max_sources, 20u);
    EXPECT_EQ(t.max_hosts, 30u);
    EXPECT_TRUE(t.fastleave);
    // The other downstream keeps the defaults.
    EXPECT_EQ(m.instances[0].downstreams[1].tuning, mcproxy::config::downstream_tuning{});
}

TEST(ConfigTuning, DerivedValuesFollowConfiguredOnes) {
    auto m = valid(with("IGMPv3", "pinstance a downstream d1 query-interval 40 robustness 4;"));
    const auto& t = m.instances[0].downstreams[0].tuning;
    EXPECT_EQ(t.startup_query_interval, 10s);  // RFC 3376 8.6: QI / 4
    EXPECT_EQ(t.startup_query_count, 4u);      // 8.7: robustness
    EXPECT_EQ(t.last_member_query_count, 4u);  // 8.9: robustness
}

TEST(ConfigTuning, StarSetsDefaultsAndInterfacesOverride) {
    auto m = valid(with("MLDv2", "pinstance a downstream * query-interval 30 fastleave;\n"
                                 "pinstance a downstream d2 query-interval 90;"));
    EXPECT_EQ(m.instances[0].downstreams[0].tuning.query_interval, 30s);
    EXPECT_EQ(m.instances[0].downstreams[1].tuning.query_interval, 90s);
    EXPECT_TRUE(m.instances[0].downstreams[1].tuning.fastleave);
}

TEST(ConfigTuning, RobustnessRange) {
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 robustness 0;")),
              "t.conf:3:38: error: robustness 0 is out of range, expected 1..7");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 robustness 8;")),
              "t.conf:3:38: error: robustness 8 is out of range, expected 1..7");
    EXPECT_EQ(warnings(with("IGMPv3", "pinstance a downstream d1 robustness 1;")),
              "t.conf:3:38: warning: robustness 1 gives no protection against a lost packet (RFC 3376 8.1: SHOULD "
              "NOT be one)\n");
}

TEST(ConfigTuning, ResponseIntervalMustBeLessThanQueryInterval) {
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 query-interval 10 query-response-interval 10;")),
              "t.conf:3:69: error: query-response-interval 10 s must be less than query-interval 10 s");
    // Also when only the query interval is lowered below the default response interval.
    EXPECT_EQ(first_error(with("MLDv2", "pinstance a downstream d1 query-interval 5;")),
              "t.conf:3:42: error: query-response-interval 10 s must be less than query-interval 5 s");
}

TEST(ConfigTuning, ValuesMustFitTheProtocolEncoding) {
    EXPECT_EQ(first_error(with("IGMPv2", "pinstance a downstream d1 query-response-interval 30;")),
              "t.conf:3:51: error: query-response-interval 30 s does not fit IGMPv2, expected 100 ms .. 25.5 s");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 query-interval 40000;")),
              "t.conf:3:42: error: query-interval 40000 s is out of range, expected 1 s .. 31744 s");
    EXPECT_EQ(first_error(with("MLDv1", "pinstance a downstream d1 last-member-query-interval 70s;")),
              "t.conf:3:54: error: last-member-query-interval 70 s does not fit MLDv1, expected 1 ms .. 65.535 s");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 last-member-query-interval 50ms;")),
              "t.conf:3:54: error: last-member-query-interval 50 ms does not fit IGMPv3, expected 100 ms .. 3174.4 s");
    EXPECT_EQ(first_error(with("MLDv2", "pinstance a downstream d1 query-response-interval 50ms;")), "");
    EXPECT_EQ(warnings(with("IGMPv2", "pinstance a downstream d1 query-response-interval 1.25;")),
              "t.conf:3:51: warning: query-response-interval 1.25 s is sent in tenths of a second by IGMPv2 and is "
              "rounded down\n");
}

TEST(ConfigTuning, IgmpV1IgnoresResponseTimesAndFastleave) {
    auto m = valid(with("IGMPv1", "pinstance a downstream d1 query-response-interval 5 fastleave;"));
    EXPECT_EQ(m.instances[0].downstreams[0].tuning.query_response_interval, 10s);
    EXPECT_EQ(warnings(with("IGMPv1", "pinstance a downstream d1 query-response-interval 5 fastleave;")),
              "t.conf:3:51: warning: query-response-interval is ignored: IGMPv1 queries carry no response time (hosts "
              "use 10 s)\n"
              "t.conf:3:53: warning: fastleave has no effect with IGMPv1: hosts send no leave messages\n");
}

TEST(ConfigTuning, BadTimesAndCounts) {
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 query-interval 1m;")),
              "t.conf:3:42: error: invalid query-interval '1m': unknown unit 'm', expected seconds, or a time such "
              "as 0.5, 500ms or 2s");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 query-interval 0.0001;")),
              "t.conf:3:42: error: invalid query-interval '0.0001': more precise than 1 ms, expected seconds, or a "
              "time such as 0.5, 500ms or 2s");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 last-member-query-interval 0;")),
              "t.conf:3:54: error: last-member-query-interval must be greater than 0");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 max-groups lots;")),
              "t.conf:3:38: error: invalid max-groups 'lots', expected a whole number in 1..1000000");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 startup-query-count 0;")),
              "t.conf:3:47: error: startup-query-count 0 is out of range, expected 1..255");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 startup-query-interval 200;")),
              "t.conf:3:50: error: startup-query-interval 200 s must not be greater than query-interval 125 s");
}

TEST(ConfigTuning, KeySetTwiceForOneTarget) {
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 fastleave;\npinstance a downstream d1 fastleave;")),
              "t.conf:4:27: error: 'fastleave' is already set for downstream 'd1' at 3:27");
}

TEST(ConfigTuning, RouteIdleTimeout) {
    auto m = valid(with("IGMPv3", "pinstance a route-idle-timeout 90;"));
    EXPECT_EQ(m.instances[0].route_idle_timeout, 90s);
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a route-idle-timeout 500ms;")),
              "t.conf:3:32: error: route-idle-timeout 500ms is out of range, expected 1 s .. 1 day");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a route-idle-timeout 60;\npinstance a route-idle-timeout 70;")),
              "t.conf:4:13: error: 'route-idle-timeout' of instance 'a' is already set at 3:13");
}

TEST(ConfigTuning, NoFastleaveOverridesStar) {
    auto m = valid(with("IGMPv3", "pinstance a downstream * fastleave;\npinstance a downstream d2 no-fastleave;"));
    EXPECT_TRUE(m.instances[0].downstreams[0].tuning.fastleave);
    EXPECT_FALSE(m.instances[0].downstreams[1].tuning.fastleave);
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 fastleave no-fastleave;")),
              "t.conf:3:37: error: 'no-fastleave' contradicts 'fastleave' for downstream 'd1' at 3:27");
}

// ---- accept-off-link-reports (the intake's on-link source check) --------

TEST(ConfigTuning, OffLinkReportsRefusedByDefault) {
    auto m = valid(with("IGMPv3", ""));
    EXPECT_FALSE(m.instances[0].downstreams[0].tuning.accept_off_link_reports);
    EXPECT_FALSE(m.instances[0].downstreams[1].tuning.accept_off_link_reports);
}

TEST(ConfigTuning, AcceptOffLinkReportsOnOneInterface) {
    auto m = valid(with("IGMPv2", "pinstance a downstream d2 query-interval 60 accept-off-link-reports fastleave;"));
    EXPECT_FALSE(m.instances[0].downstreams[0].tuning.accept_off_link_reports);
    const auto& t = m.instances[0].downstreams[1].tuning;
    EXPECT_TRUE(t.accept_off_link_reports);
    EXPECT_TRUE(t.fastleave);
    EXPECT_EQ(t.query_interval, 60s);
    EXPECT_EQ(warnings(with("IGMPv2", "pinstance a downstream d2 accept-off-link-reports;")), "");
}

TEST(ConfigTuning, AcceptOffLinkReportsIsCaseInsensitiveLikeEveryKey) {
    auto m = valid(with("IGMPv3", "pinstance a downstream d1 Accept-Off-Link-Reports;"));
    EXPECT_TRUE(m.instances[0].downstreams[0].tuning.accept_off_link_reports);
}

TEST(ConfigTuning, NoAcceptOffLinkReportsOverridesStar) {
    auto m = valid(with("IGMPv3", "pinstance a downstream * accept-off-link-reports;\n"
                                  "pinstance a downstream d2 no-accept-off-link-reports;"));
    EXPECT_TRUE(m.instances[0].downstreams[0].tuning.accept_off_link_reports);
    EXPECT_FALSE(m.instances[0].downstreams[1].tuning.accept_off_link_reports);
    // The two flag pairs are independent of each other.
    auto both = valid(with("IGMPv3", "pinstance a downstream d1 no-fastleave accept-off-link-reports;"));
    EXPECT_TRUE(both.instances[0].downstreams[0].tuning.accept_off_link_reports);
    EXPECT_FALSE(both.instances[0].downstreams[0].tuning.fastleave);
}

TEST(ConfigTuning, AcceptOffLinkReportsTwiceOrContradicted) {
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 accept-off-link-reports;\n"
                                         "pinstance a downstream d1 accept-off-link-reports;")),
              "t.conf:4:27: error: 'accept-off-link-reports' is already set for downstream 'd1' at 3:27");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 accept-off-link-reports no-accept-off-link-reports;")),
              "t.conf:3:51: error: 'no-accept-off-link-reports' contradicts 'accept-off-link-reports' for downstream "
              "'d1' at 3:27");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream * no-accept-off-link-reports accept-off-link-reports;")),
              "t.conf:3:53: error: 'accept-off-link-reports' contradicts 'no-accept-off-link-reports' for downstream "
              "'*' at 3:26");
}

TEST(ConfigTuning, AcceptOffLinkReportsTakesNoValue) {
    // A flag: a following word is read as the next key.
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 accept-off-link-reports yes;")),
              "t.conf:3:51: error: unknown downstream setting 'yes'");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 accept-off-link-reports 1;")),
              "t.conf:3:51: error: unknown downstream setting '1'");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream d1 accept-off-link-reports off;")),
              "t.conf:3:51: error: unknown downstream setting 'off'");
}

TEST(ConfigTuning, AcceptOffLinkReportsOnlyForDownstreams) {
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a upstream up accept-off-link-reports;")),
              "t.conf:3:25: error: expected 'in' or 'out', found 'accept-off-link-reports'");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a accept-off-link-reports;")),
              "t.conf:3:13: error: expected ':', '(', 'upstream', 'downstream' or 'route-idle-timeout', found "
              "'accept-off-link-reports'");
    EXPECT_EQ(first_error(with("IGMPv3", "pinstance a downstream zz accept-off-link-reports;")),
              "t.conf:3:24: error: interface 'zz' is not a downstream of instance 'a', expected one of: d1, d2");
}

TEST(ConfigTuning, AcceptOffLinkReportsHasNoEffectWithMld) {
    // MLD reports come from link-local addresses (RFC 3810 5.2.13): there is no off-link check to turn off.
    auto m = valid(with("MLDv2", "pinstance a downstream d1 accept-off-link-reports;"));
    EXPECT_TRUE(m.instances[0].downstreams[0].tuning.accept_off_link_reports);
    EXPECT_EQ(warnings(with("MLDv2", "pinstance a downstream d1 accept-off-link-reports;")),
              "t.conf:3:27: warning: accept-off-link-reports has no effect with MLDv2: MLD reports must come from a "
              "link-local address\n");
    EXPECT_EQ(warnings(with("MLDv1", "pinstance a downstream * accept-off-link-reports;")),
              "t.conf:3:26: warning: accept-off-link-reports has no effect with MLDv1: MLD reports must come from a "
              "link-local address\n");
    EXPECT_EQ(warnings(with("MLDv2", "pinstance a downstream d1 no-accept-off-link-reports;")), "");
}
