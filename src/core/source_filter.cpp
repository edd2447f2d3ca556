// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/source_filter.hpp"

#include <algorithm>

namespace mcproxy::core {

address_range address_range::all(net::family f) {
    const net::address zero = net::address::any(f);
    return {zero, zero.prev()};  // prev() wraps the zero address to all ones
}

source_filter::source_filter(filter_kind kind, std::vector<filter_rule> rules)
    : bound_(true), kind_(kind), rules_(std::move(rules)) {
    for (std::uint32_t i = 0; i < rules_.size(); ++i)
        (rules_[i].group.is_all() ? all_groups_ : by_group_).push_back(i);
    std::sort(by_group_.begin(), by_group_.end(),
              [&](std::uint32_t a, std::uint32_t b) { return rules_[a].group.first < rules_[b].group.first; });
    reach_.reserve(by_group_.size());
    for (std::uint32_t i : by_group_)
        reach_.push_back(reach_.empty() ? rules_[i].group.last : std::max(reach_.back(), rules_[i].group.last));
}

template <typename F>
bool source_filter::any_rule_of(const net::address& group, F&& fn) const {
    for (std::uint32_t i : all_groups_)
        if (rules_[i].group.contains(group) && fn(rules_[i])) return true;
    // Rules starting after the group cannot hold it; of the others, stop
    // walking back once no earlier rule reaches up to the group.
    auto end = std::upper_bound(by_group_.begin(), by_group_.end(), group, [&](const net::address& g, std::uint32_t i) {
        return g < rules_[i].group.first;
    });
    for (auto pos = static_cast<std::size_t>(end - by_group_.begin()); pos-- > 0;) {
        if (reach_[pos] < group) break;
        const filter_rule& r = rules_[by_group_[pos]];
        if (r.group.contains(group) && fn(r)) return true;
    }
    return false;
}

bool source_filter::allows(const net::address& source, const net::address& group, if_index arrival) const {
    if (!bound_) return true;
    const bool hit = any_rule_of(group, [&](const filter_rule& r) { return r.matches(source, group, arrival); });
    return kind_ == filter_kind::whitelist ? hit : !hit;
}

bool source_filter::has_qualified_rules() const {
    return std::any_of(rules_.begin(), rules_.end(), [](const filter_rule& r) { return r.arrival.has_value(); });
}

std::vector<address_range> source_filter::matching_ranges(const net::address& group, if_index arrival) const {
    std::vector<address_range> v;
    any_rule_of(group, [&](const filter_rule& r) {
        if ((!r.arrival || *r.arrival == arrival) && r.source.first.fam() == group.fam()) v.push_back(r.source);
        return false;
    });
    return v;
}

std::vector<address_range> source_filter::named_sources(const net::address& group, if_index arrival) const {
    std::vector<address_range> v = matching_ranges(group, arrival);
    std::sort(v.begin(), v.end(), [](const address_range& a, const address_range& b) { return a.first < b.first; });
    // Merge overlapping and adjacent ranges in one pass (the table bounds the count).
    std::vector<address_range> merged;
    for (const auto& r : v) {
        if (!merged.empty()) {
            address_range& top = merged.back();
            const net::address all_ones = address_range::all(top.last.fam()).last;
            if (top.last == all_ones) continue;  // top already reaches the end
            if (r.first <= top.last.next()) {
                top.last = std::max(top.last, r.last);
                continue;
            }
        }
        merged.push_back(r);
    }
    return merged;
}

namespace {

bool covered(const std::vector<address_range>& ranges, const net::address& a) {
    // Ranges are sorted and disjoint: the candidate is the last one starting at or before a.
    auto it = std::upper_bound(ranges.begin(), ranges.end(), a,
                               [](const net::address& x, const address_range& r) { return x < r.first; });
    return it != ranges.begin() && std::prev(it)->contains(a);
}

source_set singles_of(const std::vector<address_range>& ranges) {
    std::vector<net::address> v;
    for (const auto& r : ranges)
        if (r.is_single()) v.push_back(r.first);
    return source_set(std::move(v));
}

}  // namespace

membership source_filter::apply(const net::address& group, const membership& m, if_index arrival) const {
    if (!bound_ || m.empty()) return m;
    const std::vector<address_range> raw = matching_ranges(group, arrival);
    const std::vector<address_range> named = named_sources(group, arrival);
    const bool everything = named.size() == 1 && named.front().is_all();
    if (kind_ == filter_kind::whitelist) {
        if (named.empty()) return {};  // nothing of this group is allowed
        if (everything) return m;
    } else {
        if (named.empty()) return m;
        if (everything) return {};  // a blacklisted group is never joined
    }
    if (m.mode == filter_mode::include) {
        // INCLUDE{S}: each listed source is decided exactly.
        std::vector<net::address> keep;
        for (const auto& s : m.sources)
            if (covered(named, s) == (kind_ == filter_kind::whitelist)) keep.push_back(s);
        return {filter_mode::include, source_set(std::move(keep))};
    }
    // As written in the table: single addresses are explicit sources.
    const bool all_single = std::all_of(raw.begin(), raw.end(), [](const address_range& r) { return r.is_single(); });
    const source_set singles = singles_of(raw);
    if (kind_ == filter_kind::whitelist) {
        // EXCLUDE{X} limited to the named sources: INCLUDE{named - X} when
        // they can be listed; otherwise the route filter does the limiting.
        if (!all_single) return m;
        return {filter_mode::include, singles - m.sources};
    }
    // Blacklist: the denied single sources join the exclude list.
    return {filter_mode::exclude, m.sources + singles};
}

}  // namespace mcproxy::core
