// SPDX-License-Identifier: GPL-2.0-or-later
// ifindex <-> VIF map and upcall parsing (no kernel needed).
#include "mcproxy/kernel/upcall.hpp"
#include "mcproxy/kernel/vif_table.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <linux/mroute.h>
#include <linux/mroute6.h>

#include <cstring>
#include <vector>

using namespace mcproxy::kernel;
using mcproxy::net::address;

namespace {

address a(const char* s) { return *address::parse(s); }

TEST(VifTable, AllocatesLowestFreeAndReuses) {
    vif_table t;
    EXPECT_EQ(t.allocate(7), 0);
    EXPECT_EQ(t.allocate(9), 1);
    EXPECT_EQ(t.allocate(7), 0) << "same ifindex keeps its VIF";
    EXPECT_EQ(t.size(), 2u);
    EXPECT_TRUE(t.release(7));
    EXPECT_FALSE(t.release(7));
    EXPECT_EQ(t.allocate(11), 0) << "lowest free VIF reused";
    EXPECT_EQ(t.ifindex_of(1), 9u);
    EXPECT_FALSE(t.ifindex_of(2));
    EXPECT_FALSE(t.ifindex_of(999));
    EXPECT_FALSE(t.allocate(0)) << "ifindex 0 is never an interface";
}

TEST(VifTable, HoldsExactlyThirtyTwo) {
    vif_table t;
    for (unsigned i = 1; i <= max_vifs; ++i) ASSERT_TRUE(t.allocate(100 + i)) << i;
    EXPECT_FALSE(t.allocate(1000));
    EXPECT_EQ(t.size(), max_vifs);
}

TEST(Upcall, ParsesIgmpmsgNocacheAndWrongvif) {
    vif_table vifs;
    vifs.allocate(4);
    vifs.allocate(8);
    igmpmsg m{};
    m.im_msgtype = IGMPMSG_WRONGVIF;
    m.im_vif = 1;
    auto s = a("198.51.100.10"), g = a("239.1.2.3");
    std::memcpy(&m.im_src, s.data(), 4);
    std::memcpy(&m.im_dst, g.data(), 4);
    std::vector<std::uint8_t> b(sizeof m);
    std::memcpy(b.data(), &m, sizeof m);
    ASSERT_TRUE(is_upcall4(b));
    auto u = parse_upcall4(b, vifs);
    ASSERT_TRUE(u);
    EXPECT_EQ(*u, (upcall{upcall_kind::wrong_vif, 8, s, g}));
    b[offsetof(igmpmsg, im_msgtype)] = IGMPMSG_NOCACHE;
    EXPECT_EQ(parse_upcall4(b, vifs)->kind, upcall_kind::nocache);
    b[offsetof(igmpmsg, im_vif)] = 5;  // unknown VIF
    EXPECT_EQ(parse_upcall4(b, vifs)->ifindex, 0u);
    b[offsetof(igmpmsg, im_msgtype)] = 99;
    EXPECT_FALSE(parse_upcall4(b, vifs));
    b[offsetof(igmpmsg, im_mbz)] = IPPROTO_IGMP;  // a real IP header
    EXPECT_FALSE(is_upcall4(b));
    b.resize(sizeof m - 1);
    EXPECT_FALSE(parse_upcall4(b, vifs));
}

TEST(Upcall, ParsesMrt6msg) {
    vif_table mifs;
    mifs.allocate(3);
    mrt6msg m{};
    m.im6_msgtype = MRT6MSG_NOCACHE;
    m.im6_mif = 0;
    auto s = a("2001:db8::10"), g = a("ff3e::1");
    std::memcpy(&m.im6_src, s.data(), 16);
    std::memcpy(&m.im6_dst, g.data(), 16);
    std::vector<std::uint8_t> b(sizeof m);
    std::memcpy(b.data(), &m, sizeof m);
    auto u = parse_upcall6(b, mifs);
    ASSERT_TRUE(u);
    EXPECT_EQ(*u, (upcall{upcall_kind::nocache, 3, s, g}));
    b[0] = 130;  // an MLD query, not an upcall
    EXPECT_FALSE(parse_upcall6(b, mifs));
    b[0] = 0;
    b.resize(39);
    EXPECT_FALSE(parse_upcall6(b, mifs));
}

}  // namespace
