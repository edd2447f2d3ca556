// SPDX-License-Identifier: GPL-2.0-or-later
// The bridge from configuration filters to the core (doc/filters.md): real
// configuration text, parsed by config::parse_text, drives a core::instance.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "mcproxy/config/parse.hpp"
#include "mcproxy/core/instance.hpp"
#include "mcproxy/daemon/filter_bridge.hpp"

namespace mcproxy::daemon {
namespace {

using namespace std::chrono_literals;
using core::filter_mode;
using core::if_index;
using core::membership;
using T = wire::record_type;

net::address ip(const char* s) { return *net::address::parse(s); }
core::time_point at(core::duration d) { return core::time_point{} + d; }
membership inc(std::initializer_list<const char*> l) {
    membership m;
    for (const char* s : l) m.sources.insert(ip(s));
    return m;
}
membership exc(std::initializer_list<const char*> l) {
    membership m = inc(l);
    m.mode = filter_mode::exclude;
    return m;
}

/// A configured instance run by the core: ids 1..N, upstreams first, a
/// peering interface once (as the daemon numbers them).
struct configured {
    config::model model;
    const config::instance* inst = nullptr;
    std::map<std::string, if_index> ids;
    core::filter_settings filters;
    std::unique_ptr<core::instance> core;

    configured(const std::string& text, const std::string& name) {
        auto r = config::parse_text(text, "t.conf");
        EXPECT_TRUE(r.ok()) << config::to_string(r.errors);
        model = r.config.value_or(config::model{});
        inst = model.find_instance(name);
        if (!inst) {
            ADD_FAILURE() << "no instance " << name;
            return;
        }
        if_index next = 1;
        for (const auto& u : inst->upstreams) ids.emplace(u.name, next++);
        for (const auto& d : inst->downstreams)
            if (!ids.contains(d.name)) ids.emplace(d.name, next++);
        filters = to_core_filters(*inst, [this](std::string_view n) -> std::optional<if_index> {
            auto it = ids.find(std::string(n));
            if (it == ids.end()) return std::nullopt;
            return it->second;
        });
        core::instance_settings s;
        s.ver = inst->family == net::family::ipv6 ? wire::version::mldv2 : wire::version::igmpv3;
        for (const auto& u : inst->upstreams) s.upstreams.push_back(ids.at(u.name));
        for (const auto& d : inst->downstreams) s.downstreams.push_back(ids.at(d.name));
        s.filters = filters;
        core = std::make_unique<core::instance>(s, at(0s));
    }

    if_index id(const char* name) const { return ids.at(name); }

    /// A host on `iface` joins `group` (no sources: any source).
    void join(const char* iface, const char* group, std::initializer_list<const char*> sources = {},
              bool any_source = true) {
        wire::group_record r{any_source ? T::change_to_exclude : T::allow_new_sources, ip(group), {}, {}};
        for (const char* s : sources) r.sources.push_back(ip(s));
        const bool v6 = inst->family == net::family::ipv6;
        core::actions out;
        core->handle(core::message_event{id(iface), ip(v6 ? "fe80::99" : "192.0.2.99"), ip(v6 ? "ff02::16" : "224.0.0.22"),
                                          wire::report_v3{v6 ? wire::version::mldv2 : wire::version::igmpv3, {r}}},
                     at(1s), out);
    }

    membership reported(const char* upstream, const char* group) const {
        return core->reported(id(upstream), ip(group));
    }

    /// Outputs of the route created by data from `source` to `group` arriving on `iface`.
    std::vector<if_index> data(const char* iface, const char* source, const char* group) {
        core::actions out;
        core->handle(core::upcall_event{core::upcall_kind::nocache, id(iface), ip(source), ip(group)}, at(2s), out);
        auto r = core->routes().route({ip(source), ip(group)});
        return r ? r->outputs : std::vector<if_index>{999};
    }
};

// The man page example: nested tables, every kind of address set, a
// whitelist on the upstream and a blacklist on a downstream.
const char* const tv_conf = R"(
protocol IGMPv3;
table sports {
    (239.1.1.1 | *)
    (239.2.0.0/16 | 198.51.100.0/24)
    (239.3.1.1 - 239.3.1.9 | 203.0.113.5)
};
table allowed {
    (table sports)
    (table { eth1(232.0.0.0/8 | *) })
};
pinstance tv: eth0 ==> eth1 eth2;
pinstance tv upstream eth0 in whitelist table allowed;
pinstance tv downstream eth2 out blacklist table { (239.1.1.1 | *) };
)";

TEST(FilterBridge, NestedTablesBecomeOneWhitelist) {
    configured c(tv_conf, "tv");
    const auto& up = c.filters.upstream.at(c.id("eth0"));
    ASSERT_TRUE(up.in.bound());
    EXPECT_EQ(up.in.kind(), core::filter_kind::whitelist);
    EXPECT_EQ(up.in.rules().size(), 4u);
    EXPECT_FALSE(up.out.bound());
    EXPECT_EQ(c.filters.downstream.at(c.id("eth2")).out.kind(), core::filter_kind::blacklist);
    EXPECT_FALSE(c.filters.downstream.at(c.id("eth1")).out.bound());
    // Defaults of the language: in first, out all.
    EXPECT_EQ(c.filters.in_matching, core::upstream_in_matching::first);
    EXPECT_EQ(c.filters.out_matching, core::upstream_out_matching::all);
}

TEST(FilterBridge, WhitelistedGroupAnySourceIsReported) {
    configured c(tv_conf, "tv");
    c.join("eth1", "239.1.1.1");
    EXPECT_EQ(c.reported("eth0", "239.1.1.1"), exc({}));
}

TEST(FilterBridge, GroupOutsideTheWhitelistIsNeverJoined) {
    configured c(tv_conf, "tv");
    c.join("eth1", "239.9.9.9");
    EXPECT_TRUE(c.reported("eth0", "239.9.9.9").empty());
}

TEST(FilterBridge, SourcePrefixWhitelistKeepsExcludeAndFiltersTheData) {
    configured c(tv_conf, "tv");
    c.join("eth1", "239.2.3.4");
    EXPECT_EQ(c.reported("eth0", "239.2.3.4"), exc({}));
    EXPECT_EQ(c.data("eth0", "198.51.100.7", "239.2.3.4"), std::vector<if_index>{c.id("eth1")});
    EXPECT_TRUE(c.data("eth0", "203.0.113.7", "239.2.3.4").empty());
}

TEST(FilterBridge, SingleSourceWhitelistTurnsAnySourceIntoInclude) {
    configured c(tv_conf, "tv");
    c.join("eth1", "239.3.1.5");
    EXPECT_EQ(c.reported("eth0", "239.3.1.5"), inc({"203.0.113.5"}));
    c.join("eth1", "239.3.1.10");  // just outside the group range
    EXPECT_TRUE(c.reported("eth0", "239.3.1.10").empty());
}

TEST(FilterBridge, DownstreamBlacklistKeepsItsMembershipOut) {
    configured c(tv_conf, "tv");
    c.join("eth2", "239.1.1.1");
    EXPECT_TRUE(c.reported("eth0", "239.1.1.1").empty());
    c.join("eth1", "239.1.1.1");
    EXPECT_EQ(c.reported("eth0", "239.1.1.1"), exc({}));
    EXPECT_EQ(c.data("eth0", "192.0.2.200", "239.1.1.1"), std::vector<if_index>{c.id("eth1")});
}

// Interface-qualified rules: the rule applies only to data arriving on the
// named interface (here on a downstream `out` filter: per upstream).
TEST(FilterBridge, InterfaceQualifiedRulesFollowTheArrivalInterface) {
    configured c(R"(
protocol IGMPv3;
pinstance two: isp1 isp2 ==> lan;
pinstance two upstream * in rulematching all;
pinstance two downstream lan out whitelist table {
    isp1(239.1.0.0/16 | *)
    isp2(239.2.0.0/16 | *)
};
)",
                 "two");
    const auto& f = c.filters.downstream.at(c.id("lan")).out;
    ASSERT_EQ(f.rules().size(), 2u);
    EXPECT_EQ(f.rules()[0].arrival, c.id("isp1"));
    EXPECT_EQ(f.rules()[1].arrival, c.id("isp2"));
    c.join("lan", "239.1.0.1");
    c.join("lan", "239.2.0.1");
    EXPECT_EQ(c.reported("isp1", "239.1.0.1"), exc({}));
    EXPECT_TRUE(c.reported("isp2", "239.1.0.1").empty());
    EXPECT_TRUE(c.reported("isp1", "239.2.0.1").empty());
    EXPECT_EQ(c.reported("isp2", "239.2.0.1"), exc({}));
    EXPECT_EQ(c.data("isp1", "192.0.2.200", "239.1.0.1"), std::vector<if_index>{c.id("lan")});
    EXPECT_TRUE(c.data("isp2", "192.0.2.200", "239.1.0.1").empty());
}

// `*` bindings reach every interface of that side without its own binding.
TEST(FilterBridge, StarBindingsApplyToEveryInterfaceWithoutItsOwn) {
    configured c(R"(
protocol IGMPv3;
pinstance p: up ==> a b c;
pinstance p downstream * out blacklist table { (239.66.0.0/16 | *) };
pinstance p downstream c out whitelist table { (239.66.0.0/16 | *) };
)",
                 "p");
    EXPECT_EQ(c.filters.downstream.at(c.id("a")).out.kind(), core::filter_kind::blacklist);
    EXPECT_EQ(c.filters.downstream.at(c.id("b")).out.kind(), core::filter_kind::blacklist);
    EXPECT_EQ(c.filters.downstream.at(c.id("c")).out.kind(), core::filter_kind::whitelist);
    c.join("a", "239.66.0.1");
    c.join("b", "239.66.0.1");
    EXPECT_TRUE(c.reported("up", "239.66.0.1").empty());
    c.join("c", "239.66.0.1");
    EXPECT_EQ(c.reported("up", "239.66.0.1"), exc({}));
}

// Two upstreams split by group range with `first`, local data to the first
// allowed upstream with `out first` (the man page example).
TEST(FilterBridge, SplitUpstreamsWithFirst) {
    configured c(R"(
protocol IGMPv3;
pinstance split: isp1 isp2 ==> lan;
pinstance split upstream isp1 in whitelist table { (239.0.0.0/8 | *) };
pinstance split upstream isp2 in whitelist table { (232.0.0.0/8 | *) };
pinstance split upstream * in rulematching first;
pinstance split upstream * out rulematching first;
)",
                 "split");
    EXPECT_EQ(c.filters.in_matching, core::upstream_in_matching::first);
    EXPECT_EQ(c.filters.out_matching, core::upstream_out_matching::first);
    c.join("lan", "239.5.5.5");
    c.join("lan", "232.5.5.5", {"198.51.100.1"}, false);
    EXPECT_EQ(c.reported("isp1", "239.5.5.5"), exc({}));
    EXPECT_TRUE(c.reported("isp2", "239.5.5.5").empty());
    EXPECT_TRUE(c.reported("isp1", "232.5.5.5").empty());
    EXPECT_EQ(c.reported("isp2", "232.5.5.5"), inc({"198.51.100.1"}));
    EXPECT_EQ(c.data("lan", "198.51.100.50", "239.7.7.7"), std::vector<if_index>{c.id("isp1")});
}

// `mutex MS` becomes the core's mutex with the timeout in microseconds.
TEST(FilterBridge, MutexTimeout) {
    configured c(R"(
protocol MLDv2;
pinstance ha: up1 up2 ==> lan;
pinstance ha upstream * in rulematching mutex 5000;
)",
                 "ha");
    EXPECT_EQ(c.filters.in_matching, core::upstream_in_matching::mutex);
    EXPECT_EQ(c.filters.mutex_timeout, core::duration(5'000'000));
    c.join("lan", "ff05::1");
    EXPECT_EQ(c.reported("up1", "ff05::1"), exc({}));
    EXPECT_EQ(c.reported("up2", "ff05::1"), exc({}));
    core::actions out;
    c.core->handle(core::upcall_event{core::upcall_kind::nocache, c.id("up2"), ip("2001:db8::1"), ip("ff05::1")},
                   at(2s), out);
    EXPECT_TRUE(c.reported("up1", "ff05::1").empty());
    EXPECT_EQ(c.reported("up2", "ff05::1"), exc({}));
}

// A peering interface: one id, its upstream filters in `upstream`, its
// downstream filters in `downstream` (the doc/peering.md example).
TEST(FilterBridge, PeeringInterfaceGetsBothRolesUnderOneId) {
    configured c(R"(
protocol IGMPv3;
pinstance A: peer ==> peer lanA;
pinstance A upstream peer out whitelist table { lanA(* | 198.51.100.0/24) };
pinstance A upstream peer in whitelist table { (* | 203.0.113.0/24) };
pinstance A downstream peer out whitelist table { (* | 198.51.100.0/24) };
)",
                 "A");
    EXPECT_EQ(c.ids.size(), 2u);
    const if_index p = c.id("peer");
    EXPECT_TRUE(c.core->policy().is_peering(p));
    EXPECT_TRUE(c.filters.upstream.at(p).in.bound());
    EXPECT_TRUE(c.filters.upstream.at(p).out.bound());
    EXPECT_TRUE(c.filters.downstream.at(p).out.bound());
    EXPECT_FALSE(c.filters.downstream.at(p).in.bound());
    EXPECT_EQ(c.filters.upstream.at(p).out.rules()[0].arrival, c.id("lanA"));
    // Our own source goes to the peer once it asks; a foreign one never.
    c.join("peer", "239.1.1.1");
    EXPECT_EQ(c.data("lanA", "198.51.100.10", "239.1.1.1"), std::vector<if_index>{p});
    EXPECT_TRUE(c.data("lanA", "192.0.2.77", "239.1.1.1").empty());
    // Our listener's any-source join is not reflected to the peer but asked
    // of it, limited to the peer's sources (a prefix: EXCLUDE stays, the
    // route filter refuses other sources).
    c.join("lanA", "239.1.1.1");
    EXPECT_EQ(c.reported("peer", "239.1.1.1"), exc({}));
    EXPECT_EQ(c.data("peer", "203.0.113.10", "239.1.1.1"), std::vector<if_index>{c.id("lanA")});
    EXPECT_TRUE(c.data("peer", "192.0.2.78", "239.1.1.1").empty());
}

// A rule naming an interface of no side of the instance never matches.
TEST(FilterBridge, RuleForAnUnknownInterfaceIsDropped) {
    auto r = config::parse_text(R"(
protocol IGMPv3;
pinstance p: up ==> lan;
pinstance p upstream up in whitelist table { ghost(239.1.1.1 | *) (239.2.2.2 | *) };
)",
                                "t.conf");
    ASSERT_TRUE(r.ok()) << config::to_string(r.errors);
    const auto* inst = r.config->find_instance("p");
    const auto f = to_core(*inst->upstreams[0].filters.in, [](std::string_view n) -> std::optional<if_index> {
        if (n == "up") return 1;
        if (n == "lan") return 2;
        return std::nullopt;
    });
    ASSERT_EQ(f.rules().size(), 1u);
    EXPECT_FALSE(f.allows(ip("192.0.2.1"), ip("239.1.1.1"), 1));
    EXPECT_TRUE(f.allows(ip("192.0.2.1"), ip("239.2.2.2"), 1));
}

}  // namespace
}  // namespace mcproxy::daemon
