// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/aggregator.hpp"

#include <algorithm>

namespace mcproxy::core {

aggregator::aggregator(membership_filter downstream_filter) : filter_(std::move(downstream_filter)) {}

membership aggregator::filtered(if_index iface, const net::address& group, const membership& m) const {
    return filter_ ? filter_(iface, group, m) : m;
}

void aggregator::adjust(counts& c, const source_set& minus, const source_set& plus) {
    if (minus.empty() && plus.empty()) return;
    // One linear pass over three sorted sequences: every count minus one
    // for each source in `minus`, plus one for each in `plus`; zeros vanish.
    scratch_.clear();
    scratch_.reserve(c.size() + plus.size());
    auto ci = c.begin();
    auto mi = minus.begin();
    auto pi = plus.begin();
    while (ci != c.end() || pi != plus.end()) {
        net::address key = ci != c.end() ? ci->first : *pi;
        if (pi != plus.end() && *pi < key) key = *pi;
        long n = 0;
        if (ci != c.end() && ci->first == key) n = (ci++)->second;
        while (mi != minus.end() && *mi < key) ++mi;  // not counted: ignore
        if (mi != minus.end() && *mi == key) --n, ++mi;
        if (pi != plus.end() && *pi == key) ++n, ++pi;
        if (n > 0) scratch_.emplace_back(key, static_cast<unsigned>(n));
    }
    c.swap(scratch_);
}

void aggregator::recount(entry& e, const membership& before, const membership& after) {
    static const source_set none;
    const bool bi = before.mode == filter_mode::include;
    const bool ai = after.mode == filter_mode::include;
    adjust(e.include_count, bi ? before.sources : none, ai ? after.sources : none);
    adjust(e.exclude_count, bi ? none : before.sources, ai ? none : after.sources);
    if (!bi) --e.exclude_members;
    if (!ai) ++e.exclude_members;
}

membership aggregator::merge(const entry& e) {
    // One downstream: its state is the merged state, and shares its source
    // list (most groups of a proxy with one downstream, and every group
    // with a single member link).
    if (e.downstreams.size() == 1) return e.downstreams.front().used;
    std::vector<net::address> out;
    if (e.exclude_members == 0) {
        // RFC 4605 4.1: all INCLUDE: INCLUDE(union of the include lists).
        out.reserve(e.include_count.size());
        for (const auto& [s, n] : e.include_count) out.push_back(s);
        return membership{filter_mode::include, source_set(std::move(out))};
    }
    // RFC 4605 4.1: any EXCLUDE: EXCLUDE(intersection of the exclude lists
    // minus the union of the include lists). A source is in every exclude
    // list exactly when its exclude count equals the number of EXCLUDE members.
    auto inc = e.include_count.begin();
    for (const auto& [s, n] : e.exclude_count) {
        while (inc != e.include_count.end() && inc->first < s) ++inc;
        const bool included = inc != e.include_count.end() && inc->first == s;
        if (n == e.exclude_members && !included) out.push_back(s);
    }
    return membership{filter_mode::exclude, source_set(std::move(out))};
}

bool aggregator::apply(entry& e, std::size_t index, membership used) {
    downstream_state& d = e.downstreams[index];
    if (d.used == used) return false;
    recount(e, d.used, used);
    d.used = std::move(used);
    membership m = merge(e);
    if (m == e.merged) return false;
    e.merged = std::move(m);
    return true;
}

bool aggregator::set(if_index iface, const net::address& group, const membership& m) {
    auto git = groups_.find(group);
    if (git == groups_.end()) {
        if (m.empty()) return false;
        git = groups_.emplace(group, entry{}).first;
    }
    entry& e = git->second;
    auto dit = std::lower_bound(e.downstreams.begin(), e.downstreams.end(), iface,
                                [](const downstream_state& d, if_index i) { return d.iface < i; });
    if (dit == e.downstreams.end() || dit->iface != iface) {
        if (m.empty()) return false;
        dit = e.downstreams.insert(dit, downstream_state{iface, {}, {}});
    }
    const auto index = static_cast<std::size_t>(dit - e.downstreams.begin());
    e.downstreams[index].raw = m;
    // No membership stays no membership whatever the filter says, so the
    // counts of a removed downstream always drop to zero.
    const bool changed = apply(e, index, m.empty() ? membership{} : filtered(iface, group, m));
    if (m.empty()) e.downstreams.erase(e.downstreams.begin() + static_cast<std::ptrdiff_t>(index));
    if (e.downstreams.empty()) groups_.erase(git);
    return changed;
}

std::vector<net::address> aggregator::remove_interface(if_index iface) {
    std::vector<net::address> touched;
    for (const auto& [g, e] : groups_)
        for (const auto& d : e.downstreams)
            if (d.iface == iface) touched.push_back(g);
    std::vector<net::address> changed;
    for (const auto& g : touched)
        if (set(iface, g, membership{})) changed.push_back(g);
    std::sort(changed.begin(), changed.end());
    return changed;
}

std::vector<net::address> aggregator::set_filter(membership_filter downstream_filter) {
    filter_ = std::move(downstream_filter);
    std::vector<net::address> changed;
    for (auto& [g, e] : groups_) {
        bool ch = false;
        for (std::size_t i = 0; i < e.downstreams.size(); ++i)
            ch = apply(e, i, filtered(e.downstreams[i].iface, g, e.downstreams[i].raw)) || ch;
        if (ch) changed.push_back(g);
    }
    std::sort(changed.begin(), changed.end());
    return changed;
}

membership aggregator::merged(const net::address& group) const {
    auto it = groups_.find(group);
    return it == groups_.end() ? membership{} : it->second.merged;
}

membership aggregator::downstream(if_index iface, const net::address& group) const {
    auto it = groups_.find(group);
    if (it == groups_.end()) return {};
    for (const auto& d : it->second.downstreams)
        if (d.iface == iface) return d.used;
    return {};
}

membership aggregator::recompute(const net::address& group) const {
    auto it = groups_.find(group);
    if (it == groups_.end()) return {};
    // RFC 4605 4.1, literally: start from "no interest" and merge each
    // interface state in turn.
    bool any_exclude = false;
    source_set include_union, exclude_intersection;
    for (const auto& d : it->second.downstreams) {
        if (d.used.mode == filter_mode::include) {
            include_union += d.used.sources;
        } else if (!any_exclude) {
            any_exclude = true;
            exclude_intersection = d.used.sources;
        } else {
            exclude_intersection = exclude_intersection * d.used.sources;
        }
    }
    if (!any_exclude) return membership{filter_mode::include, include_union};
    return membership{filter_mode::exclude, exclude_intersection - include_union};
}

std::vector<net::address> aggregator::groups() const {
    std::vector<net::address> v;
    for (const auto& [g, e] : groups_)
        if (!e.merged.empty()) v.push_back(g);
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace mcproxy::core
