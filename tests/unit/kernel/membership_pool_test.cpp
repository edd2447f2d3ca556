// SPDX-License-Identifier: GPL-2.0-or-later
// Memberships beyond net.ipv4.igmp_max_memberships per socket: the pool
// opens further sockets, so a proxy with many downstreams joins them all.
#include "kernel/netns_fixture.hpp"
#include "mcproxy/kernel/membership_pool.hpp"

using namespace mcproxy;

namespace {

class MembershipPool : public kt::netns_test {};

net::address grp(const char* s) { return *net::address::parse(s); }

/// How many interfaces have `group` (hex, as /proc/net/igmp writes it) joined.
int interfaces_with(const std::string& hex_group) {
    const std::string igmp = kt::read_file("/proc/net/igmp");
    int n = 0;
    for (std::size_t pos = 0; (pos = igmp.find(hex_group, pos)) != std::string::npos; ++pos) ++n;
    return n;
}

}  // namespace

TEST_F(MembershipPool, JoinsMoreGroupsThanOneSocketMayHold) {
    ASSERT_TRUE(kt::sh("sysctl -qw net.ipv4.igmp_max_memberships=20"));
    constexpr int links = 15;  // 30 memberships: more than 20
    for (int i = 0; i < links; ++i) veth("m" + std::to_string(i), "p" + std::to_string(i));
    kernel::membership_pool pool;
    for (int i = 0; i < links; ++i) {
        const unsigned idx = kt::ifindex("m" + std::to_string(i));
        ASSERT_TRUE(pool.join(idx, grp("224.0.0.22")).ok()) << i;
        ASSERT_TRUE(pool.join(idx, grp("224.0.0.2")).ok()) << i;
    }
    EXPECT_EQ(pool.memberships(), 30u);
    EXPECT_EQ(pool.sockets(), 2u);
    // /proc/net/igmp shows groups in host byte order hex: 224.0.0.22 = 160000E0.
    EXPECT_EQ(interfaces_with("160000E0"), links);
    // Joining twice is harmless; leaving frees the membership.
    EXPECT_TRUE(pool.join(kt::ifindex("m0"), grp("224.0.0.22")).ok());
    EXPECT_EQ(pool.memberships(), 30u);
    for (int i = 0; i < links; ++i) EXPECT_TRUE(pool.leave(kt::ifindex("m" + std::to_string(i)), grp("224.0.0.22")).ok());
    EXPECT_EQ(interfaces_with("160000E0"), 0);
    EXPECT_EQ(pool.memberships(), 15u);
}

TEST_F(MembershipPool, RefusesNonMulticastAndSurvivesVanishedInterfaces) {
    veth("m0", "p0");
    kernel::membership_pool pool;
    EXPECT_EQ(pool.join(kt::ifindex("m0"), grp("198.51.100.1")).code(), std::errc::invalid_argument);
    const unsigned idx = kt::ifindex("m0");
    ASSERT_TRUE(pool.join(idx, grp("224.0.0.22")).ok());
    ASSERT_TRUE(kt::sh("ip link del m0"));
    EXPECT_TRUE(pool.leave(idx, grp("224.0.0.22")).ok());
    EXPECT_EQ(pool.memberships(), 0u);
}
