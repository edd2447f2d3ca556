// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/net/address.hpp"
#include "mcproxy/net/address_set.hpp"

#include <gtest/gtest.h>

using mcproxy::net::address;
using mcproxy::net::address_set;

namespace {
address a(const char* s) { return *address::parse(s); }
}  // namespace

TEST(Address, ParsesAndFormatsBothFamilies) {
    EXPECT_EQ(a("192.0.2.1").to_string(), "192.0.2.1");
    EXPECT_EQ(a("2001:db8:0::1").to_string(), "2001:db8::1");
    EXPECT_FALSE(address::parse("192.0.2.256"));
    EXPECT_FALSE(address::parse("2001:db8:::1"));
    EXPECT_FALSE(address::parse(""));
    EXPECT_EQ(a("192.0.2.1").v4_host_order(), 0xC0000201u);
}

TEST(Address, OrdersV4BeforeV6ThenNumerically) {
    EXPECT_LT(a("192.0.2.1"), a("192.0.2.2"));
    EXPECT_LT(a("198.51.100.9"), a("203.0.113.1"));
    EXPECT_LT(a("255.255.255.255"), a("::"));
    EXPECT_LT(a("fe80::1"), a("fe80::2"));
}

TEST(Address, ClassifiesMulticastScopes) {
    EXPECT_TRUE(a("239.1.1.1").is_multicast());
    EXPECT_FALSE(a("192.0.2.1").is_multicast());
    EXPECT_TRUE(a("224.0.0.22").is_link_local_multicast());
    EXPECT_FALSE(a("224.0.1.1").is_link_local_multicast());
    EXPECT_TRUE(a("ff02::16").is_link_local_multicast());
    EXPECT_TRUE(a("ff01::1").is_link_local_multicast());
    EXPECT_FALSE(a("ff05::1").is_link_local_multicast());
    EXPECT_TRUE(a("232.1.1.1").is_ssm());
    EXPECT_FALSE(a("239.1.1.1").is_ssm());
    EXPECT_TRUE(a("ff3e::1234").is_ssm());
    EXPECT_FALSE(a("ff3e:40:2001:db8::1").is_ssm());  // RFC 3306 prefix-based, not SSM
    EXPECT_TRUE(a("fe80::1").is_v6_link_local_unicast());
}

TEST(Address, MasksAndSteps) {
    EXPECT_EQ(a("239.1.2.3").masked(16), a("239.1.0.0"));
    EXPECT_EQ(a("239.1.2.3").masked(20), a("239.1.0.0"));
    EXPECT_EQ(a("239.1.255.3").masked(20), a("239.1.240.0"));
    EXPECT_EQ(a("ff05::ffff").masked(120), a("ff05::ff00"));
    EXPECT_EQ(a("239.1.1.255").next(), a("239.1.2.0"));
    EXPECT_EQ(a("239.1.2.0").prev(), a("239.1.1.255"));
}

TEST(AddressSet, OperatorsMatchSetAlgebra) {
    const address_set x{a("192.0.2.1"), a("192.0.2.2"), a("192.0.2.3")};
    const address_set y{a("192.0.2.3"), a("192.0.2.4")};
    EXPECT_EQ(x + y, (address_set{a("192.0.2.1"), a("192.0.2.2"), a("192.0.2.3"), a("192.0.2.4")}));
    EXPECT_EQ(x * y, (address_set{a("192.0.2.3")}));
    EXPECT_EQ(x - y, (address_set{a("192.0.2.1"), a("192.0.2.2")}));
    EXPECT_EQ(y - x, (address_set{a("192.0.2.4")}));
    address_set z(std::vector<address>{a("192.0.2.2"), a("192.0.2.1"), a("192.0.2.2")});
    EXPECT_EQ(z.size(), 2u);
    EXPECT_TRUE(z.insert(a("192.0.2.0")));
    EXPECT_FALSE(z.insert(a("192.0.2.0")));
    EXPECT_TRUE(z.erase(a("192.0.2.1")));
    EXPECT_EQ(z.to_string(), "{192.0.2.0, 192.0.2.2}");
}
