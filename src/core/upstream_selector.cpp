// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/upstream_selector.hpp"

#include <algorithm>

#include "mcproxy/core/membership_ops.hpp"

namespace mcproxy::core {

upstream_selector::upstream_selector(upstream_in_matching kind, duration timeout, std::vector<if_index> upstreams)
    : kind_(kind), timeout_(std::max(timeout, duration{0})), upstreams_(std::move(upstreams)) {}

std::vector<membership> upstream_selector::select(const net::address& group,
                                                  const std::vector<membership>& candidates) const {
    std::vector<membership> out = candidates;
    if (kind_ == upstream_in_matching::first) {
        // Whatever an earlier upstream reports is claimed; later upstreams
        // report only the rest of their own candidate.
        membership claimed;
        for (auto& m : out) {
            const membership mine = subtract(m, claimed);
            claimed = unite(claimed, m);
            m = mine;
        }
    } else if (kind_ == upstream_in_matching::mutex) {
        auto it = locks_.find(group);
        if (it == locks_.end()) return out;
        auto pos = std::find(upstreams_.begin(), upstreams_.end(), it->second.upstream);
        if (pos == upstreams_.end() || static_cast<std::size_t>(pos - upstreams_.begin()) >= out.size()) return out;
        const membership& held = candidates[static_cast<std::size_t>(pos - upstreams_.begin())];
        for (std::size_t i = 0; i < out.size(); ++i)
            if (upstreams_[i] != it->second.upstream) out[i] = subtract(candidates[i], held);
    }
    return out;
}

duration upstream_selector::probe_interval() const {
    return std::max<duration>(timeout_ / 10, std::chrono::milliseconds(1));
}

void upstream_selector::schedule(const net::address& group, lock_state& l, time_point at) {
    schedule_.erase({l.probe_at, group});
    l.probe_at = at;
    schedule_.insert({at, group});
}

void upstream_selector::drop(std::map<net::address, lock_state>::iterator it) {
    schedule_.erase({it->second.probe_at, it->first});
    awaiting_.erase(it->first);
    locks_.erase(it);
}

bool upstream_selector::on_data(const net::address& group, if_index u, time_point now) {
    if (kind_ != upstream_in_matching::mutex) return false;
    if (std::find(upstreams_.begin(), upstreams_.end(), u) == upstreams_.end()) return false;
    auto it = locks_.find(group);
    if (it != locks_.end()) {
        // Data on the locked upstream keeps the lock; data still trickling
        // in on one we are leaving changes nothing.
        if (it->second.upstream == u) it->second.last_data = std::max(it->second.last_data, now);
        return false;
    }
    lock_state& l = locks_[group];
    l.upstream = u;
    l.last_data = now;
    l.probe_at = now;  // replaced by schedule()
    schedule_.insert({l.probe_at, group});
    schedule(group, l, std::min(now + probe_interval(), now + timeout_));
    return true;
}

void upstream_selector::forget(const net::address& group) {
    auto it = locks_.find(group);
    if (it != locks_.end()) drop(it);
}

void upstream_selector::unlock(const net::address& group) { forget(group); }

std::optional<if_index> upstream_selector::locked(const net::address& group) const {
    auto it = locks_.find(group);
    if (it == locks_.end()) return std::nullopt;
    return it->second.upstream;
}

void upstream_selector::advance(time_point now, std::vector<probe>& probes, std::vector<net::address>& unlocked) {
    // Every due entry is rescheduled after `now` or dropped, so this ends.
    while (!schedule_.empty() && schedule_.begin()->first <= now) {
        const net::address group = schedule_.begin()->second;
        auto it = locks_.find(group);
        if (it == locks_.end()) {
            schedule_.erase(schedule_.begin());
            continue;
        }
        lock_state& l = it->second;
        const time_point expiry = l.last_data + timeout_;
        if (l.awaiting && now >= expiry) {
            // The last probe was never answered: no data is known.
            drop(it);
            unlocked.push_back(group);
            continue;
        }
        probes.push_back(probe{group, l.upstream});
        l.awaiting = true;
        awaiting_.insert(group);
        // Probe every interval, and once exactly at the expiry.
        const time_point next = now + probe_interval();
        schedule(group, l, now < expiry ? std::min(next, expiry) : next);
    }
}

void upstream_selector::settle(time_point now, std::vector<net::address>& unlocked) {
    for (const auto& group : std::vector<net::address>(awaiting_.begin(), awaiting_.end()))
        settle(group, now, unlocked);
}

void upstream_selector::settle(const net::address& group, time_point now, std::vector<net::address>& unlocked) {
    auto it = locks_.find(group);
    awaiting_.erase(group);
    if (it == locks_.end()) return;
    it->second.awaiting = false;
    const time_point expiry = it->second.last_data + timeout_;
    if (now >= expiry) {
        drop(it);
        unlocked.push_back(group);
    } else if (it->second.probe_at > expiry) {
        // Data moved the expiry: the next probe must not be later than it.
        schedule(group, it->second, expiry);
    }
}

std::optional<time_point> upstream_selector::next_deadline() const {
    if (schedule_.empty()) return std::nullopt;
    return schedule_.begin()->first;
}

}  // namespace mcproxy::core
