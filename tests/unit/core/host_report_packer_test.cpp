// SPDX-License-Identifier: GPL-2.0-or-later
// Report sizes (RFC 3376 4.2, RFC 3810 5.2) and MTU packing / splitting
// (RFC 3376 4.2.16, RFC 3810 5.2.15).
#include <gtest/gtest.h>

#include "core/host_test_util.hpp"
#include "mcproxy/core/host_report_packer.hpp"

namespace mcproxy::core {
namespace {

using namespace host_test;
using T = wire::record_type;

std::vector<net::address> v4_sources(std::size_t n) {
    std::vector<net::address> v;
    for (std::size_t i = 0; i < n; ++i) v.push_back(net::address::v4(0xC6120000u + static_cast<std::uint32_t>(i)));
    return v;
}

std::size_t wire_size(net::family f, const wire::report_v3& r) {
    std::size_t n = report_header_size(f);
    for (const auto& rec : r.records) n += record_size(f, rec.sources.size());
    return n;
}

TEST(ReportSize, MatchesTheFormats) {
    EXPECT_EQ(report_header_size(net::family::ipv4), 32u);
    EXPECT_EQ(report_header_size(net::family::ipv6), 56u);
    EXPECT_EQ(record_size(net::family::ipv4, 0), 8u);
    EXPECT_EQ(record_size(net::family::ipv4, 3), 20u);
    EXPECT_EQ(record_size(net::family::ipv6, 0), 20u);
    EXPECT_EQ(record_size(net::family::ipv6, 2), 52u);
    // 1500 - 32 - 8 = 1460 = 365 * 4; 1500 - 56 - 20 = 1424 = 89 * 16.
    EXPECT_EQ(max_sources_per_record(net::family::ipv4, 1500), 365u);
    EXPECT_EQ(max_sources_per_record(net::family::ipv6, 1500), 89u);
    EXPECT_EQ(max_sources_per_record(net::family::ipv4, 10), 1u);
}

TEST(ReportPacking, FillsReportsUpToTheMtu) {
    std::vector<wire::group_record> recs;
    for (std::uint32_t i = 0; i < 400; ++i)
        recs.push_back(wire::group_record{T::mode_is_exclude, net::address::v4(0xEF010000u + i), {}, {}});
    auto p = pack_reports(wire::version::igmpv3, recs, 1500);
    // (1500 - 32) / 8 = 183 records per report.
    ASSERT_EQ(p.reports.size(), 3u);
    EXPECT_EQ(p.reports[0].records.size(), 183u);
    EXPECT_EQ(p.reports[1].records.size(), 183u);
    EXPECT_EQ(p.reports[2].records.size(), 34u);
    for (const auto& r : p.reports) EXPECT_LE(wire_size(net::family::ipv4, r), 1500u);
    EXPECT_EQ(p.reports[0].records[0], recs[0]);  // order kept
}

TEST(ReportPacking, Ipv6RecordsAre20BytesEach) {
    std::vector<wire::group_record> recs;
    for (int i = 0; i < 100; ++i) {
        std::array<std::uint8_t, 16> b{0xff, 0x05};
        b[15] = static_cast<std::uint8_t>(i);
        recs.push_back(wire::group_record{T::change_to_exclude, net::address::v6(b), {}, {}});
    }
    auto p = pack_reports(wire::version::mldv2, recs, 1500);
    ASSERT_EQ(p.reports.size(), 2u);
    EXPECT_EQ(p.reports[0].records.size(), 72u);  // (1500 - 56) / 20
    EXPECT_EQ(p.reports[0].ver, wire::version::mldv2);
}

TEST(ReportPacking, LargeIncludeRecordIsSplitIntoDisjointRecords) {
    for (T t : {T::mode_is_include, T::change_to_include, T::allow_new_sources, T::block_old_sources}) {
        wire::group_record big{t, ip("239.1.1.1"), v4_sources(1000), {}};
        auto p = pack_reports(wire::version::igmpv3, {big}, 1500);
        ASSERT_EQ(p.reports.size(), 3u);
        std::vector<net::address> all;
        for (const auto& r : p.reports) {
            ASSERT_EQ(r.records.size(), 1u);  // each part in its own report
            EXPECT_EQ(r.records[0].type, t);
            EXPECT_LE(wire_size(net::family::ipv4, r), 1500u);
            all.insert(all.end(), r.records[0].sources.begin(), r.records[0].sources.end());
        }
        EXPECT_EQ(all, big.sources);
        EXPECT_EQ(p.dropped_sources, 0u);
    }
}

TEST(ReportPacking, LargeExcludeRecordIsTruncatedToTheSameSources) {
    for (T t : {T::mode_is_exclude, T::change_to_exclude}) {
        wire::group_record big{t, ip("239.1.1.1"), v4_sources(1000), {}};
        auto p = pack_reports(wire::version::igmpv3, {big}, 1500);
        ASSERT_EQ(p.reports.size(), 1u);
        ASSERT_EQ(p.reports[0].records[0].sources.size(), 365u);
        EXPECT_EQ(p.reports[0].records[0].sources.front(), big.sources.front());
        EXPECT_EQ(p.dropped_sources, 635u);
        EXPECT_EQ(wire_size(net::family::ipv4, p.reports[0]), 1500u);
    }
}

TEST(ReportPacking, RecordThatDoesNotFitStartsANewReport) {
    wire::group_record small{T::allow_new_sources, ip("239.1.1.1"), v4_sources(10), {}};
    wire::group_record full{T::allow_new_sources, ip("239.1.1.2"), v4_sources(365), {}};
    auto p = pack_reports(wire::version::igmpv3, {small, full, small}, 1500);
    ASSERT_EQ(p.reports.size(), 3u);
    EXPECT_EQ(p.reports[1].records[0].sources.size(), 365u);
}

TEST(ReportPacking, TinyMtuStillMakesProgress) {
    wire::group_record r{T::mode_is_include, ip("239.1.1.1"), v4_sources(5), {}};
    auto p = pack_reports(wire::version::igmpv3, {r}, 0);
    EXPECT_EQ(p.reports.size(), 5u);
    EXPECT_TRUE(pack_reports(wire::version::igmpv3, {}, 1500).reports.empty());
}

}  // namespace
}  // namespace mcproxy::core
