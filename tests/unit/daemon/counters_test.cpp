// SPDX-License-Identifier: GPL-2.0-or-later
// Counters: message kinds of every message type, drop reasons of every
// decoder error, stable names, sums; and the route book.
#include "mcproxy/daemon/counters.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/host_test_util.hpp"
#include "mcproxy/daemon/route_book.hpp"

namespace mcproxy::daemon {
namespace {

using core::host_test::ip;

wire::query query(wire::version v) {
    wire::query q;
    q.ver = v;
    return q;
}

TEST(MessageKind, EveryMessageTypeHasItsKind) {
    struct row {
        wire::message msg;
        message_kind kind;
        const char* name;
    };
    const row rows[] = {
        {query(wire::version::igmpv1), message_kind::igmpv1_query, "igmpv1_query"},
        {query(wire::version::igmpv2), message_kind::igmpv2_query, "igmpv2_query"},
        {query(wire::version::igmpv3), message_kind::igmpv3_query, "igmpv3_query"},
        {wire::report_v1v2{wire::version::igmpv1, ip("239.1.1.1")}, message_kind::igmpv1_report, "igmpv1_report"},
        {wire::report_v1v2{wire::version::igmpv2, ip("239.1.1.1")}, message_kind::igmpv2_report, "igmpv2_report"},
        {wire::report_v3{wire::version::igmpv3, {}}, message_kind::igmpv3_report, "igmpv3_report"},
        {wire::leave{wire::version::igmpv2, ip("239.1.1.1")}, message_kind::igmpv2_leave, "igmpv2_leave"},
        {query(wire::version::mldv1), message_kind::mldv1_query, "mldv1_query"},
        {query(wire::version::mldv2), message_kind::mldv2_query, "mldv2_query"},
        {wire::report_v1v2{wire::version::mldv1, ip("ff05::1")}, message_kind::mldv1_report, "mldv1_report"},
        {wire::report_v3{wire::version::mldv2, {}}, message_kind::mldv2_report, "mldv2_report"},
        {wire::leave{wire::version::mldv1, ip("ff05::1")}, message_kind::mldv1_done, "mldv1_done"},
    };
    ASSERT_EQ(std::size(rows), message_kind_count);
    std::set<std::string> names;
    for (const auto& r : rows) {
        EXPECT_EQ(kind_of(r.msg), r.kind) << r.name;
        EXPECT_STREQ(to_string(r.kind), r.name);
        EXPECT_EQ(parse_message_kind(r.name), r.kind);
        names.insert(r.name);
    }
    EXPECT_EQ(names.size(), message_kind_count);
    EXPECT_FALSE(parse_message_kind("igmpv4_query").has_value());
}

TEST(DropCause, NamesAreStableAndUnique) {
    const char* expected[] = {"truncated",       "bad_length",       "bad_count",
                              "bad_checksum",    "unknown_type",     "not_multicast",
                              "fragment",        "bad_ip_header",    "wrong_protocol",
                              "bad_ext_header",  "wrong_version",    "bad_ttl",
                              "no_router_alert", "not_link_local_source", "off_link_source",
                              "own_message",     "unknown_interface", "interface_down",
                              "filtered",        "limit_exceeded",   "malformed"};
    ASSERT_EQ(std::size(expected), drop_cause_count);
    for (std::size_t i = 0; i < drop_cause_count; ++i) {
        const auto r = static_cast<drop_cause>(i);
        EXPECT_STREQ(to_string(r), expected[i]);
        EXPECT_EQ(parse_drop_cause(expected[i]), r);
    }
    EXPECT_FALSE(parse_drop_cause("Bad_Checksum").has_value());
}

TEST(DropCause, EveryDecoderErrorMapsToAReason) {
    struct row {
        wire::error e;
        drop_cause r;
    };
    const row rows[] = {
        {wire::error::truncated, drop_cause::truncated},
        {wire::error::bad_length, drop_cause::bad_length},
        {wire::error::bad_count, drop_cause::bad_count},
        {wire::error::bad_checksum, drop_cause::bad_checksum},
        {wire::error::unknown_type, drop_cause::unknown_type},
        {wire::error::not_multicast, drop_cause::not_multicast},
        {wire::error::fragment, drop_cause::fragment},
        {wire::error::bad_ip_header, drop_cause::bad_ip_header},
        {wire::error::wrong_protocol, drop_cause::wrong_protocol},
        {wire::error::bad_ext_header, drop_cause::bad_ext_header},
        {wire::error::wrong_version, drop_cause::wrong_version},
        {wire::error::wrong_family, drop_cause::wrong_version},
        {wire::error::too_many_sources, drop_cause::bad_count},
        {wire::error::bad_aux_data, drop_cause::bad_length},
    };
    for (const auto& r : rows) {
        EXPECT_EQ(drop_cause_of(r.e), r.r) << wire::to_string(r.e);
        // Where the decoder's name exists as a reason, it is the same word.
        if (auto same = parse_drop_cause(wire::to_string(r.e))) {
            EXPECT_EQ(*same, r.r);
        }
    }
}

TEST(Counters, CountAndSum) {
    counters c;
    c.count_received(wire::report_v3{wire::version::igmpv3, {}});
    c.count_received(wire::report_v3{wire::version::igmpv3, {}});
    c.count_sent(query(wire::version::igmpv3));
    c.count_dropped(wire::error::bad_checksum);
    c.count_dropped(drop_cause::bad_ttl);
    c.count_upcall(core::upcall_kind::nocache);
    c.count_upcall(core::upcall_kind::wrongvif);
    c.count_upcall(core::upcall_kind::wrongvif);
    c.count_route(route_change::added);
    c.count_route(route_change::updated);
    c.count_route(route_change::removed);
    c.count_route(route_change::none);
    EXPECT_EQ(c.received_of(message_kind::igmpv3_report), 2u);
    EXPECT_EQ(c.total_received(), 2u);
    EXPECT_EQ(c.sent_of(message_kind::igmpv3_query), 1u);
    EXPECT_EQ(c.dropped_of(drop_cause::bad_checksum), 1u);
    EXPECT_EQ(c.total_dropped(), 2u);
    EXPECT_EQ(c.upcalls_nocache, 1u);
    EXPECT_EQ(c.upcalls_wrongvif, 2u);
    EXPECT_EQ(c.route_changes(), 3u);

    counters sum;
    sum += c;
    sum += c;
    EXPECT_EQ(sum.received_of(message_kind::igmpv3_report), 4u);
    EXPECT_EQ(sum.total_dropped(), 4u);
    EXPECT_EQ(sum.upcalls_wrongvif, 4u);
    EXPECT_EQ(sum.routes_removed, 2u);
}

TEST(RouteBook, MirrorsAddUpdateRemove) {
    route_book b;
    const core::route_key k{ip("198.18.0.1"), ip("239.1.1.1")};
    EXPECT_EQ(b.apply(core::set_route_action{k, 1, {11}}), route_change::added);
    EXPECT_EQ(b.apply(core::set_route_action{k, 1, {11}}), route_change::none);  // same entry again
    b.set_counters(k, 5, 500, 0);
    EXPECT_EQ(b.find(k)->packets, 5u);
    EXPECT_EQ(b.apply(core::set_route_action{k, 1, {11, 12}}), route_change::updated);
    // A replaced kernel entry starts counting again.
    EXPECT_FALSE(b.find(k)->packets.has_value());
    EXPECT_EQ(b.find(k)->outputs, (std::vector<core::if_index>{11, 12}));
    EXPECT_EQ(b.apply(core::remove_route_action{k}), route_change::removed);
    EXPECT_EQ(b.apply(core::remove_route_action{k}), route_change::none);
    EXPECT_EQ(b.size(), 0u);
    EXPECT_EQ(b.apply(core::log_action{core::log_level::debug, "x"}), route_change::none);
    b.set_counters(k, 1, 1, 1);  // unknown: ignored
    EXPECT_EQ(b.find(k), nullptr);
}

TEST(RouteBook, ListsByGroupThenSource) {
    route_book b;
    b.apply(core::set_route_action{{ip("198.18.0.9"), ip("232.1.1.1")}, 1, {}});
    b.apply(core::set_route_action{{ip("198.18.0.1"), ip("239.1.1.1")}, 1, {}});
    b.apply(core::set_route_action{{ip("198.18.0.2"), ip("232.1.1.1")}, 1, {}});
    const auto r = b.routes();
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].key.source, ip("198.18.0.2"));
    EXPECT_EQ(r[1].key.source, ip("198.18.0.9"));
    EXPECT_EQ(r[2].key.group, ip("239.1.1.1"));
    b.clear();
    EXPECT_TRUE(b.routes().empty());
}

}  // namespace
}  // namespace mcproxy::daemon
