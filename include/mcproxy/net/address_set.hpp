// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Sorted set of addresses with the set operators the RFC tables use.
#pragma once

#include <initializer_list>
#include <vector>

#include "mcproxy/net/address.hpp"

namespace mcproxy::net {

/// @brief A sorted, duplicate-free set of addresses.
///
/// The operators read like the RFC 3376 6.4 / RFC 3810 7.4 tables:
/// `a + b` union, `a * b` intersection, `a - b` difference. A sorted vector
/// keeps source lists compact (16+1 bytes per entry, no node overhead) and
/// makes every operator a linear merge.
class address_set {
public:
    /// @brief Iterates the addresses in ascending order.
    using const_iterator = std::vector<address>::const_iterator;

    address_set() = default;
    /// @brief From a braced list; sorts and removes duplicates.
    address_set(std::initializer_list<address> l);
    /// @brief From any list; sorts and removes duplicates.
    explicit address_set(std::vector<address> v);

    bool empty() const { return items_.empty(); }  ///< whether there is no address
    std::size_t size() const { return items_.size(); }  ///< number of addresses
    const_iterator begin() const { return items_.begin(); }  ///< iterator to the smallest address
    const_iterator end() const { return items_.end(); }  ///< iterator past the largest address
    const std::vector<address>& items() const { return items_; }  ///< the sorted addresses

    /// @brief Whether `a` is in the set.
    bool contains(const address& a) const;
    /// @brief Inserts; returns true if it was not there.
    bool insert(const address& a);
    /// @brief Removes; returns true if it was there.
    bool erase(const address& a);
    void clear() { items_.clear(); }  ///< removes every address

    /// @brief Union: the addresses in `a` or `b` (`A + B` of the RFC tables).
    friend address_set operator+(const address_set& a, const address_set& b);
    /// @brief Intersection: the addresses in both (`A * B`).
    friend address_set operator*(const address_set& a, const address_set& b);
    /// @brief Difference: the addresses of `a` not in `b` (`A - B`).
    friend address_set operator-(const address_set& a, const address_set& b);
    /// @brief Adds every address of `b`.
    address_set& operator+=(const address_set& b) { return *this = *this + b; }
    /// @brief Removes every address of `b`.
    address_set& operator-=(const address_set& b) { return *this = *this - b; }
    friend bool operator==(const address_set&, const address_set&) = default;

    /// @brief "{a, b, c}" for logs and test failure messages.
    std::string to_string() const;

private:
    std::vector<address> items_;
};

}  // namespace mcproxy::net
