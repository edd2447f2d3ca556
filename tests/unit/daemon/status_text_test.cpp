// SPDX-License-Identifier: GPL-2.0-or-later
// Human-readable status tables: every view shows the right rows and columns.
#include <gtest/gtest.h>

#include <sstream>

#include "daemon/instance_driver.hpp"
#include "mcproxy/daemon/status_format.hpp"

namespace mcproxy::daemon {
namespace {

using namespace test;
using T = wire::record_type;

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

std::vector<std::string> columns(const std::string& line) {
    std::vector<std::string> out;
    std::istringstream in(line);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

/// The columns of the first line whose first two columns are `a` and `b`.
std::vector<std::string> row(const std::string& text, const std::string& a, const std::string& b) {
    for (const auto& l : lines(text)) {
        auto c = columns(l);
        if (c.size() >= 2 && c[0] == a && c[1] == b) return c;
    }
    return {};
}

/// A scene with every kind of state: a querier and a non-querier, EXCLUDE
/// and INCLUDE groups, an IGMPv2 host, a proactive and an upcall route.
std::vector<instance_status> scene() {
    auto d = igmp_topology(at(0s), /*proactive_include=*/true);
    d->advance(at(0s));
    d->event(v3_report(down1_id, "198.51.100.20", T::change_to_exclude, "239.1.1.1", {"198.18.0.66"}), at(1s));
    d->event(v3_report(down2_id, "203.0.113.20", T::mode_is_include, "232.1.1.1", {"198.18.0.5"}), at(1s));
    d->event(core::message_event{down2_id, ip("203.0.113.30"), ip("239.2.2.2"),
                                 wire::report_v1v2{wire::version::igmpv2, ip("239.2.2.2")}},
             at(1s));
    wire::query q;
    q.ver = wire::version::igmpv3;
    q.group = net::address::any(net::family::ipv4);
    q.qrv = 2;
    q.qqi = 125s;
    d->event(core::message_event{down2_id, ip("203.0.113.2"), ip("224.0.0.1"), q}, at(1s));
    d->event(core::upcall_event{core::upcall_kind::nocache, up_id, ip("198.18.0.9"), ip("239.1.1.1")}, at(1s));
    d->book().set_counters({ip("198.18.0.9"), ip("239.1.1.1")}, 42, 42000, 0);
    d->stats().count_dropped(drop_cause::bad_checksum);
    return {d->snap(at(11s))};
}

TEST(FormatDuration, TruncatesToTenthsAndUsesMinutes) {
    EXPECT_EQ(format_duration(std::nullopt), "-");
    EXPECT_EQ(format_duration(core::duration(0)), "0.0s");
    EXPECT_EQ(format_duration(core::duration(-5s)), "0.0s");
    EXPECT_EQ(format_duration(core::duration(99999)), "0.0s");
    EXPECT_EQ(format_duration(core::duration(12345678)), "12.3s");
    EXPECT_EQ(format_duration(core::duration(59999999)), "59.9s");
    EXPECT_EQ(format_duration(core::duration(60s)), "1m00.0s");
    EXPECT_EQ(format_duration(core::duration(250s)), "4m10.0s");
    EXPECT_EQ(format_duration(core::duration(std::chrono::hours(2))), "120m00.0s");
}

TEST(StatusView, NamesRoundTrip) {
    for (auto v : {status_view::status, status_view::interfaces, status_view::groups, status_view::sources,
                   status_view::routes, status_view::stats})
        EXPECT_EQ(parse_status_view(to_string(v)), v);
    EXPECT_FALSE(parse_status_view("Status").has_value());
    EXPECT_FALSE(parse_status_view("").has_value());
}

TEST(StatusText, InterfacesViewShowsRoleStateAddressAndQuerier) {
    const auto text = format_text(scene(), status_view::interfaces);
    EXPECT_EQ(lines(text)[0], "instance tv: IGMPv3, table 12");
    EXPECT_EQ(columns(lines(text)[1]), (std::vector<std::string>{"INTERFACE", "IFINDEX", "ROLE", "STATE", "ADDRESS",
                                                                 "QUERIER"}));
    EXPECT_EQ(row(text, "eth0", "2"), (std::vector<std::string>{"eth0", "2", "upstream", "up", "192.0.2.1", "host",
                                                                "IGMPv3"}));
    const auto e1 = row(text, "eth1", "3");
    ASSERT_GE(e1.size(), 6u);
    EXPECT_EQ(e1[2], "downstream");
    EXPECT_EQ(e1[5], "querier");
    EXPECT_EQ(row(text, "eth2", "4"), (std::vector<std::string>{"eth2", "4", "downstream", "up", "203.0.113.10",
                                                                "non-querier", "(querier", "203.0.113.2)"}));
}

TEST(StatusText, GroupsViewShowsModeTimerCompatAndHosts) {
    const auto text = format_text(scene(), status_view::groups);
    // 10 s after TO_EX: 260 s - 10 s = 4m10.0s on the filter timer.
    EXPECT_EQ(row(text, "eth1", "239.1.1.1"),
              (std::vector<std::string>{"eth1", "239.1.1.1", "EXCLUDE", "4m10.0s", "IGMPv3", "1", "1+", "0"}));
    EXPECT_EQ(row(text, "eth2", "239.2.2.2")[4], "IGMPv2");
    EXPECT_EQ(row(text, "eth2", "232.1.1.1")[3], "-");
    bool host_row = false;
    for (const auto& l : lines(text))
        if (l.find("203.0.113.30") != std::string::npos) {
            host_row = true;
            EXPECT_EQ(columns(l), (std::vector<std::string>{"eth2", "239.2.2.2", "203.0.113.30", "EXCLUDE", "(older",
                                                            "version)", "{}", "4m10.0s"}));
        }
    EXPECT_TRUE(host_row) << text;
    EXPECT_EQ(row(text, "eth0", "239.1.1.1")[2], "EXCLUDE");
    EXPECT_EQ(row(text, "eth0", "239.1.1.1")[3], "{198.18.0.66}");
}

TEST(StatusText, SourcesViewMarksWhatIsForwarded) {
    const auto text = format_text(scene(), status_view::sources);
    std::vector<std::vector<std::string>> eth1;
    for (const auto& l : lines(text))
        if (auto c = columns(l); !c.empty() && c[0] == "eth1") eth1.push_back(c);
    // RFC 3376 6.3: EXCLUDE forwards all but the Exclude List.
    ASSERT_EQ(eth1.size(), 2u);
    EXPECT_EQ(eth1[0], (std::vector<std::string>{"eth1", "239.1.1.1", "EXCLUDE", "*", "4m10.0s", "yes", "-"}));
    EXPECT_EQ(eth1[1], (std::vector<std::string>{"eth1", "239.1.1.1", "EXCLUDE", "198.18.0.66", "-", "no", "0"}));
    EXPECT_EQ(row(text, "eth2", "232.1.1.1"),
              (std::vector<std::string>{"eth2", "232.1.1.1", "INCLUDE", "198.18.0.5", "4m10.0s", "yes", "0"}));
}

TEST(StatusText, RoutesViewShowsInterfacesAndCounters) {
    const auto text = format_text(scene(), status_view::routes);
    EXPECT_EQ(row(text, "198.18.0.9", "239.1.1.1"),
              (std::vector<std::string>{"198.18.0.9", "239.1.1.1", "eth0", "eth1", "42", "42000", "-"}));
    EXPECT_EQ(row(text, "198.18.0.5", "232.1.1.1"),
              (std::vector<std::string>{"198.18.0.5", "232.1.1.1", "eth0", "eth2", "-", "-", "proactive"}));
}

TEST(StatusText, StatsViewListsNonZeroCountersAndTotals) {
    const auto text = format_text(scene(), status_view::stats);
    EXPECT_EQ(row(text, "received", "igmpv3_report"), (std::vector<std::string>{"received", "igmpv3_report", "2"}));
    EXPECT_EQ(row(text, "received", "igmpv2_report"), (std::vector<std::string>{"received", "igmpv2_report", "1"}));
    EXPECT_EQ(row(text, "received", "total"), (std::vector<std::string>{"received", "total", "4"}));
    EXPECT_EQ(row(text, "dropped", "bad_checksum"), (std::vector<std::string>{"dropped", "bad_checksum", "1"}));
    EXPECT_TRUE(row(text, "dropped", "truncated").empty());  // zero: not listed
    EXPECT_EQ(row(text, "upcalls", "nocache"), (std::vector<std::string>{"upcalls", "nocache", "1"}));
}

TEST(StatusText, StatusViewHasEverySection) {
    const auto text = format_text(scene(), status_view::status);
    for (const char* s : {"  interfaces:", "  groups and sources:", "  upstream reports:", "  routes:"})
        EXPECT_NE(text.find(std::string(s) + "\n"), std::string::npos) << s;
    EXPECT_NE(text.find("  counters: received 4, sent "), std::string::npos) << text;
    EXPECT_FALSE(row(text, "198.18.0.9", "239.1.1.1").empty());
    EXPECT_FALSE(row(text, "eth2", "232.1.1.1").empty());
}

TEST(StatusText, TablesAreAlignedWithoutTrailingBlanks) {
    const auto text = format_text(scene(), status_view::groups);
    const auto ls = lines(text);
    for (const auto& l : ls) EXPECT_TRUE(l.empty() || l.back() != ' ') << "'" << l << "'";
    // Every cell of the groups table starts where its header starts.
    std::size_t header = 0;
    while (header < ls.size() && ls[header].find("INTERFACE  GROUP") == std::string::npos) ++header;
    ASSERT_LT(header, ls.size());
    const std::size_t mode_col = ls[header].find("MODE");
    const std::size_t compat_col = ls[header].find("COMPAT");
    for (std::size_t i = header + 1; i < ls.size() && ls[i].starts_with("    eth"); ++i) {
        EXPECT_EQ(ls[i].find("CLUDE"), mode_col + 2) << ls[i];
        EXPECT_EQ(ls[i].find("IGMPv"), compat_col) << ls[i];
    }
}

TEST(StatusText, EmptyStateSaysSo) {
    EXPECT_EQ(format_text({}, status_view::status), "no instances\n");
    auto d = igmp_topology(at(0s));
    const auto text = format_text({d->snap(at(0s))}, status_view::groups);
    EXPECT_NE(text.find("  groups:\n    (none)\n"), std::string::npos) << text;
}

TEST(StatusText, SeveralInstancesAreSeparatedByABlankLine) {
    auto a = igmp_topology(at(0s));
    auto b = igmp_topology(at(0s));
    b->info().name = "second";
    const auto text = format_text({a->snap(at(0s)), b->snap(at(0s))}, status_view::interfaces);
    EXPECT_NE(text.find("\n\ninstance second: IGMPv3, table 12\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace mcproxy::daemon
