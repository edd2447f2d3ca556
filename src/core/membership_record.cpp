// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/membership_record.hpp"

#include <algorithm>

namespace mcproxy::core {

namespace {

auto by_source = [](const source_record& r, const net::address& a) { return r.source < a; };

}  // namespace

bool tracked_host::wants(const net::address& source) const {
    const bool listed = sources.contains(source);
    return mode == filter_mode::include ? listed : !listed;
}

source_record* group_record::find(const net::address& source) {
    auto it = std::lower_bound(sources.begin(), sources.end(), source, by_source);
    return it != sources.end() && it->source == source ? &*it : nullptr;
}

const source_record* group_record::find(const net::address& source) const {
    auto it = std::lower_bound(sources.begin(), sources.end(), source, by_source);
    return it != sources.end() && it->source == source ? &*it : nullptr;
}

// The membership seen from outside is INCLUDE{running} or EXCLUDE{stopped}:
// a change is visible when a record appears or disappears (INCLUDE), or when
// a record enters or leaves the stopped state (EXCLUDE).
bool group_record::set_timers(const source_set& b, time_point t, std::size_t limit) {
    bool changed = false;
    for (const auto& a : b) {
        auto it = std::lower_bound(sources.begin(), sources.end(), a, by_source);
        if (it != sources.end() && it->source == a) {
            if (mode == filter_mode::exclude && it->running() != (t != timer_off)) changed = true;
            it->timer = t;
        } else if (sources.size() < limit) {
            sources.insert(it, source_record{a, 0, t});
            if (mode == filter_mode::include || t == timer_off) changed = true;
        }
    }
    return changed;
}

bool group_record::add_new(const source_set& b, time_point t, std::size_t limit) {
    bool changed = false;
    for (const auto& a : b) {
        auto it = std::lower_bound(sources.begin(), sources.end(), a, by_source);
        if (it != sources.end() && it->source == a) continue;
        if (sources.size() >= limit) break;
        sources.insert(it, source_record{a, 0, t});
        if (mode == filter_mode::include || t == timer_off) changed = true;
    }
    return changed;
}

bool group_record::keep_only(const source_set& b) {
    bool changed = false;
    auto end = std::remove_if(sources.begin(), sources.end(), [&](const source_record& r) {
        if (b.contains(r.source)) return false;
        if (mode == filter_mode::include || !r.running()) changed = true;
        return true;
    });
    sources.erase(end, sources.end());
    return changed;
}

source_set group_record::running_in(const source_set& b) const {
    std::vector<net::address> r;
    for (const auto& a : b) {
        const auto* s = find(a);
        if (s && s->running()) r.push_back(a);
    }
    return source_set(std::move(r));
}

source_set group_record::running_not_in(const source_set& b) const {
    std::vector<net::address> r;
    for (const auto& s : sources)
        if (s.running() && !b.contains(s.source)) r.push_back(s.source);
    return source_set(std::move(r));
}

membership group_record::membership() const {
    core::membership m;
    m.mode = mode;
    std::vector<net::address> v;
    v.reserve(sources.size());
    for (const auto& s : sources)
        if (s.running() == (mode == filter_mode::include)) v.push_back(s.source);
    // With one tracked host whose list is the same (the common case), the
    // state shares that host's list instead of storing it again.
    if (hosts.size() == 1 && hosts.front().mode == mode && std::ranges::equal(hosts.front().sources.items(), v))
        m.sources = hosts.front().sources;
    else
        m.sources = source_set::from_sorted(v);  // `sources` is sorted by address
    return m;
}

time_point group_record::deadline() const {
    time_point d = std::min({filter_timer, v1_host_timer, v2_host_timer, next_group_query, next_source_query});
    for (const auto& s : sources) d = std::min(d, s.timer);
    for (const auto& h : hosts) d = std::min(d, h.expires);
    return d;
}

}  // namespace mcproxy::core
