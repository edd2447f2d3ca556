// SPDX-License-Identifier: GPL-2.0-or-later
// The filter questions by role and direction (doc/filters.md), one row per case,
// including a peering interface with all four filters.
#include <gtest/gtest.h>

#include "core/filter_test_util.hpp"
#include "mcproxy/core/filter_policy.hpp"

namespace mcproxy::core {
namespace {

using namespace filter_test;

constexpr if_index up = 1, peer = 2, d1 = 11, d2 = 12;
const char* const G = "239.1.1.1";

// Every filter denies exactly one source, so each row shows which filter
// a decision consults.
filter_policy policy() {
    filter_settings f;
    f.upstream[up] = {blacklist({rule("*", "192.0.2.1")}), blacklist({rule("*", "192.0.2.2")})};
    f.upstream[peer] = {blacklist({rule("*", "192.0.2.3")}), blacklist({rule("*", "192.0.2.4")})};
    f.downstream[peer] = {blacklist({rule("*", "192.0.2.5")}), blacklist({rule("*", "192.0.2.6")})};
    f.downstream[d1] = {blacklist({rule("*", "192.0.2.7")}), blacklist({rule("*", "192.0.2.8")})};
    return filter_policy(f, {up, peer}, {peer, d1, d2});
}

struct output_row {
    const char* name;
    const char* source;
    if_index input;
    if_index output;
    bool allowed;
};

void PrintTo(const output_row& r, std::ostream* os) { *os << r.name; }

class FilterPolicyOutput : public ::testing::TestWithParam<output_row> {};

TEST_P(FilterPolicyOutput, Row) {
    const auto& r = GetParam();
    EXPECT_EQ(policy().allow_output({ip(r.source), ip(G)}, r.input, r.output), r.allowed) << r.name;
}

const output_row output_rows[] = {
    {"other source passes", "198.51.100.1", up, d1, true},
    {"upstream in refuses data arriving on it", "192.0.2.1", up, d1, false},
    {"upstream out refuses local data going to it", "192.0.2.2", d1, up, false},
    {"upstream out does not apply to data from elsewhere", "192.0.2.2", up, d1, true},
    {"downstream in refuses local data from it", "192.0.2.7", d1, up, false},
    {"downstream out refuses data going to it", "192.0.2.8", up, d1, false},
    {"peering: upstream in applies to data arriving", "192.0.2.3", peer, d1, false},
    {"peering: downstream in applies to data arriving", "192.0.2.5", peer, d1, false},
    {"peering: downstream out applies to data leaving", "192.0.2.6", up, peer, false},
    {"peering: upstream out applies to local data leaving", "192.0.2.4", d1, peer, false},
    {"peering: upstream out not for upstream data (transit)", "192.0.2.4", up, peer, true},
    {"no filter on d2", "192.0.2.9", up, d2, true},
};

INSTANTIATE_TEST_SUITE_P(Rows, FilterPolicyOutput, ::testing::ValuesIn(output_rows));

TEST(FilterPolicy, Roles) {
    const filter_policy p = policy();
    EXPECT_TRUE(p.is_peering(peer));
    EXPECT_FALSE(p.is_peering(up));
    EXPECT_FALSE(p.is_peering(d1));
    EXPECT_TRUE(p.has_peering());
    EXPECT_TRUE(p.has_filters());
    EXPECT_TRUE(p.has_downstream_out());
    EXPECT_FALSE(filter_policy({}, {up}, {d1}).has_filters());
}

TEST(FilterPolicy, PeeringSplitHorizonInTheMerge) {
    const filter_policy p = policy();
    // The peer's wish never counts toward a peering upstream (itself included)...
    EXPECT_TRUE(p.downstream_view(peer, ip(G), exc({}), peer).empty());
    // ...but does toward a pure upstream, through its downstream out filter.
    EXPECT_EQ(p.downstream_view(peer, ip(G), exc({}), up), exc({"192.0.2.6"}));
    // A pure downstream counts everywhere.
    EXPECT_EQ(p.downstream_view(d1, ip(G), exc({}), peer), exc({"192.0.2.8"}));
    EXPECT_EQ(p.upstream_view(peer, ip(G), exc({})), exc({"192.0.2.3"}));
}

}  // namespace
}  // namespace mcproxy::core
