// SPDX-License-Identifier: GPL-2.0-or-later
// rp_filter changes are undone per interface, in a fresh namespace.
#include "kernel/netns_fixture.hpp"
#include "mcproxy/kernel/rp_filter.hpp"

using namespace mcproxy::kernel;
using kt::sh;

namespace {

class RpFilter : public kt::netns_test {
protected:
    void SetUp() override {
        kt::netns_test::SetUp();
        if (IsSkipped()) return;
        veth("veth0", "veth1");
        ASSERT_TRUE(sh("sysctl -qw net.ipv4.conf.veth0.rp_filter=1 net.ipv4.conf.veth1.rp_filter=2"));
    }
    static std::string value(const std::string& ifname) {
        return kt::read_file("/proc/sys/net/ipv4/conf/" + ifname + "/rp_filter");
    }
};

TEST_F(RpFilter, ReadsAndWrites) {
    auto v = read_rp_filter("veth0");
    ASSERT_TRUE(v) << v.message();
    EXPECT_EQ(*v, 1);
    ASSERT_TRUE(write_rp_filter("veth0", 2));
    EXPECT_EQ(value("veth0"), "2\n");
    EXPECT_FALSE(write_rp_filter("veth0", 3));
}

TEST_F(RpFilter, GuardRestoresEachInterfacesOwnValue) {
    const std::string all_before = value("all");
    {
        rp_filter_guard g;
        ASSERT_TRUE(g.set("all"));
        ASSERT_TRUE(g.set("veth0"));
        ASSERT_TRUE(g.set("veth1"));
        ASSERT_TRUE(g.set("veth1", 0));  // second set keeps the first saved value
        EXPECT_EQ(value("veth0"), "0\n");
        EXPECT_EQ(value("veth1"), "0\n");
        EXPECT_EQ(value("all"), "0\n");
        EXPECT_EQ(g.saved().size(), 3u);
    }
    EXPECT_EQ(value("veth0"), "1\n");
    EXPECT_EQ(value("veth1"), "2\n");
    EXPECT_EQ(value("all"), all_before);
}

TEST_F(RpFilter, RestoreSkipsVanishedInterface) {
    rp_filter_guard g;
    ASSERT_TRUE(g.set("veth0"));
    ASSERT_TRUE(sh("ip link del veth0"));  // takes veth1 with it
    EXPECT_TRUE(g.restore());
    EXPECT_TRUE(g.saved().empty());
}

TEST_F(RpFilter, MovedGuardRestoresOnce) {
    rp_filter_guard outer;
    {
        rp_filter_guard inner;
        ASSERT_TRUE(inner.set("veth0"));
        outer = std::move(inner);
    }
    EXPECT_EQ(value("veth0"), "0\n") << "moved-from guard must not restore";
    ASSERT_TRUE(outer.restore());
    EXPECT_EQ(value("veth0"), "1\n");
}

TEST(RpFilterNames, RefusesPathTricks) {
    for (const char* bad : {"", "..", "../all", "a/b", "0123456789abcdefXYZ"}) {
        auto r = read_rp_filter(bad);
        EXPECT_FALSE(r) << bad;
        EXPECT_EQ(r.code(), std::error_code(EINVAL, std::system_category())) << bad;
    }
    EXPECT_FALSE(read_rp_filter("no-such-if0"));
}

}  // namespace
