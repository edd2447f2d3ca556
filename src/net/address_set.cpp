// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/net/address_set.hpp"

#include <algorithm>
#include <iterator>

namespace mcproxy::net {

address_set::address_set(std::initializer_list<address> l) : address_set(std::vector<address>(l)) {}

address_set::address_set(std::vector<address> v) : items_(std::move(v)) {
    std::sort(items_.begin(), items_.end());
    items_.erase(std::unique(items_.begin(), items_.end()), items_.end());
}

bool address_set::contains(const address& a) const {
    return std::binary_search(items_.begin(), items_.end(), a);
}

bool address_set::insert(const address& a) {
    auto it = std::lower_bound(items_.begin(), items_.end(), a);
    if (it != items_.end() && *it == a) return false;
    items_.insert(it, a);
    return true;
}

bool address_set::erase(const address& a) {
    auto it = std::lower_bound(items_.begin(), items_.end(), a);
    if (it == items_.end() || *it != a) return false;
    items_.erase(it);
    return true;
}

address_set operator+(const address_set& a, const address_set& b) {
    address_set r;
    r.items_.reserve(a.size() + b.size());
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r.items_));
    return r;
}

address_set operator*(const address_set& a, const address_set& b) {
    address_set r;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r.items_));
    return r;
}

address_set operator-(const address_set& a, const address_set& b) {
    address_set r;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(r.items_));
    return r;
}

std::string address_set::to_string() const {
    std::string s = "{";
    for (std::size_t i = 0; i < items_.size(); ++i) {
        if (i) s += ", ";
        s += items_[i].to_string();
    }
    return s + "}";
}

}  // namespace mcproxy::net
