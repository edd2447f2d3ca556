// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/record_packing.hpp"

#include <gtest/gtest.h>

#include "mcproxy/wire/igmp_codec.hpp"
#include "mcproxy/wire/ipv4_header.hpp"
#include "mcproxy/wire/ipv6_header.hpp"
#include "mcproxy/wire/mld_codec.hpp"
#include "test_util.hpp"

using namespace mcproxy::wire;
using mcproxy::net::address;
using wire_test::A;

namespace {

address v4_source(std::uint32_t i) { return address::v4(0xC6120000u + i); }  // 198.18.0.0/15
address v4_group(std::uint32_t i) { return address::v4(0xEF000000u + i); }   // 239/8
address v6_source(std::uint32_t i) {
    std::array<std::uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
    b[12] = static_cast<std::uint8_t>(i >> 24), b[13] = static_cast<std::uint8_t>(i >> 16);
    b[14] = static_cast<std::uint8_t>(i >> 8), b[15] = static_cast<std::uint8_t>(i);
    return address::v6(b);
}
address v6_group(std::uint32_t i) {
    std::array<std::uint8_t, 16> b{0xff, 0x05};
    b[14] = static_cast<std::uint8_t>(i >> 8), b[15] = static_cast<std::uint8_t>(i);
    return address::v6(b);
}

group_record rec(record_type t, address g, std::size_t n, bool v6 = false) {
    group_record r;
    r.type = t;
    r.group = g;
    for (std::size_t i = 0; i < n; ++i)
        r.sources.push_back(v6 ? v6_source(static_cast<std::uint32_t>(i)) : v4_source(static_cast<std::uint32_t>(i)));
    return r;
}

// Builds every report into a full packet and checks it fits the MTU.
void expect_packets_fit(const std::vector<report_v3>& reports, std::size_t mtu) {
    for (const auto& r : reports) {
        std::vector<std::uint8_t> msg, pkt;
        if (r.ver == version::igmpv3) {
            ASSERT_FALSE(encode_igmp(r, msg));
            ipv4_build h;
            h.src = A("192.0.2.1");
            h.dst = A("224.0.0.22");
            ASSERT_FALSE(build_ipv4(h, msg, pkt));
        } else {
            ASSERT_FALSE(encode_mld(r, A("fe80::1"), A("ff02::16"), msg));
            ipv6_build h;
            h.src = A("fe80::1");
            h.dst = A("ff02::16");
            ASSERT_FALSE(build_ipv6(h, msg, pkt));
        }
        EXPECT_LE(pkt.size(), mtu);
        EXPECT_FALSE(r.records.empty());
    }
}

std::vector<group_record> flatten(const std::vector<report_v3>& reports) {
    std::vector<group_record> all;
    for (const auto& r : reports) all.insert(all.end(), r.records.begin(), r.records.end());
    return all;
}

}  // namespace

TEST(RecordPacking, SizesPerRfc) {
    EXPECT_EQ(report_overhead(mcproxy::net::family::ipv4), 32u);
    EXPECT_EQ(report_overhead(mcproxy::net::family::ipv6), 56u);
    EXPECT_EQ(record_size(mcproxy::net::family::ipv4, rec(record_type::allow_new_sources, v4_group(1), 3)), 20u);
    EXPECT_EQ(record_size(mcproxy::net::family::ipv6, rec(record_type::allow_new_sources, v6_group(1), 3, true)), 68u);
}

TEST(RecordPacking, EmptyInputGivesNoReports) {
    EXPECT_TRUE(pack_records(version::igmpv3, {}, 1500).empty());
}

TEST(RecordPacking, ManySmallRecordsFillReportsInOrder) {
    // 1500 - 32 = 1468 bytes: 183 records of 8 bytes per report.
    std::vector<group_record> in;
    for (std::uint32_t i = 0; i < 200; ++i) in.push_back(rec(record_type::mode_is_exclude, v4_group(i), 0));
    const auto out = pack_records(version::igmpv3, in, 1500);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].records.size(), 183u);
    EXPECT_EQ(out[1].records.size(), 17u);
    EXPECT_EQ(out[0].ver, version::igmpv3);
    EXPECT_EQ(flatten(out), in);
    expect_packets_fit(out, 1500);
}

TEST(RecordPacking, RecordExactlyFillingAReportIsNotSplit) {
    // 8 + 4 * 365 = 1468 = budget at MTU 1500.
    const auto r = rec(record_type::mode_is_include, v4_group(1), 365);
    auto out = pack_records(version::igmpv3, {r}, 1500);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].records[0], r);
    // One more source: split in two records of the same type and group.
    const auto r2 = rec(record_type::mode_is_include, v4_group(1), 366);
    out = pack_records(version::igmpv3, {r2}, 1500);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].records[0].sources.size(), 365u);
    EXPECT_EQ(out[1].records[0].sources.size(), 1u);
    EXPECT_EQ(out[1].records[0].type, record_type::mode_is_include);
    EXPECT_EQ(out[1].records[0].group, v4_group(1));
    expect_packets_fit(out, 1500);
}

TEST(RecordPacking, RecordThatFitsAloneStartsANewReportInsteadOfSplitting) {
    const auto small = rec(record_type::allow_new_sources, v4_group(1), 10);  // 48 bytes
    const auto big = rec(record_type::allow_new_sources, v4_group(2), 360);   // 1448 bytes
    const auto out = pack_records(version::igmpv3, {small, big}, 1500);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].records, std::vector{small});
    EXPECT_EQ(out[1].records, std::vector{big});
}

// RFC 3376 4.2.16: non-exclude records are split, every source reported once.
TEST(RecordPacking, SplitsAllowBlockAndIncludeRecords) {
    for (auto t : {record_type::mode_is_include, record_type::change_to_include, record_type::allow_new_sources,
                   record_type::block_old_sources}) {
        const auto head = rec(record_type::mode_is_exclude, v4_group(9), 0);  // 8 bytes already used
        const auto r = rec(t, v4_group(1), 1000);
        const auto out = pack_records(version::igmpv3, {head, r}, 1500);
        // First chunk fills the current report: (1468 - 8 - 8) / 4 = 363, then 365, then 272.
        ASSERT_EQ(out.size(), 3u);
        EXPECT_EQ(out[0].records.size(), 2u);
        EXPECT_EQ(out[0].records[1].sources.size(), 363u);
        EXPECT_EQ(out[1].records[0].sources.size(), 365u);
        EXPECT_EQ(out[2].records[0].sources.size(), 272u);
        std::vector<address> all;
        for (const auto& g : flatten(out)) {
            if (g.group != v4_group(1)) continue;
            EXPECT_EQ(g.type, t);
            all.insert(all.end(), g.sources.begin(), g.sources.end());
        }
        EXPECT_EQ(all, r.sources);  // same sources, same order, none twice
        expect_packets_fit(out, 1500);
    }
}

// RFC 3376 4.2.16: IS_EX and TO_EX are truncated to what fits one report.
TEST(RecordPacking, TruncatesExcludeRecords) {
    for (auto t : {record_type::mode_is_exclude, record_type::change_to_exclude}) {
        const auto head = rec(record_type::allow_new_sources, v4_group(9), 1);
        const auto r = rec(t, v4_group(1), 1000);
        const auto out = pack_records(version::igmpv3, {head, r, head}, 1500);
        ASSERT_EQ(out.size(), 3u);
        EXPECT_EQ(out[0].records, std::vector{head});
        ASSERT_EQ(out[1].records.size(), 1u);
        EXPECT_EQ(out[1].records[0].type, t);
        EXPECT_EQ(out[1].records[0].sources,
                  std::vector<address>(r.sources.begin(), r.sources.begin() + 365));
        EXPECT_EQ(out[2].records, std::vector{head});  // did not fit beside the full one
        expect_packets_fit(out, 1500);
    }
}

TEST(RecordPacking, Ipv6Sizes) {
    // 1500 - 56 = 1444; (1444 - 20) / 16 = 89 sources per record.
    const auto r = rec(record_type::block_old_sources, v6_group(1), 200, true);
    const auto out = pack_records(version::mldv2, {r}, 1500);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0].ver, version::mldv2);
    EXPECT_EQ(out[0].records[0].sources.size(), 89u);
    EXPECT_EQ(out[1].records[0].sources.size(), 89u);
    EXPECT_EQ(out[2].records[0].sources.size(), 22u);
    expect_packets_fit(out, 1500);
    const auto ex = rec(record_type::change_to_exclude, v6_group(2), 200, true);
    const auto out2 = pack_records(version::mldv2, {ex}, 1500);
    ASSERT_EQ(out2.size(), 1u);
    EXPECT_EQ(out2[0].records[0].sources.size(), 89u);
}

TEST(RecordPacking, MtuIsClampedToProtocolMinimumAndMaximum) {
    // IPv4: 68 - 32 = 36 bytes: 7 sources per record.
    auto out = pack_records(version::igmpv3, {rec(record_type::allow_new_sources, v4_group(1), 10)}, 10);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].records[0].sources.size(), 7u);
    expect_packets_fit(out, 68);
    // IPv6: 1280 - 56 = 1224: 75 sources.
    out = pack_records(version::mldv2, {rec(record_type::allow_new_sources, v6_group(1), 100, true)}, 576);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].records[0].sources.size(), 75u);
    expect_packets_fit(out, 1280);
    // Above 65535: as if 65535. (65535 - 32 - 8) / 4 = 16373.
    out = pack_records(version::igmpv3, {rec(record_type::allow_new_sources, v4_group(1), 20000)}, 1u << 20);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].records[0].sources.size(), 16373u);
    expect_packets_fit(out, 65535);
}

TEST(RecordPacking, AuxDataKeptWhenItFitsDroppedOtherwise) {
    auto r = rec(record_type::allow_new_sources, v4_group(1), 2);
    r.aux_data = {1, 2, 3, 4};
    auto out = pack_records(version::igmpv3, {r}, 1500);
    EXPECT_EQ(out.at(0).records.at(0), r);
    r.aux_data.assign(28, 7);  // 8 + 28 + 4 > 36 bytes at MTU 68
    out = pack_records(version::igmpv3, {r}, 68);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out[0].records[0].aux_data.empty());
    EXPECT_EQ(out[0].records[0].sources, r.sources);
}

TEST(RecordPacking, LargeMixedInputEveryPacketFits) {
    std::vector<group_record> in;
    for (std::uint32_t i = 0; i < 300; ++i)
        in.push_back(rec(static_cast<record_type>(1 + i % 6), v4_group(i), (i * 37) % 500));
    for (std::size_t mtu : {68u, 576u, 1280u, 1500u, 9000u}) {
        const auto out = pack_records(version::igmpv3, in, mtu);
        expect_packets_fit(out, mtu);
        std::size_t groups = 0;
        for (const auto& r : out) groups += r.records.size();
        EXPECT_GE(groups, in.size());
    }
}
