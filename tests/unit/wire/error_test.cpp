// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/error.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace mcproxy::wire;

// The names are counter labels: they must stay exactly these.
TEST(WireError, StableNames) {
    const std::pair<error, const char*> rows[] = {
        {error::truncated, "truncated"},
        {error::bad_length, "bad_length"},
        {error::bad_count, "bad_count"},
        {error::bad_checksum, "bad_checksum"},
        {error::unknown_type, "unknown_type"},
        {error::not_multicast, "not_multicast"},
        {error::fragment, "fragment"},
        {error::bad_ip_header, "bad_ip_header"},
        {error::wrong_protocol, "wrong_protocol"},
        {error::bad_ext_header, "bad_ext_header"},
        {error::wrong_version, "wrong_version"},
        {error::wrong_family, "wrong_family"},
        {error::too_many_sources, "too_many_sources"},
        {error::bad_aux_data, "bad_aux_data"},
    };
    std::set<std::string> seen;
    for (const auto& [e, name] : rows) {
        EXPECT_STREQ(to_string(e), name);
        EXPECT_TRUE(seen.insert(name).second);
    }
    EXPECT_STREQ(to_string(static_cast<error>(200)), "unknown");
}

TEST(WireError, ResultHoldsValueOrError) {
    result<int> good = 42;
    ASSERT_TRUE(good.ok());
    EXPECT_TRUE(static_cast<bool>(good));
    EXPECT_EQ(*good, 42);
    result<int> bad = error::bad_checksum;
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.err(), error::bad_checksum);
    EXPECT_THROW(static_cast<void>(bad.value()), std::bad_optional_access);
}
