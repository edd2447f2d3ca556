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
    using const_iterator = std::vector<address>::const_iterator;

    address_set() = default;
    address_set(std::initializer_list<address> l);
    /// @brief From any list; sorts and removes duplicates.
    explicit address_set(std::vector<address> v);

    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }
    const_iterator begin() const { return items_.begin(); }
    const_iterator end() const { return items_.end(); }
    const std::vector<address>& items() const { return items_; }

    bool contains(const address& a) const;
    /// @brief Inserts; returns true if it was not there.
    bool insert(const address& a);
    /// @brief Removes; returns true if it was there.
    bool erase(const address& a);
    void clear() { items_.clear(); }

    friend address_set operator+(const address_set& a, const address_set& b);
    friend address_set operator*(const address_set& a, const address_set& b);
    friend address_set operator-(const address_set& a, const address_set& b);
    address_set& operator+=(const address_set& b) { return *this = *this + b; }
    address_set& operator-=(const address_set& b) { return *this = *this - b; }
    friend bool operator==(const address_set&, const address_set&) = default;

    /// @brief "{a, b, c}" for logs and test failure messages.
    std::string to_string() const;

private:
    std::vector<address> items_;
};

}  // namespace mcproxy::net
