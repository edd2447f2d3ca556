// SPDX-License-Identifier: GPL-2.0-or-later
// Multicast policy rules through rtnetlink, checked with `ip mrule` in a fresh namespace.
#include "kernel/netns_fixture.hpp"
#include "mcproxy/kernel/mroute4.hpp"
#include "mcproxy/kernel/mroute6.hpp"
#include "mcproxy/kernel/policy_rules.hpp"

#include <algorithm>
#include <cstdio>

using namespace mcproxy::kernel;
using mcproxy::net::family;
using kt::sh;

namespace {

std::string command_output(const std::string& cmd) {
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return {};
    std::string text;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p) != nullptr) text += buf;
    ::pclose(p);
    return text;
}

class PolicyRules : public kt::netns_test {
protected:
    void SetUp() override {
        kt::netns_test::SetUp();
        if (IsSkipped()) return;
        veth("veth0", "veth1");
        auto r = policy_rules::open();
        ASSERT_TRUE(r) << r.message();
        rules.emplace(std::move(*r));
    }
    std::optional<policy_rules> rules;
};

TEST_F(PolicyRules, DumpShowsKernelDefaultRule) {
    for (auto fam : {family::ipv4, family::ipv6}) {
        auto d = rules->dump(fam);
        ASSERT_TRUE(d) << d.message();
        // The kernel installs "from all lookup <default table>" at 32767 with
        // protocol "kernel" (table 253 for IPv4; 254, shown as "main", for IPv6).
        const std::uint32_t table = fam == family::ipv4 ? 253 : 254;
        EXPECT_TRUE(std::any_of(d->begin(), d->end(), [&](const mroute_rule& r) {
            return r.table == table && r.priority == 32767 && r.iif.empty() && r.oif.empty() && r.protocol == 2;
        })) << mcproxy::net::to_string(fam);
    }
}

TEST_F(PolicyRules, AddListRemoveIpv4) {
    mroute_rule in{family::ipv4, 10, "veth0", "", 20000};
    mroute_rule out{family::ipv4, 10, "", "veth0", 20001};
    ASSERT_TRUE(rules->add(in)) << rules->add(in).message();
    ASSERT_TRUE(rules->add(out));
    auto text = command_output("ip -4 mrule show");
    EXPECT_NE(text.find("20000:\tfrom all iif veth0 lookup 10"), std::string::npos) << text;
    EXPECT_NE(text.find("20001:\tfrom all oif veth0 lookup 10"), std::string::npos) << text;
    auto d = rules->dump(family::ipv4);
    ASSERT_TRUE(d);
    EXPECT_NE(std::find(d->begin(), d->end(), in), d->end());
    EXPECT_NE(std::find(d->begin(), d->end(), out), d->end());
    auto dup = rules->add(in);
    EXPECT_EQ(dup.code(), std::error_code(EEXIST, std::system_category())) << dup.message();
    ASSERT_TRUE(rules->remove(in));
    ASSERT_TRUE(rules->remove(out));
    text = command_output("ip -4 mrule show");
    EXPECT_EQ(text.find("lookup 10"), std::string::npos) << text;
    EXPECT_FALSE(rules->remove(in));
}

TEST_F(PolicyRules, AddListRemoveIpv6WithLargeTable) {
    mroute_rule in{family::ipv6, 100000, "veth0", "", 20010};
    ASSERT_TRUE(rules->add(in));
    auto text = command_output("ip -6 mrule show");
    EXPECT_NE(text.find("20010:\tfrom all iif veth0 lookup 100000"), std::string::npos) << text;
    auto d = rules->dump(family::ipv6);
    ASSERT_TRUE(d);
    EXPECT_NE(std::find(d->begin(), d->end(), in), d->end());
    ASSERT_TRUE(rules->remove(in));
    EXPECT_EQ(command_output("ip -6 mrule show").find("100000"), std::string::npos);
}

TEST_F(PolicyRules, RemoveStaleTakesOnlyOurTaggedRules) {
    // Left by a "crashed" earlier run (our tag) and by somebody else.
    ASSERT_TRUE(rules->add({family::ipv4, 11, "veth0", "", 20100}));
    ASSERT_TRUE(rules->add({family::ipv4, 11, "", "veth1", 20101}));
    ASSERT_TRUE(sh("ip -4 mrule add iif veth1 lookup 12 pref 20200"));
    ASSERT_TRUE(rules->add({family::ipv6, 11, "veth0", "", 20100}));
    auto n = rules->remove_stale(family::ipv4);
    ASSERT_TRUE(n) << n.message();
    EXPECT_EQ(*n, 2u);
    auto text = command_output("ip -4 mrule show");
    EXPECT_EQ(text.find("lookup 11"), std::string::npos) << text;
    EXPECT_NE(text.find("iif veth1 lookup 12"), std::string::npos) << "foreign rule kept: " << text;
    EXPECT_NE(command_output("ip -6 mrule show").find("lookup 11"), std::string::npos) << "other family untouched";
    auto n6 = rules->remove_stale(family::ipv6);
    ASSERT_TRUE(n6);
    EXPECT_EQ(*n6, 1u);
    auto again = rules->remove_stale(family::ipv4);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, 0u);
}

// Without a rule, traffic from veth0 is looked up in the default table;
// with "iif veth0 lookup 10" it reaches the socket that owns table 10.
TEST_F(PolicyRules, RuleSteersTrafficToInstanceTableIpv4) {
    auto m = mroute4::open(10);
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_vif(kt::ifindex("veth0")));
    ASSERT_TRUE(sh("ip addr add 198.51.100.1/24 dev veth0"));
    kt::link_socket inject("veth1", ETH_P_IP);
    const auto pkt = kt::ipv4("198.51.100.10", "239.2.2.2", IPPROTO_UDP, 8, kt::udp_payload(10));
    ASSERT_TRUE(inject.send(pkt));
    EXPECT_FALSE(kt::wait_readable(m->native_handle(), 200)) << "no rule yet: table 10 must not see it";
    ASSERT_TRUE(rules->add({family::ipv4, 10, "veth0", "", 20000}));
    ASSERT_TRUE(inject.send(pkt));
    auto u = kt::poll_for(m->native_handle(), [&]() -> std::optional<upcall> {
        auto r = m->receive();
        if (!r || !*r) return std::nullopt;
        if (auto* x = std::get_if<upcall>(&**r)) return *x;
        return std::nullopt;
    });
    ASSERT_TRUE(u);
    EXPECT_EQ(u->kind, upcall_kind::nocache);
    EXPECT_EQ(u->ifindex, kt::ifindex("veth0"));
}

TEST_F(PolicyRules, RuleSteersTrafficToInstanceTableIpv6) {
    auto m = mroute6::open(10);
    ASSERT_TRUE(m) << m.message();
    ASSERT_TRUE(m->add_mif(kt::ifindex("veth0")));
    kt::link_socket inject("veth1", ETH_P_IPV6);
    auto u6 = kt::udp_payload(10);
    kt::put16(u6, 6, kt::checksum6("2001:db8:1::10", "ff3e::2", IPPROTO_UDP, u6));
    const auto pkt = kt::ipv6("2001:db8:1::10", "ff3e::2", IPPROTO_UDP, 8, u6);
    ASSERT_TRUE(inject.send(pkt));
    EXPECT_FALSE(kt::wait_readable(m->native_handle(), 200)) << "no rule yet: table 10 must not see it";
    ASSERT_TRUE(rules->add({family::ipv6, 10, "veth0", "", 20000}));
    ASSERT_TRUE(inject.send(pkt));
    auto u = kt::poll_for(m->native_handle(), [&]() -> std::optional<upcall> {
        auto r = m->receive();
        if (!r || !*r) return std::nullopt;
        return **r;
    });
    ASSERT_TRUE(u);
    EXPECT_EQ(u->group, *mcproxy::net::address::parse("ff3e::2"));
    EXPECT_EQ(u->ifindex, kt::ifindex("veth0"));
}

TEST_F(PolicyRules, RejectsOverlongInterfaceName) {
    auto s = rules->add({family::ipv4, 10, "an-interface-name-too-long", "", 20000});
    EXPECT_FALSE(s);
    EXPECT_NE(s.message().find("too long"), std::string::npos);
}

}  // namespace
