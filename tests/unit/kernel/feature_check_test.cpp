// SPDX-License-Identifier: GPL-2.0-or-later
// The `-c` feature check on this kernel, in a fresh namespace.
#include "kernel/netns_fixture.hpp"
#include "mcproxy/kernel/feature_check.hpp"
#include "mcproxy/kernel/mroute4.hpp"

#include <algorithm>

using namespace mcproxy::kernel;

namespace {

const check_result* find(const std::vector<check_result>& rs, const std::string& prefix) {
    auto it = std::find_if(rs.begin(), rs.end(), [&](const check_result& r) { return r.name.rfind(prefix, 0) == 0; });
    return it == rs.end() ? nullptr : &*it;
}

class FeatureCheck : public kt::netns_test {};

TEST_F(FeatureCheck, ReportsEverythingOkOnThisKernel) {
    const auto rs = run_feature_checks();
    for (const char* name : {"privileges", "IPv4 multicast routing", "IPv6 multicast routing",
                             "multiple IPv4 multicast tables", "multiple IPv6 multicast tables",
                             "IPv4 multicast policy rules", "IPv6 multicast policy rules",
                             "IPv4 default multicast table free", "IPv6 default multicast table free"}) {
        const auto* r = find(rs, name);
        ASSERT_NE(r, nullptr) << name;
        EXPECT_TRUE(r->ok) << name << ": " << r->detail;
    }
    EXPECT_TRUE(required_checks_passed(rs)) << format_checks(rs);
    const auto* vifs = find(rs, "interfaces per instance");
    ASSERT_NE(vifs, nullptr);
    EXPECT_NE(vifs->detail.find("32"), std::string::npos);
    const auto* mem = find(rs, "net.ipv4.igmp_max_memberships");
    ASSERT_NE(mem, nullptr);
    EXPECT_NE(mem->detail.find(kt::read_file("/proc/sys/net/ipv4/igmp_max_memberships").substr(0, 2)), std::string::npos);
}

// The default limit (20 per socket) is fine: the daemon spreads its joins
// over several sockets, and -c says how many it needs.
TEST_F(FeatureCheck, LowMembershipLimitIsFineAndExplained) {
    ASSERT_TRUE(kt::sh("sysctl -qw net.ipv4.igmp_max_memberships=20"));
    const auto rs = run_feature_checks();
    const auto* mem = find(rs, "net.ipv4.igmp_max_memberships");
    ASSERT_NE(mem, nullptr);
    EXPECT_TRUE(mem->ok);
    EXPECT_FALSE(mem->required);
    EXPECT_NE(mem->detail.find("20 (per socket; mcproxy uses 4 socket(s)"), std::string::npos) << mem->detail;
    ASSERT_TRUE(kt::sh("sysctl -qw net.ipv4.igmp_max_memberships=0"));
    const auto rs0 = run_feature_checks();
    const auto* zero = find(rs0, "net.ipv4.igmp_max_memberships");
    ASSERT_NE(zero, nullptr);
    EXPECT_FALSE(zero->ok) << "no group can be joined at all";
    EXPECT_NE(zero->hint.find("sysctl -w net.ipv4.igmp_max_memberships="), std::string::npos) << zero->hint;
}

TEST_F(FeatureCheck, BusyDefaultTableIsReportedWithoutDisturbingIt) {
    auto owner = mroute4::open();
    ASSERT_TRUE(owner) << owner.message();
    ASSERT_TRUE(kt::sh("ip link add veth0 type veth peer name veth1"));
    ASSERT_TRUE(owner->add_vif(kt::ifindex("veth0")));
    const auto rs = run_feature_checks();
    const auto* busy = find(rs, "IPv4 default multicast table free");
    ASSERT_NE(busy, nullptr);
    EXPECT_FALSE(busy->ok);
    EXPECT_NE(busy->detail.find("in use by another multicast router"), std::string::npos) << busy->detail;
    EXPECT_NE(busy->hint.find("own table"), std::string::npos);
    const auto* support = find(rs, "IPv4 multicast routing");
    ASSERT_NE(support, nullptr);
    EXPECT_TRUE(support->ok) << "kernel support is probed in a scratch namespace";
    EXPECT_NE(kt::read_file("/proc/thread-self/net/ip_mr_vif").find("veth0"), std::string::npos)
        << "the running owner's VIF must survive the check";
    EXPECT_NE(format_checks(rs).find("[FAILED] IPv4 default multicast table free (optional): in use"),
              std::string::npos);
}

TEST(FeatureCheckFormat, OneLinePerCheckWithHintOnFailure) {
    std::vector<check_result> rs{{"a", true, true, "works", "unused"}, {"b", false, true, "broken", "fix it"},
                                 {"c", false, false, "", "tune"}};
    EXPECT_EQ(format_checks(rs), "[ OK ] a: works\n[FAILED] b: broken -> fix it\n[FAILED] c (optional) -> tune\n");
    EXPECT_FALSE(required_checks_passed(rs));
    rs[1].ok = true;
    EXPECT_TRUE(required_checks_passed(rs));
}

}  // namespace
