// SPDX-License-Identifier: GPL-2.0-or-later
// RFC 3376 5.2 / RFC 3810 6.2: responses to queries, one test per
// scheduling rule (1-5) and per expiry rule (1-3).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/host_test_util.hpp"
#include "mcproxy/core/host.hpp"

namespace mcproxy::core {
namespace {

using namespace host_test;
using T = wire::record_type;

const net::address g1 = ip("239.1.1.1");
const net::address g2 = ip("239.1.1.2");

host make_host() {
    host_settings s;
    s.iface = 3;
    s.ver = wire::version::igmpv3;
    return host(s);
}

wire::query gq(std::chrono::milliseconds max_resp) {
    wire::query q;
    q.ver = wire::version::igmpv3;
    q.group = net::address::any(net::family::ipv4);
    q.max_resp = max_resp;
    return q;
}
wire::query gsq(const net::address& g, std::chrono::milliseconds max_resp, std::vector<const char*> sources = {}) {
    wire::query q = gq(max_resp);
    q.group = g;
    for (const char* s : sources) q.sources.push_back(ip(s));
    return q;
}

/// A host with g1 = INCLUDE{1,2} and g2 = EXCLUDE{3}, retransmissions done.
struct fixture {
    host h = make_host();
    time_point now = at(0s);
    fixture() {
        actions out;
        h.set_membership(g1, inc({"192.0.2.1", "192.0.2.2"}), now, out);
        h.set_membership(g2, exc({"192.0.2.3"}), now, out);
        run_until(now + 10s);
    }
    actions run_until(time_point t) {
        actions out;
        for (int i = 0; i < 1000; ++i) {
            auto d = h.next_deadline();
            if (!d || *d > t) break;
            h.advance(*d, out);
        }
        now = t;
        return out;
    }
};

TEST(HostQuery, GeneralQueryAnswersEveryGroupInOneReportWithinMaxResp) {
    fixture f;
    actions out;
    f.h.on_query(gq(2000ms), f.now, out);
    EXPECT_TRUE(out.empty());  // never at once
    const auto d = f.h.response_deadline(net::address::any(net::family::ipv4));
    ASSERT_TRUE(d);
    EXPECT_LE(*d, f.now + 2s);
    out = f.run_until(f.now + 2s);
    ASSERT_EQ(v3_reports(out).size(), 1u);
    EXPECT_EQ(sends(out)[0].destination, ip("224.0.0.22"));
    EXPECT_EQ(records(out), (std::vector{rec(T::mode_is_include, "239.1.1.1", {"192.0.2.1", "192.0.2.2"}),
                                         rec(T::mode_is_exclude, "239.1.1.2", {"192.0.2.3"})}))
        << show(records(out));
}

TEST(HostQuery, NoStateNoResponse) {
    host h = make_host();
    actions out;
    h.on_query(gq(1000ms), at(0s), out);
    h.on_query(gsq(g1, 1000ms), at(0s), out);
    EXPECT_FALSE(h.next_deadline());
    fixture f;
    f.h.on_query(gsq(ip("239.9.9.9"), 1000ms), f.now, out);
    EXPECT_FALSE(f.h.next_deadline());
}

TEST(HostQuery, LinkLocalGroupQueriesAreIgnored) {
    fixture f;
    actions out;
    f.h.on_query(gsq(ip("224.0.0.251"), 1000ms), f.now, out);
    EXPECT_FALSE(f.h.next_deadline());
    EXPECT_TRUE(out.empty());
}

TEST(HostQuery, Rule1PendingGeneralResponseSoonerCoversGroupQuery) {
    fixture f;
    actions out;
    f.h.on_query(gq(1ms), f.now, out);  // interface timer within 1 ms
    f.h.on_query(gsq(g1, 10000ms), f.now, out);
    EXPECT_FALSE(f.h.response_deadline(g1));
}

TEST(HostQuery, Rule2GeneralQueryReschedulesInterfaceTimer) {
    fixture f;
    actions out;
    f.h.on_query(gq(10000ms), f.now, out);
    f.h.on_query(gq(1ms), f.now, out);
    const auto d = f.h.response_deadline(net::address::any(net::family::ipv4));
    ASSERT_TRUE(d);
    EXPECT_LE(*d, f.now + 1ms);
    out = f.run_until(f.now + 20s);
    EXPECT_EQ(v3_reports(out).size(), 1u);  // the earlier response was cancelled
}

TEST(HostQuery, Rule3GroupSpecificQueryAnswersCurrentState) {
    fixture f;
    actions out;
    f.h.on_query(gsq(g2, 1000ms), f.now, out);
    ASSERT_TRUE(f.h.response_deadline(g2));
    EXPECT_LE(*f.h.response_deadline(g2), f.now + 1s);
    out = f.run_until(f.now + 1s);
    EXPECT_EQ(records(out), (std::vector{rec(T::mode_is_exclude, "239.1.1.2", {"192.0.2.3"})}));
}

TEST(HostQuery, Rule3SourceQueryOnIncludeAnswersIntersection) {
    fixture f;
    actions out;
    f.h.on_query(gsq(g1, 1000ms, {"192.0.2.2", "192.0.2.9"}), f.now, out);
    out = f.run_until(f.now + 1s);
    // INCLUDE(A): IS_IN(A*B)
    EXPECT_EQ(records(out), (std::vector{rec(T::mode_is_include, "239.1.1.1", {"192.0.2.2"})}));
}

TEST(HostQuery, Rule3SourceQueryOnExcludeAnswersDifference) {
    fixture f;
    actions out;
    f.h.on_query(gsq(g2, 1000ms, {"192.0.2.3", "192.0.2.9"}), f.now, out);
    out = f.run_until(f.now + 1s);
    // EXCLUDE(A): IS_IN(B-A)
    EXPECT_EQ(records(out), (std::vector{rec(T::mode_is_include, "239.1.1.2", {"192.0.2.9"})}));
}

TEST(HostQuery, Rule3EmptyAnswerSendsNothing) {
    fixture f;
    actions out;
    f.h.on_query(gsq(g1, 1000ms, {"192.0.2.9"}), f.now, out);
    f.h.on_query(gsq(g2, 1000ms, {"192.0.2.3"}), f.now, out);
    out = f.run_until(f.now + 1s);
    EXPECT_TRUE(sends(out).empty());
}

TEST(HostQuery, Rule4GroupQueryOverPendingSourceQueryAnswersWholeGroup) {
    fixture f;
    actions out;
    f.h.on_query(gsq(g1, 5000ms, {"192.0.2.2"}), f.now, out);
    const time_point first = *f.h.response_deadline(g1);
    f.h.on_query(gsq(g1, 5000ms), f.now, out);
    EXPECT_LE(*f.h.response_deadline(g1), first);  // earliest of the two
    out = f.run_until(f.now + 5s);
    EXPECT_EQ(records(out), (std::vector{rec(T::mode_is_include, "239.1.1.1", {"192.0.2.1", "192.0.2.2"})}));
}

TEST(HostQuery, Rule4SourceQueryOverPendingGroupQueryStaysGroupWide) {
    fixture f;
    actions out;
    f.h.on_query(gsq(g1, 5000ms), f.now, out);
    f.h.on_query(gsq(g1, 5000ms, {"192.0.2.2"}), f.now, out);
    out = f.run_until(f.now + 5s);
    EXPECT_EQ(records(out), (std::vector{rec(T::mode_is_include, "239.1.1.1", {"192.0.2.1", "192.0.2.2"})}));
}

TEST(HostQuery, Rule5SourceQueriesAccumulate) {
    fixture f;
    actions out;
    f.h.on_query(gsq(g1, 5000ms, {"192.0.2.1"}), f.now, out);
    const time_point first = *f.h.response_deadline(g1);
    f.h.on_query(gsq(g1, 5000ms, {"192.0.2.2", "192.0.2.7"}), f.now, out);
    EXPECT_LE(*f.h.response_deadline(g1), first);
    out = f.run_until(f.now + 5s);
    ASSERT_EQ(v3_reports(out).size(), 1u);
    EXPECT_EQ(records(out), (std::vector{rec(T::mode_is_include, "239.1.1.1", {"192.0.2.1", "192.0.2.2"})}));
}

TEST(HostQuery, StateGoneBeforeExpirySendsNothing) {
    fixture f;
    actions out;
    f.h.on_query(gsq(g1, 5000ms), f.now, out);
    f.h.set_membership(g1, membership{}, f.now, out);
    out.clear();
    out = f.run_until(f.now + 30s);
    for (const auto& r : records(out)) EXPECT_NE(r.type, T::mode_is_include);
}

TEST(HostQuery, MldGeneralQueryAnswersToFf02_16) {
    host_settings s;
    s.ver = wire::version::mldv2;
    host h(s);
    actions out;
    h.set_membership(ip("ff05::1"), exc({}), at(0s), out);
    for (int i = 0; i < 10 && h.next_deadline(); ++i) h.advance(*h.next_deadline(), out);
    out.clear();
    wire::query q;
    q.ver = wire::version::mldv2;
    q.group = net::address::any(net::family::ipv6);
    q.max_resp = 1000ms;
    h.on_query(q, at(10s), out);
    h.advance(at(11s), out);
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(sends(out)[0].destination, ip("ff02::16"));
    EXPECT_EQ(records(out), (std::vector{rec(T::mode_is_exclude, "ff05::1", {})}));
}

TEST(HostQuery, IgmpQueryOnMldHostIsIgnored) {
    host_settings s;
    s.ver = wire::version::mldv2;
    host h(s);
    actions out;
    h.set_membership(ip("ff05::1"), exc({}), at(0s), out);
    for (int i = 0; i < 10 && h.next_deadline(); ++i) h.advance(*h.next_deadline(), out);
    h.on_query(gq(1000ms), at(10s), out);
    EXPECT_FALSE(h.next_deadline());
}

}  // namespace
}  // namespace mcproxy::core

namespace mcproxy::core {
namespace {

using namespace host_test;
using T = wire::record_type;

// The 5.2 rules again for MLDv2 (RFC 3810 6.2), with IPv6 addresses.
struct mld_fixture {
    host h{[] {
        host_settings s;
        s.ver = wire::version::mldv2;
        return s;
    }()};
    time_point now = at(0s);
    mld_fixture() {
        actions out;
        h.set_membership(ip("ff05::1"), inc({"2001:db8::1", "2001:db8::2"}), now, out);
        h.set_membership(ip("ff05::2"), exc({"2001:db8::3"}), now, out);
        run(now + 10s);
    }
    actions run(time_point t) {
        actions out;
        for (int i = 0; i < 1000; ++i) {
            auto d = h.next_deadline();
            if (!d || *d > t) break;
            h.advance(*d, out);
        }
        now = t;
        return out;
    }
    wire::query q(const char* group, std::vector<const char*> sources) const {
        wire::query x;
        x.ver = wire::version::mldv2;
        x.group = ip(group);
        x.max_resp = 2000ms;
        for (const char* s : sources) x.sources.push_back(ip(s));
        return x;
    }
};

TEST(HostQueryMld, SourceQueriesOnIncludeAndExclude) {
    mld_fixture f;
    actions out;
    f.h.on_query(f.q("ff05::1", {"2001:db8::2", "2001:db8::9"}), f.now, out);
    f.h.on_query(f.q("ff05::2", {"2001:db8::3", "2001:db8::9"}), f.now, out);
    out = f.run(f.now + 2s);
    EXPECT_EQ(records(out), (std::vector{rec(T::mode_is_include, "ff05::1", {"2001:db8::2"}),
                                         rec(T::mode_is_include, "ff05::2", {"2001:db8::9"})}))
        << show(records(out));
    for (const auto& s : sends(out)) EXPECT_EQ(s.destination, ip("ff02::16"));
}

TEST(HostQueryMld, Rule4And5) {
    mld_fixture f;
    actions out;
    f.h.on_query(f.q("ff05::1", {"2001:db8::1"}), f.now, out);
    f.h.on_query(f.q("ff05::1", {"2001:db8::2"}), f.now, out);  // rule 5: accumulate
    f.h.on_query(f.q("ff05::2", {"2001:db8::7"}), f.now, out);
    f.h.on_query(f.q("ff05::2", {}), f.now, out);  // rule 4: whole group
    out = f.run(f.now + 2s);
    auto got = records(out);
    std::sort(got.begin(), got.end(), [](const auto& a, const auto& b) { return a.group < b.group; });
    EXPECT_EQ(got, (std::vector{rec(T::mode_is_include, "ff05::1", {"2001:db8::1", "2001:db8::2"}),
                                rec(T::mode_is_exclude, "ff05::2", {"2001:db8::3"})}))
        << show(got);
}

}  // namespace
}  // namespace mcproxy::core
