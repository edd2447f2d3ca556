// SPDX-License-Identifier: GPL-2.0-or-later
// The JSON status schema: valid JSON, the documented field names exactly,
// the parts each view carries, and every field documented.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "daemon/instance_driver.hpp"
#include "daemon/json_test_util.hpp"
#include "mcproxy/daemon/status_format.hpp"

namespace mcproxy::daemon {
namespace {

using namespace test;
using T = wire::record_type;
using keys = std::set<std::string>;

std::vector<instance_status> scene() {
    auto d = igmp_topology(at(0s), /*proactive_include=*/true);
    d->advance(at(0s));
    d->event(v3_report(down1_id, "198.51.100.20", T::change_to_exclude, "239.1.1.1", {"198.18.0.66"}), at(1s));
    d->event(v3_report(down2_id, "203.0.113.20", T::mode_is_include, "232.1.1.1", {"198.18.0.5"}), at(1s));
    d->event(core::upcall_event{core::upcall_kind::nocache, up_id, ip("198.18.0.9"), ip("239.1.1.1")}, at(1s));
    d->book().set_counters({ip("198.18.0.9"), ip("239.1.1.1")}, 42, 42000, 3);
    d->stats().count_dropped(drop_cause::no_router_alert);
    return {d->snap(at(11s))};
}

json_test::value doc(status_view v) { return json_test::parse(format_json(scene(), v)); }

const json_test::value& find_iface(const json_test::value& inst, const std::string& name) {
    for (const auto& i : inst["interfaces"].arr())
        if (i["name"].str() == name) return i;
    throw std::out_of_range(name);
}

TEST(StatusJson, TopLevelFields) {
    const auto d = doc(status_view::status);
    EXPECT_EQ(d.keys(), (keys{"schema", "schema_version", "mcproxy_version", "view", "instances"}));
    EXPECT_EQ(d["schema"].str(), "mcproxy-status");
    EXPECT_EQ(d["schema_version"].u64(), 1u);
    EXPECT_EQ(d["mcproxy_version"].str(), MCPROXY_VERSION);
    EXPECT_EQ(d["view"].str(), "status");
    ASSERT_EQ(d["instances"].arr().size(), 1u);
    const auto& inst = d["instances"][0];
    EXPECT_EQ(inst.keys(), (keys{"name", "protocol", "family", "table", "interfaces", "routes", "counters"}));
    EXPECT_EQ(inst["name"].str(), "tv");
    EXPECT_EQ(inst["protocol"].str(), "IGMPv3");
    EXPECT_EQ(inst["family"].str(), "ipv4");
    EXPECT_EQ(inst["table"].u64(), 12u);
}

TEST(StatusJson, InterfaceDownstreamAndGroupFields) {
    const auto inst = doc(status_view::status)["instances"][0];
    const auto& e1 = find_iface(inst, "eth1");
    EXPECT_EQ(e1.keys(), (keys{"name", "ifindex", "role", "state", "address", "downstream", "upstream"}));
    EXPECT_EQ(e1["ifindex"].u64(), 3u);
    EXPECT_EQ(e1["role"].str(), "downstream");
    EXPECT_EQ(e1["state"].str(), "up");
    EXPECT_EQ(e1["address"].str(), "198.51.100.10");
    EXPECT_TRUE(e1["upstream"].is_null());
    const auto& ds = e1["downstream"];
    EXPECT_EQ(ds.keys(), (keys{"active", "querier", "tracked_hosts", "group_count", "groups"}));
    EXPECT_EQ(ds["querier"].keys(), (keys{"is_querier", "address", "other_querier_present_ms", "next_general_query_ms",
                                          "startup_queries_left", "robustness", "query_interval_ms"}));
    EXPECT_TRUE(ds["querier"]["is_querier"].boolean());
    EXPECT_EQ(ds["querier"]["query_interval_ms"].u64(), 125000u);
    EXPECT_TRUE(ds["querier"]["other_querier_present_ms"].is_null());
    ASSERT_EQ(ds["groups"].arr().size(), 1u);
    const auto& g = ds["groups"][0];
    EXPECT_EQ(g.keys(), (keys{"group", "filter_mode", "filter_timer_ms", "compatibility", "v1_host_present_ms",
                              "v2_host_present_ms", "retransmissions", "tracking_complete", "sources", "hosts"}));
    EXPECT_EQ(g["group"].str(), "239.1.1.1");
    EXPECT_EQ(g["filter_mode"].str(), "exclude");
    EXPECT_EQ(g["filter_timer_ms"].u64(), 250000u);
    EXPECT_EQ(g["compatibility"].str(), "IGMPv3");
    ASSERT_EQ(g["sources"].arr().size(), 1u);
    const auto& s = g["sources"][0];
    EXPECT_EQ(s.keys(), (keys{"source", "timer_ms", "forwarded", "retransmissions"}));
    EXPECT_EQ(s["source"].str(), "198.18.0.66");
    EXPECT_TRUE(s["timer_ms"].is_null());
    EXPECT_FALSE(s["forwarded"].boolean());
    ASSERT_EQ(g["hosts"].arr().size(), 1u);
    const auto& h = g["hosts"][0];
    EXPECT_EQ(h.keys(), (keys{"host", "filter_mode", "sources", "older_version", "expires_ms"}));
    EXPECT_EQ(h["host"].str(), "198.51.100.20");
    EXPECT_EQ(h["sources"][0].str(), "198.18.0.66");
}

TEST(StatusJson, UpstreamFields) {
    const auto inst = doc(status_view::status)["instances"][0];
    const auto& e0 = find_iface(inst, "eth0");
    EXPECT_TRUE(e0["downstream"].is_null());
    const auto& us = e0["upstream"];
    EXPECT_EQ(us.keys(), (keys{"active", "compatibility", "group_count", "groups"}));
    ASSERT_EQ(us["groups"].arr().size(), 2u);
    const auto& g = us["groups"][0];
    EXPECT_EQ(g.keys(), (keys{"group", "filter_mode", "sources", "retransmission_pending", "response_in_ms"}));
    EXPECT_EQ(g["group"].str(), "232.1.1.1");
    EXPECT_EQ(g["filter_mode"].str(), "include");
    EXPECT_EQ(g["sources"][0].str(), "198.18.0.5");
}

TEST(StatusJson, RouteFields) {
    const auto inst = doc(status_view::routes)["instances"][0];
    ASSERT_EQ(inst["routes"].arr().size(), 2u);
    const auto& r = inst["routes"][1];
    EXPECT_EQ(r.keys(), (keys{"source", "group", "input", "outputs", "proactive", "known_to_core", "packets", "bytes",
                              "wrong_interface"}));
    EXPECT_EQ(r["source"].str(), "198.18.0.9");
    EXPECT_EQ(r["input"].keys(), (keys{"name", "id"}));
    EXPECT_EQ(r["input"]["name"].str(), "eth0");
    EXPECT_EQ(r["outputs"][0]["name"].str(), "eth1");
    EXPECT_EQ(r["packets"].u64(), 42u);
    EXPECT_EQ(r["bytes"].u64(), 42000u);
    EXPECT_EQ(r["wrong_interface"].u64(), 3u);
    EXPECT_TRUE(inst["routes"][0]["packets"].is_null());
    EXPECT_TRUE(inst["routes"][0]["proactive"].boolean());
}

TEST(StatusJson, CountersHaveEveryKindAndReason) {
    const auto c = doc(status_view::stats)["instances"][0]["counters"];
    EXPECT_EQ(c.keys(), (keys{"received", "received_total", "sent", "sent_total", "send_errors", "dropped",
                              "dropped_total", "upcalls", "route_changes"}));
    keys kinds, reasons;
    for (std::size_t k = 0; k < message_kind_count; ++k) kinds.insert(to_string(static_cast<message_kind>(k)));
    for (std::size_t r = 0; r < drop_cause_count; ++r) reasons.insert(to_string(static_cast<drop_cause>(r)));
    EXPECT_EQ(c["received"].keys(), kinds);
    EXPECT_EQ(c["sent"].keys(), kinds);
    EXPECT_EQ(c["dropped"].keys(), reasons);
    EXPECT_EQ(c["received"]["igmpv3_report"].u64(), 2u);
    EXPECT_EQ(c["dropped"]["no_router_alert"].u64(), 1u);
    EXPECT_EQ(c["dropped_total"].u64(), 1u);
    EXPECT_EQ(c["upcalls"].keys(), (keys{"nocache", "wrongvif"}));
    EXPECT_EQ(c["upcalls"]["nocache"].u64(), 1u);
    EXPECT_EQ(c["route_changes"].keys(), (keys{"added", "updated", "removed"}));
}

TEST(StatusJson, EachViewCarriesItsParts) {
    struct row {
        status_view view;
        keys instance_keys;
        bool querier;
        bool groups;
    };
    const keys base{"name", "protocol", "family", "table"};
    auto with = [&](std::initializer_list<const char*> extra) {
        keys k = base;
        k.insert(extra.begin(), extra.end());
        return k;
    };
    const row rows[] = {
        {status_view::status, with({"interfaces", "routes", "counters"}), true, true},
        {status_view::interfaces, with({"interfaces"}), true, false},
        {status_view::groups, with({"interfaces"}), false, true},
        {status_view::sources, with({"interfaces"}), false, true},
        {status_view::routes, with({"routes"}), false, false},
        {status_view::stats, with({"counters"}), false, false},
    };
    for (const auto& r : rows) {
        const auto d = doc(r.view);
        EXPECT_EQ(d["view"].str(), to_string(r.view));
        const auto& inst = d["instances"][0];
        EXPECT_EQ(inst.keys(), r.instance_keys) << to_string(r.view);
        if (!inst.has("interfaces")) continue;
        const auto& ds = find_iface(inst, "eth1")["downstream"];
        EXPECT_EQ(ds.has("querier"), r.querier) << to_string(r.view);
        EXPECT_EQ(ds.has("groups"), r.groups) << to_string(r.view);
        EXPECT_EQ(find_iface(inst, "eth0")["upstream"].has("groups"), r.groups) << to_string(r.view);
    }
}

TEST(StatusJson, OddInterfaceNamesStayValidJson) {
    auto d = igmp_topology(at(0s));
    d->info().interfaces[1].name = std::string("we\"ird\n\\\xff");
    d->info().interfaces[2].state = link_state::missing;
    d->info().interfaces[2].ifindex = 0;
    d->info().interfaces[2].address = net::address::any(net::family::ipv4);
    const auto v = json_test::parse(format_json({d->snap(at(0s))}, status_view::interfaces, 0));
    const auto& ifs = v["instances"][0]["interfaces"];
    EXPECT_EQ(ifs[1]["name"].str(), "we\"ird\n\\\xef\xbf\xbd");
    EXPECT_TRUE(ifs[2]["ifindex"].is_null());
    EXPECT_TRUE(ifs[2]["address"].is_null());
    EXPECT_EQ(ifs[2]["state"].str(), "missing");
}

TEST(StatusJson, CompactFormIsOneLine) {
    const auto text = format_json(scene(), status_view::status, 0);
    EXPECT_EQ(text.find('\n'), text.size() - 1);
    EXPECT_NO_THROW(json_test::parse(text));
}

TEST(StatusJson, NoInstancesIsAnEmptyList) {
    const auto v = json_test::parse(format_json({}, status_view::groups));
    EXPECT_TRUE(v["instances"].arr().empty());
}

void collect_keys(const json_test::value& v, keys& out) {
    if (v.is_object()) {
        for (const auto& [k, x] : v.obj()) {
            out.insert(k);
            collect_keys(x, out);
        }
    } else if (v.is_array()) {
        for (const auto& x : v.arr()) collect_keys(x, out);
    }
}

// Every field name the daemon writes is documented in doc/control-protocol.md.
TEST(StatusJson, EveryFieldIsDocumented) {
    std::ifstream in(std::string(MCPROXY_SOURCE_DIR) + "/doc/control-protocol.md");
    ASSERT_TRUE(in) << "doc/control-protocol.md missing";
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    keys all;
    for (auto v : {status_view::status, status_view::routes, status_view::stats})
        collect_keys(json_test::parse(format_json(scene(), v)), all);
    for (const auto& k : all) EXPECT_NE(text.find("`" + k + "`"), std::string::npos) << "undocumented field " << k;
}

}  // namespace
}  // namespace mcproxy::daemon
