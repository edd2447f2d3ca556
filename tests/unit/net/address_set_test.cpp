// SPDX-License-Identifier: GPL-2.0-or-later
// address_set: sorted and duplicate-free, copies share one block until one
// of them changes (copy on write), and every operation agrees with std::set
// over random sequences.
#include "mcproxy/net/address_set.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

using mcproxy::net::address;
using mcproxy::net::address_set;

namespace {

address v4(unsigned i) { return *address::parse("198.18." + std::to_string(i / 250) + "." + std::to_string(i % 250)); }

std::vector<address> as_vector(const std::set<address>& s) { return {s.begin(), s.end()}; }

TEST(AddressSet, SortsAndRemovesDuplicates) {
    const address_set s{v4(3), v4(1), v4(3), v4(2)};
    EXPECT_EQ(s.to_vector(), (std::vector<address>{v4(1), v4(2), v4(3)}));
    EXPECT_EQ(s.to_string(), "{198.18.0.1, 198.18.0.2, 198.18.0.3}");
    EXPECT_TRUE(address_set{}.empty());
    EXPECT_EQ(address_set{}.heap_bytes(), 0u) << "an empty set holds no block";
}

TEST(AddressSet, CopiesShareUntilOneChanges) {
    address_set a{v4(1), v4(2)};
    address_set b = a;
    EXPECT_EQ(a.begin(), b.begin()) << "one block";
    EXPECT_TRUE(b.insert(v4(3)));
    EXPECT_NE(a.begin(), b.begin());
    EXPECT_EQ(a.to_vector(), (std::vector<address>{v4(1), v4(2)})) << "the original is untouched";
    EXPECT_EQ(b.size(), 3u);
    address_set c = b;
    EXPECT_TRUE(c.erase(v4(1)));
    EXPECT_EQ(b.size(), 3u);
    EXPECT_EQ(c.to_vector(), (std::vector<address>{v4(2), v4(3)}));
    c = a;  // assignment shares too
    EXPECT_EQ(c.begin(), a.begin());
    a.clear();
    EXPECT_EQ(c.size(), 2u) << "the block lives while one set holds it";
}

TEST(AddressSet, OperatorsOnTheSameBlock) {
    const address_set a{v4(1), v4(2)};
    const address_set b = a;
    EXPECT_EQ(a + b, a);
    EXPECT_EQ(a * b, a);
    EXPECT_TRUE((a - b).empty());
    EXPECT_EQ((a + address_set{}).begin(), a.begin()) << "a union with nothing shares";
}

TEST(AddressSet, EraseToEmptyAndSelfAssignment) {
    address_set a{v4(1)};
    EXPECT_FALSE(a.erase(v4(2)));
    EXPECT_TRUE(a.erase(v4(1)));
    EXPECT_TRUE(a.empty());
    address_set b{v4(5)};
    const address_set& alias = b;
    b = alias;
    EXPECT_EQ(b.to_vector(), std::vector<address>{v4(5)}) << "self-assignment keeps the set";
}

// Random operations on a handful of sets, each mirrored in std::set; copies
// between the sets make blocks shared, so a write through one that leaked
// into another shows up as a mismatch.
TEST(AddressSet, RandomOperationsAgreeWithStdSet) {
    std::mt19937 rng(11);
    constexpr int n = 6;
    std::vector<address_set> sets(n);
    std::vector<std::set<address>> model(n);
    for (int step = 0; step < 20000; ++step) {
        const auto i = static_cast<std::size_t>(rng() % n);
        const auto j = static_cast<std::size_t>(rng() % n);
        const address x = v4(static_cast<unsigned>(rng() % 40));
        switch (rng() % 7) {
            case 0: EXPECT_EQ(sets[i].insert(x), model[i].insert(x).second); break;
            case 1: EXPECT_EQ(sets[i].erase(x), model[i].erase(x) == 1); break;
            case 2: sets[i] = sets[j]; model[i] = model[j]; break;
            case 3: {
                sets[i] += sets[j];
                model[i].insert(model[j].begin(), model[j].end());
                break;
            }
            case 4: {
                sets[i] -= sets[j];
                const std::set<address> minus = model[j];  // j may be i
                for (const auto& y : minus) model[i].erase(y);
                break;
            }
            case 5: {
                sets[i] = sets[i] * sets[j];
                std::set<address> r;
                for (const auto& y : model[i])
                    if (model[j].contains(y)) r.insert(y);
                model[i] = r;
                break;
            }
            default: sets[i].clear(); model[i].clear(); break;
        }
        for (int k = 0; k < n; ++k) {
            ASSERT_EQ(sets[static_cast<std::size_t>(k)].to_vector(), as_vector(model[static_cast<std::size_t>(k)]))
                << "step " << step;
        }
        EXPECT_EQ(sets[i] == sets[j], model[i] == model[j]);
        EXPECT_EQ(sets[i].contains(x), model[i].contains(x));
    }
}

}  // namespace
