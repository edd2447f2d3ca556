// SPDX-License-Identifier: GPL-2.0-or-later
// Interface monitor against real link and address changes in a fresh namespace.
#include "kernel/netns_fixture.hpp"
#include "mcproxy/kernel/link_monitor.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

using namespace mcproxy::kernel;
using mcproxy::net::address;
using kt::sh;

namespace {

address a(const char* s) { return *address::parse(s); }

class LinkMonitor : public kt::netns_test {
protected:
    void SetUp() override {
        kt::netns_test::SetUp();
        if (IsSkipped()) return;
        auto m = link_monitor::open();
        ASSERT_TRUE(m) << m.message();
        mon.emplace(std::move(*m));
    }

    // Reads events until one satisfies pred (bounded by time).
    template <class T, class P>
    std::optional<T> wait_for(P pred) {
        return kt::poll_for(mon->native_handle(), [&]() -> std::optional<T> {
            auto r = mon->read();
            if (!r) return std::nullopt;
            for (auto& e : *r)
                if (auto* x = std::get_if<T>(&e); x != nullptr && pred(*x)) return *x;
            return std::nullopt;
        });
    }

    std::optional<link_monitor> mon;
};

TEST_F(LinkMonitor, DumpListsLinksAndAddresses) {
    veth("veth0", "veth1");
    ASSERT_TRUE(sh("ip addr add 192.0.2.1/24 dev veth0"));
    ASSERT_TRUE(sh("ip addr add 2001:db8::1/64 dev veth0 nodad"));
    ASSERT_FALSE(kt::wait_link_local("veth0").empty());
    auto d = mon->dump();
    ASSERT_TRUE(d) << d.message();
    bool lo = false, veth0 = false, v4 = false, v6 = false, ll = false;
    for (const auto& e : *d) {
        if (auto* l = std::get_if<link_event>(&e)) {
            lo |= l->name == "lo" && l->up;
            if (l->name == "veth0") {
                veth0 = true;
                EXPECT_EQ(l->ifindex, kt::ifindex("veth0"));
                EXPECT_TRUE(l->up);
                EXPECT_TRUE(l->running);
                EXPECT_TRUE(l->multicast);
                EXPECT_EQ(l->mtu, 1500u);
            }
        } else if (auto* ad = std::get_if<address_event>(&e)) {
            if (ad->ifindex != kt::ifindex("veth0")) continue;
            v4 |= ad->address == a("192.0.2.1") && ad->prefix_len == 24 && ad->scope == RT_SCOPE_UNIVERSE;
            v6 |= ad->address == a("2001:db8::1") && ad->prefix_len == 64 && !ad->tentative;
            ll |= ad->address.is_v6_link_local_unicast() && ad->scope == RT_SCOPE_LINK;
        }
    }
    EXPECT_TRUE(lo);
    EXPECT_TRUE(veth0);
    EXPECT_TRUE(v4);
    EXPECT_TRUE(v6);
    EXPECT_TRUE(ll);
}

TEST_F(LinkMonitor, ReportsLinkAddedUpDownAndRemoved) {
    ASSERT_TRUE(sh("ip link add veth0 type veth peer name veth1"));
    auto added = wait_for<link_event>([](const link_event& l) { return l.name == "veth0"; });
    ASSERT_TRUE(added);
    EXPECT_EQ(added->what, link_event::kind::new_link);
    EXPECT_FALSE(added->up);
    const unsigned idx = added->ifindex;
    EXPECT_EQ(idx, kt::ifindex("veth0"));

    ASSERT_TRUE(sh("ip link set veth1 up && ip link set veth0 up"));
    auto up = wait_for<link_event>([&](const link_event& l) { return l.ifindex == idx && l.up && l.running; });
    ASSERT_TRUE(up) << "up and running after both ends are up";

    ASSERT_TRUE(sh("ip link set veth0 mtu 1400"));
    auto mtu = wait_for<link_event>([&](const link_event& l) { return l.ifindex == idx && l.mtu == 1400; });
    ASSERT_TRUE(mtu);

    ASSERT_TRUE(sh("ip link set veth1 down"));
    auto no_carrier = wait_for<link_event>([&](const link_event& l) { return l.ifindex == idx && l.up && !l.running; });
    ASSERT_TRUE(no_carrier) << "peer down: veth0 loses carrier";

    ASSERT_TRUE(sh("ip link set veth0 down"));
    auto down = wait_for<link_event>([&](const link_event& l) { return l.ifindex == idx && !l.up; });
    ASSERT_TRUE(down);

    ASSERT_TRUE(sh("ip link del veth0"));
    auto gone = wait_for<link_event>([&](const link_event& l) {
        return l.ifindex == idx && l.what == link_event::kind::del_link;
    });
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->name, "veth0");
}

TEST_F(LinkMonitor, ReportsAddressAddedAndRemoved) {
    veth("veth0", "veth1");
    const unsigned idx = kt::ifindex("veth0");
    ASSERT_TRUE(sh("ip addr add 198.51.100.7/24 dev veth0"));
    auto v4 = wait_for<address_event>([&](const address_event& e) { return e.address == a("198.51.100.7"); });
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->what, address_event::kind::added);
    EXPECT_EQ(v4->ifindex, idx);
    EXPECT_EQ(v4->prefix_len, 24u);

    ASSERT_TRUE(sh("ip addr add 2001:db8:5::7/64 dev veth0 nodad"));
    auto v6 = wait_for<address_event>([&](const address_event& e) { return e.address == a("2001:db8:5::7"); });
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->prefix_len, 64u);
    EXPECT_FALSE(v6->tentative);

    ASSERT_TRUE(sh("ip addr del 198.51.100.7/24 dev veth0"));
    auto del = wait_for<address_event>([&](const address_event& e) {
        return e.address == a("198.51.100.7") && e.what == address_event::kind::removed;
    });
    ASSERT_TRUE(del);
    ASSERT_TRUE(sh("ip addr del 2001:db8:5::7/64 dev veth0"));
    auto del6 = wait_for<address_event>([&](const address_event& e) {
        return e.address == a("2001:db8:5::7") && e.what == address_event::kind::removed;
    });
    ASSERT_TRUE(del6);
}

TEST(LinkMonitorParse, IgnoresTruncatedAndForeignMessages) {
    alignas(nlmsghdr) std::array<std::uint8_t, 64> buf{};
    nlmsghdr h{};
    h.nlmsg_type = RTM_NEWLINK;
    h.nlmsg_len = NLMSG_HDRLEN + 4;  // shorter than ifinfomsg
    std::memcpy(buf.data(), &h, sizeof h);
    EXPECT_FALSE(parse_interface_event(*reinterpret_cast<nlmsghdr*>(buf.data())));
    h.nlmsg_type = RTM_NEWADDR;
    h.nlmsg_len = NLMSG_HDRLEN + sizeof(ifaddrmsg);  // no address attribute
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET;
    std::memcpy(buf.data(), &h, sizeof h);
    std::memcpy(buf.data() + NLMSG_HDRLEN, &ifa, sizeof ifa);
    EXPECT_FALSE(parse_interface_event(*reinterpret_cast<nlmsghdr*>(buf.data())));
    h.nlmsg_type = RTM_NEWROUTE;
    std::memcpy(buf.data(), &h, sizeof h);
    EXPECT_FALSE(parse_interface_event(*reinterpret_cast<nlmsghdr*>(buf.data())));
}

TEST(NetlinkAttrs, StopsAtMalformedAttribute) {
    // Two attributes: a good u32, then one whose length runs past the end.
    std::vector<std::uint8_t> data{8, 0, 1, 0, 42, 0, 0, 0, 200, 0, 2, 0, 1, 2, 3, 4};
    int seen = 0;
    for_each_attr(data, [&](const netlink_attr& at) {
        ++seen;
        EXPECT_EQ(at.type, 1);
        EXPECT_EQ(at.payload.size(), 4u);
    });
    EXPECT_EQ(seen, 1);
}

}  // namespace
