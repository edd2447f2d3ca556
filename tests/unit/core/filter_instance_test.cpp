// SPDX-License-Identifier: GPL-2.0-or-later
// Filter tables in core::instance (doc/filters.md), one test per direction and
// case: upstream in / out, downstream in / out, interface-qualified rules,
// any-source conversion, blacklisted groups never joined.
#include <gtest/gtest.h>

#include "core/filter_test_util.hpp"

namespace mcproxy::core {
namespace {

using namespace filter_test;
using T = wire::record_type;

constexpr if_index up1 = 1, up2 = 2, d1 = 11, d2 = 12;
const char* const G = "239.1.1.1";
const char* const S1 = "198.51.100.1";
const char* const S2 = "198.51.100.2";

instance_settings two_up(filter_settings f = {}) {
    instance_settings s;
    s.ver = wire::version::igmpv3;
    s.upstreams = {up1, up2};
    s.downstreams = {d1, d2};
    s.filters = std::move(f);
    return s;
}

instance_settings one_up(filter_settings f = {}) {
    instance_settings s = two_up(std::move(f));
    s.upstreams = {up1};
    return s;
}

void join(instance& inst, if_index d, const char* group, actions& out, T type = T::change_to_exclude,
          std::initializer_list<const char*> sources = {}) {
    inst.handle(v3_report(d, d == d1 ? "192.0.2.10" : "192.0.2.20", {rec(type, group, sources)}), at(1s), out);
}

std::vector<if_index> outputs(const instance& inst, const char* s, const char* g) {
    auto r = inst.routes().route({ip(s), ip(g)});
    return r ? r->outputs : std::vector<if_index>{99};
}

// upstream in: a whitelist allowing only S turns an any-source join into INCLUDE{S}.
TEST(InstanceFilter, UpstreamInWhitelistTurnsAnySourceJoinIntoInclude) {
    filter_settings f;
    f.upstream[up1].in = whitelist({rule(G, S1)});
    instance inst(one_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    EXPECT_EQ(inst.merged(ip(G)), exc({}));
    EXPECT_EQ(inst.reported(up1, ip(G)), inc({S1}));
    EXPECT_EQ(records_on(out, up1), (std::vector{rec(T::allow_new_sources, G, {S1})})) << show(records_on(out, up1));
}

// upstream in: a blacklisted group is never joined upstream.
TEST(InstanceFilter, UpstreamInBlacklistedGroupIsNeverJoined) {
    filter_settings f;
    f.upstream[up1].in = blacklist({rule("239.1.0.0/16", "*")});
    instance inst(one_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    join(inst, d2, G, out, T::allow_new_sources, {S1});
    EXPECT_TRUE(records_on(out, up1).empty()) << show(records_on(out, up1));
    EXPECT_TRUE(inst.reported(up1, ip(G)).empty());
    // Nor after a query.
    wire::query q;
    q.ver = wire::version::igmpv3;
    q.group = net::address::any(net::family::ipv4);
    q.max_resp = 1000ms;
    inst.handle(message_event{up1, ip("192.0.2.254"), ip("224.0.0.1"), q}, at(30s), out);
    inst.advance(at(32s), out);
    for (const auto& r : records_on(out, up1)) EXPECT_NE(r.group, ip(G));
}

// upstream in: a blacklisted (S,G) joins the exclude list.
TEST(InstanceFilter, UpstreamInBlacklistedSourceIsExcluded) {
    filter_settings f;
    f.upstream[up1].in = blacklist({rule(G, S1)});
    instance inst(one_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    EXPECT_EQ(inst.reported(up1, ip(G)), exc({S1}));
    EXPECT_EQ(records_on(out, up1), (std::vector{rec(T::change_to_exclude, G, {S1})}));
}

// upstream in: data this upstream may not receive is not forwarded.
TEST(InstanceFilter, UpstreamInRefusesData) {
    filter_settings f;
    f.upstream[up1].in = whitelist({rule(G, S1)});
    instance inst(one_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    inst.handle(upcall_event{upcall_kind::nocache, up1, ip(S2), ip(G)}, at(2s), out);
    inst.handle(upcall_event{upcall_kind::nocache, up1, ip(S1), ip(G)}, at(2s), out);
    EXPECT_TRUE(outputs(inst, S2, G).empty());
    EXPECT_EQ(outputs(inst, S1, G), std::vector<if_index>{d1});
}

// upstream out: downstream-sourced data goes only to upstreams whose out filter allows it.
TEST(InstanceFilter, UpstreamOutLimitsLocalData) {
    filter_settings f;
    f.upstream[up2].out = blacklist({rule(G, "198.51.100.0/24")});
    instance inst(two_up(f), at(0s));
    actions out;
    inst.handle(upcall_event{upcall_kind::nocache, d1, ip(S1), ip(G)}, at(2s), out);
    EXPECT_EQ(outputs(inst, S1, G), std::vector<if_index>{up1});
    inst.handle(upcall_event{upcall_kind::nocache, d1, ip("203.0.113.1"), ip(G)}, at(2s), out);
    EXPECT_EQ(outputs(inst, "203.0.113.1", G), (std::vector<if_index>{up1, up2}));
}

// downstream in: data sourced on a downstream is accepted only if allowed.
TEST(InstanceFilter, DownstreamInRefusesLocalSources) {
    filter_settings f;
    f.downstream[d1].in = blacklist({rule("*", "198.51.100.0/24")});
    instance inst(one_up(f), at(0s));
    actions out;
    join(inst, d2, G, out);
    inst.handle(upcall_event{upcall_kind::nocache, d1, ip(S1), ip(G)}, at(2s), out);
    EXPECT_TRUE(outputs(inst, S1, G).empty());
    inst.handle(upcall_event{upcall_kind::nocache, d1, ip("203.0.113.1"), ip(G)}, at(2s), out);
    EXPECT_EQ(outputs(inst, "203.0.113.1", G), (std::vector<if_index>{up1, d2}));
}

// downstream out: what is not forwarded to a downstream does not count in the merge.
TEST(InstanceFilter, DownstreamOutDecidesWhatCountsAndWhatIsForwarded) {
    filter_settings f;
    f.downstream[d1].out = whitelist({rule("239.2.0.0/16", "*")});
    instance inst(one_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    EXPECT_TRUE(records_on(out, up1).empty());
    EXPECT_TRUE(inst.reported(up1, ip(G)).empty());
    join(inst, d1, "239.2.0.1", out);
    EXPECT_EQ(inst.reported(up1, ip("239.2.0.1")), exc({}));
    // d2 joins G: now it is reported, but data still only goes to d2.
    join(inst, d2, G, out);
    EXPECT_EQ(inst.reported(up1, ip(G)), exc({}));
    inst.handle(upcall_event{upcall_kind::nocache, up1, ip(S1), ip(G)}, at(2s), out);
    EXPECT_EQ(outputs(inst, S1, G), std::vector<if_index>{d2});
}

// downstream out with a source whitelist: an any-source join counts as INCLUDE{S}.
TEST(InstanceFilter, DownstreamOutWhitelistConvertsAnySourceJoin) {
    filter_settings f;
    f.downstream[d1].out = whitelist({rule(G, S1)});
    instance inst(one_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    EXPECT_EQ(inst.reported(up1, ip(G)), inc({S1}));
}

// downstream out with interface-qualified rules: the merge differs per
// upstream (arrival interface), and so does forwarding.
TEST(InstanceFilter, InterfaceQualifiedDownstreamOutRules) {
    filter_settings f;
    f.downstream[d1].out = whitelist({rule("239.1.0.0/16", "*", up1), rule("239.2.0.0/16", "*", up2)});
    instance inst(two_up(f), at(0s));
    actions out;
    join(inst, d1, "239.1.0.1", out);
    join(inst, d1, "239.2.0.1", out);
    EXPECT_EQ(inst.reported(up1, ip("239.1.0.1")), exc({}));
    EXPECT_TRUE(inst.reported(up2, ip("239.1.0.1")).empty());
    EXPECT_TRUE(inst.reported(up1, ip("239.2.0.1")).empty());
    EXPECT_EQ(inst.reported(up2, ip("239.2.0.1")), exc({}));
    inst.handle(upcall_event{upcall_kind::nocache, up1, ip(S1), ip("239.1.0.1")}, at(2s), out);
    EXPECT_EQ(outputs(inst, S1, "239.1.0.1"), std::vector<if_index>{d1});
    inst.handle(upcall_event{upcall_kind::nocache, up1, ip(S1), ip("239.2.0.1")}, at(2s), out);
    EXPECT_TRUE(outputs(inst, S1, "239.2.0.1").empty());
}

// upstream in with an interface-qualified rule naming the upstream itself.
TEST(InstanceFilter, InterfaceQualifiedUpstreamInRule) {
    filter_settings f;
    f.upstream[up1].in = whitelist({rule(G, S1, up1)});
    f.upstream[up2].in = whitelist({rule(G, S1, up1)});  // never matches data arriving on up2
    instance inst(two_up(f), at(0s));
    actions out;
    join(inst, d1, G, out);
    EXPECT_EQ(inst.reported(up1, ip(G)), inc({S1}));
    EXPECT_TRUE(inst.reported(up2, ip(G)).empty());
}

// Leaving: a filtered join leaves cleanly (the report shrinks back to nothing).
TEST(InstanceFilter, LeaveOfAFilteredJoin) {
    filter_settings f;
    f.upstream[up1].in = whitelist({rule(G, S1), rule(G, S2)});
    instance inst(one_up(f), at(0s));
    actions out;
    inst.handle(address_event{d1, ip("192.0.2.1")}, at(0s), out);  // the querier lowers timers
    join(inst, d1, G, out);
    EXPECT_EQ(inst.reported(up1, ip(G)), inc({S1, S2}));
    out.clear();
    inst.handle(v3_report(d1, "192.0.2.10", {rec(T::change_to_include, G, {})}), at(2s), out);
    // The router asks the last member queries; nobody answers: the group ends.
    for (int i = 0; i < 100; ++i) {
        auto d = inst.next_deadline();
        if (!d || *d > at(10s)) break;
        inst.advance(*d, out);
    }
    EXPECT_TRUE(inst.reported(up1, ip(G)).empty());
    const auto recs = records_on(out, up1);
    EXPECT_NE(std::find(recs.begin(), recs.end(), rec(T::block_old_sources, G, {S1, S2})), recs.end()) << show(recs);
}

// The extra std::function hooks still work alongside the filters.
TEST(InstanceFilter, HooksComposeWithFilters) {
    filter_settings f;
    f.upstream[up1].in = whitelist({rule("239.0.0.0/8", "*")});
    instance_settings s = one_up(f);
    s.downstream_filter = [](if_index d, const net::address&, const membership& m) {
        return d == d2 ? membership{} : m;
    };
    instance inst(s, at(0s));
    actions out;
    join(inst, d2, G, out);
    EXPECT_TRUE(inst.reported(up1, ip(G)).empty());
    join(inst, d1, G, out);
    EXPECT_EQ(inst.reported(up1, ip(G)), exc({}));
}

// MLD: the same rules on IPv6.
TEST(InstanceFilter, MldWhitelistConvertsAnySourceJoin) {
    filter_settings f;
    f.upstream[up1].in = whitelist({rule("ff05::1", "2001:db8::1")});
    instance_settings s = one_up(f);
    s.ver = wire::version::mldv2;
    instance inst(s, at(0s));
    actions out;
    inst.handle(message_event{d1, ip("fe80::10"), ip("ff02::16"),
                              wire::report_v3{wire::version::mldv2, {rec(T::change_to_exclude, "ff05::1", {})}}},
                at(1s), out);
    EXPECT_EQ(inst.reported(up1, ip("ff05::1")), inc({"2001:db8::1"}));
}

}  // namespace
}  // namespace mcproxy::core
