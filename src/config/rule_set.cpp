// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/rule_set.hpp"

namespace mcproxy::config {

address_range address_range::all(net::family f) {
    const net::address zero = net::address::any(f);
    return {zero, zero.prev()};  // prev() wraps 0 to all ones
}

std::string address_range::to_string() const {
    if (is_all()) return "*";
    if (first == last) return first.to_string();
    // Exactly the block first/len: first has the host bits clear, last is
    // in the block and the address after last is outside it.
    for (unsigned len = 1; len < first.max_prefix(); ++len)
        if (first.masked(len) == first && last.masked(len) == first && last.next().masked(len) != first)
            return first.to_string() + "/" + std::to_string(len);
    return first.to_string() + " - " + last.to_string();
}

bool rule::matches(std::string_view arrival_iface, const net::address& src, const net::address& grp) const {
    if (iface && *iface != arrival_iface) return false;
    return group.contains(grp) && source.contains(src);
}

std::string rule::to_string() const {
    return (iface ? *iface : std::string()) + "(" + group.to_string() + " | " + source.to_string() + ")";
}

const std::vector<rule>& rule_set::empty_rules() {
    static const std::vector<rule> none;
    return none;
}

bool rule_set::matches(std::string_view iface, const net::address& source, const net::address& group) const {
    for (const auto& r : rules())
        if (r.matches(iface, source, group)) return true;
    return false;
}

}  // namespace mcproxy::config
