// SPDX-License-Identifier: GPL-2.0-or-later
// Older-version querier present (RFC 3376 7.2.1, RFC 3810 8.2.1): one test
// per compatibility transition, and the v1/v2 host behaviour in each mode
// (RFC 2236 3, RFC 1112, RFC 2710 4).
#include <gtest/gtest.h>

#include "core/host_test_util.hpp"
#include "mcproxy/core/host.hpp"

namespace mcproxy::core {
namespace {

using namespace host_test;
using wire::version;
using T = wire::record_type;

const net::address g = ip("239.1.1.1");

host make_host(version v = version::igmpv3) {
    host_settings s;
    s.iface = 4;
    s.ver = v;
    return host(s);
}

wire::query query(version v, std::chrono::milliseconds max_resp, const char* group = nullptr) {
    wire::query q;
    q.ver = v;
    const bool v6 = wire::family_of(v) == net::family::ipv6;
    q.group = group ? ip(group) : net::address::any(v6 ? net::family::ipv6 : net::family::ipv4);
    q.max_resp = max_resp;
    return q;
}

actions settle(host& h, time_point until) {
    actions out;
    for (int i = 0; i < 1000; ++i) {
        auto d = h.next_deadline();
        if (!d || *d > until) break;
        h.advance(*d, out);
    }
    return out;
}

// Default Older Version Querier Present Timeout: 2 * 125 s + Max Resp Time.
constexpr duration default_timeout(duration max_resp) { return 2 * std::chrono::seconds(125) + max_resp; }

TEST(HostCompat, V3ToV2OnIgmpv2GeneralQueryAndBackWhenTimerEnds) {
    host h = make_host();
    actions out;
    const time_point t0 = at(10s);
    h.on_query(query(version::igmpv2, 5000ms), t0, out);
    EXPECT_EQ(h.compat_version(t0), version::igmpv2);
    const time_point end = t0 + default_timeout(5s);
    EXPECT_EQ(h.next_deadline(), end);
    EXPECT_EQ(h.compat_version(end - 1us), version::igmpv2);
    h.advance(end, out);
    EXPECT_EQ(h.compat_version(end), version::igmpv3);
    EXPECT_FALSE(h.next_deadline());
}

TEST(HostCompat, Igmpv2GroupSpecificQueryDoesNotSwitch) {
    host h = make_host();
    actions out;
    h.on_query(query(version::igmpv2, 1000ms, "239.1.1.1"), at(0s), out);
    EXPECT_EQ(h.compat_version(at(0s)), version::igmpv3);
}

TEST(HostCompat, V3ToV1AndV1ToV2ToV3) {
    host h = make_host();
    actions out;
    h.on_query(query(version::igmpv2, 10000ms), at(0s), out);    // v2 until 260 s
    h.on_query(query(version::igmpv1, 10000ms), at(100s), out);  // v1 until 360 s
    EXPECT_EQ(h.compat_version(at(100s)), version::igmpv1);
    h.on_query(query(version::igmpv2, 10000ms), at(200s), out);  // v2 until 460 s
    h.advance(at(360s), out);
    EXPECT_EQ(h.compat_version(at(360s)), version::igmpv2);  // v1 ended, v2 still running
    h.advance(at(460s), out);
    EXPECT_EQ(h.compat_version(at(460s)), version::igmpv3);
}

TEST(HostCompat, V1EndsWithoutV2GoesStraightToV3) {
    host h = make_host();
    actions out;
    h.on_query(query(version::igmpv1, 10000ms), at(0s), out);
    EXPECT_EQ(h.compat_version(at(0s)), version::igmpv1);
    h.advance(at(0s) + default_timeout(10s), out);
    EXPECT_EQ(h.compat_version(at(0s) + default_timeout(10s)), version::igmpv3);
}

TEST(HostCompat, TimeoutUsesTheQueriersRobustnessAndInterval) {
    host h = make_host();
    actions out;
    wire::query v3 = query(version::igmpv3, 1000ms);
    v3.qrv = 3;
    v3.qqi = std::chrono::seconds(60);
    h.on_query(v3, at(0s), out);
    h.on_query(query(version::igmpv2, 5000ms), at(1s), out);
    // 3 * 60 s + 5 s
    EXPECT_EQ(h.compat_version(at(1s) + 185s - 1us), version::igmpv2);
    EXPECT_EQ(h.compat_version(at(1s) + 185s), version::igmpv3);
}

TEST(HostCompat, SwitchCancelsPendingV3Retransmissions) {
    host h = make_host();
    actions out;
    h.set_membership(g, exc({}), at(0s), out);
    ASSERT_TRUE(h.retransmission_pending(g));
    out.clear();
    h.on_query(query(version::igmpv2, 1000ms), at(0s) + 1us, out);
    EXPECT_FALSE(h.retransmission_pending(g));
    out = settle(h, at(5s));
    // Only the IGMPv2 answer to the query, to the group address.
    EXPECT_TRUE(v3_reports(out).empty());
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(sends(out)[0].destination, g);
    EXPECT_EQ(std::get<wire::report_v1v2>(sends(out)[0].msg), (wire::report_v1v2{version::igmpv2, g}));
}

TEST(HostCompat, SwitchBackCancelsPendingOlderResponses) {
    host h = make_host();
    actions out;
    h.set_membership(g, exc({}), at(0s), out);
    h.on_query(query(version::igmpv2, 10000ms), at(10s), out);
    const time_point end = at(10s) + default_timeout(10s);
    settle(h, end - 1s);
    // A group-specific v2 query just before the end: its response falls after it.
    h.on_query(query(version::igmpv2, 10000ms, "239.1.1.1"), end - 1ms, out);
    ASSERT_TRUE(h.response_deadline(g));
    ASSERT_GT(*h.response_deadline(g), end);
    out.clear();
    h.advance(end, out);
    EXPECT_EQ(h.compat_version(end), version::igmpv3);
    EXPECT_FALSE(h.response_deadline(g));
    out = settle(h, end + 20s);
    EXPECT_TRUE(sends(out).empty());
}

TEST(HostCompat, Igmpv2ModeJoinReportsAndLeaveGoesToAllRouters) {
    host h = make_host();
    actions out;
    h.on_query(query(version::igmpv2, 10000ms), at(0s), out);
    out.clear();
    h.set_membership(g, inc({"192.0.2.1"}), at(1s), out);
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(sends(out)[0].destination, g);
    EXPECT_EQ(std::get<wire::report_v1v2>(sends(out)[0].msg), (wire::report_v1v2{version::igmpv2, g}));
    // One repetition within the v2 Unsolicited Report Interval (10 s).
    ASSERT_TRUE(h.next_deadline());
    EXPECT_LE(*h.next_deadline(), at(11s));
    out = settle(h, at(20s));
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_TRUE(std::holds_alternative<wire::report_v1v2>(sends(out)[0].msg));
    // A source change cannot be expressed in v2: nothing.
    out.clear();
    h.set_membership(g, inc({"192.0.2.1", "192.0.2.2"}), at(21s), out);
    EXPECT_TRUE(out.empty());
    h.set_membership(g, membership{}, at(22s), out);
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(sends(out)[0].destination, ip("224.0.0.2"));
    EXPECT_EQ(std::get<wire::leave>(sends(out)[0].msg), (wire::leave{version::igmpv2, g}));
}

TEST(HostCompat, Igmpv1ModeReportsAndNeverLeaves) {
    host h = make_host();
    actions out;
    h.on_query(query(version::igmpv1, 10000ms), at(0s), out);
    h.set_membership(g, exc({}), at(1s), out);
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(std::get<wire::report_v1v2>(sends(out)[0].msg), (wire::report_v1v2{version::igmpv1, g}));
    settle(h, at(20s));
    out.clear();
    h.set_membership(g, membership{}, at(30s), out);
    EXPECT_TRUE(out.empty());
}

TEST(HostCompat, Igmpv2ModeGeneralQueryGetsOneReportPerGroup) {
    host h = make_host();
    actions out;
    h.set_membership(g, exc({}), at(0s), out);
    h.set_membership(ip("239.1.1.2"), inc({"192.0.2.1"}), at(0s), out);
    h.on_query(query(version::igmpv2, 3000ms), at(5s), out);
    out = settle(h, at(8s));
    ASSERT_EQ(sends(out).size(), 2u);
    for (const auto& s : sends(out)) {
        const auto& r = std::get<wire::report_v1v2>(s.msg);
        EXPECT_EQ(s.destination, r.group);
        EXPECT_EQ(r.ver, version::igmpv2);
    }
}

TEST(HostCompat, Igmpv2ModeOtherHostsReportSuppressesOurs) {
    host h = make_host();
    actions out;
    h.set_membership(g, exc({}), at(0s), out);
    h.on_query(query(version::igmpv2, 10000ms), at(5s), out);
    ASSERT_TRUE(h.response_deadline(g));
    h.handle(wire::report_v1v2{version::igmpv2, g}, at(5s) + 1us, out);
    EXPECT_FALSE(h.response_deadline(g));
    out = settle(h, at(20s));
    EXPECT_TRUE(sends(out).empty());
}

TEST(HostCompat, V3ModeDoesNotSuppress) {
    host h = make_host();
    actions out;
    h.set_membership(g, exc({}), at(0s), out);
    settle(h, at(3s));
    h.on_query(query(version::igmpv3, 10000ms, "239.1.1.1"), at(5s), out);
    h.handle(wire::report_v1v2{version::igmpv2, g}, at(5s), out);
    EXPECT_TRUE(h.response_deadline(g));
}

TEST(HostCompat, Igmpv2ModeRunningTimerOnlyShortened) {
    host h = make_host();
    actions out;
    h.set_membership(g, exc({}), at(0s), out);
    h.on_query(query(version::igmpv2, 10000ms), at(5s), out);
    const time_point first = *h.response_deadline(g);
    // A query allowing more time than remains does not reset the timer.
    h.on_query(query(version::igmpv2, 20000ms, "239.1.1.1"), at(5s), out);
    EXPECT_EQ(*h.response_deadline(g), first);
    h.on_query(query(version::igmpv2, 1ms, "239.1.1.1"), at(5s), out);
    EXPECT_LE(*h.response_deadline(g), at(5s) + 1ms);
}

TEST(HostCompat, SsmGroupNotReportedInOlderMode) {
    host h = make_host();
    actions out;
    h.on_query(query(version::igmpv2, 10000ms), at(0s), out);
    h.set_membership(ip("232.1.1.1"), inc({"192.0.2.1"}), at(1s), out);
    EXPECT_TRUE(sends(out).empty());
}

TEST(HostCompat, ConfiguredIgmpv2SpeaksV2WithoutAQuery) {
    host h = make_host(version::igmpv2);
    EXPECT_EQ(h.compat_version(at(0s)), version::igmpv2);
    actions out;
    h.set_membership(g, exc({}), at(0s), out);
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(std::get<wire::report_v1v2>(sends(out)[0].msg).ver, version::igmpv2);
    // A v3 query does not raise a v2 host.
    h.on_query(query(version::igmpv3, 1000ms), at(5s), out);
    EXPECT_EQ(h.compat_version(at(5s)), version::igmpv2);
}

TEST(HostCompat, MldV2ToV1OnAnyMldv1QueryAndBack) {
    host h = make_host(version::mldv2);
    actions out;
    h.set_membership(ip("ff05::1"), exc({}), at(0s), out);
    out.clear();
    // RFC 3810 8.2.1: any MLDv1 query, also a specific one.
    h.on_query(query(version::mldv1, 2000ms, "ff05::1"), at(10s), out);
    EXPECT_EQ(h.compat_version(at(10s)), version::mldv1);
    out = settle(h, at(13s));
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(sends(out)[0].destination, ip("ff05::1"));
    EXPECT_EQ(std::get<wire::report_v1v2>(sends(out)[0].msg), (wire::report_v1v2{version::mldv1, ip("ff05::1")}));
    out.clear();
    h.set_membership(ip("ff05::1"), membership{}, at(20s), out);
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(sends(out)[0].destination, ip("ff02::2"));
    EXPECT_EQ(std::get<wire::leave>(sends(out)[0].msg), (wire::leave{version::mldv1, ip("ff05::1")}));
    h.advance(at(10s) + default_timeout(2s), out);
    EXPECT_EQ(h.compat_version(at(10s) + default_timeout(2s)), version::mldv2);
}

}  // namespace
}  // namespace mcproxy::core
