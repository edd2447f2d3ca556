// SPDX-License-Identifier: GPL-2.0-or-later
// The membership database of core::router: the state tables of RFC 3376 6.4
// (RFC 3810 7.4 is the same with MALI for GMI), mode switching (6.5),
// group-specific and group-and-source-specific queries (6.6.3), explicit
// tracking and fastleave.
#include <algorithm>

#include "mcproxy/core/router.hpp"

namespace mcproxy::core {

using wire::record_type;

namespace {

bool is_mode_exclude(filter_mode m) { return m == filter_mode::exclude; }

}  // namespace

bool router::apply_record(group_record& g, record_type type, const source_set& a, time_point now,
                          query_request& q) {
    const time_point gmi = now + timers_.group_membership_interval();
    const std::size_t limit = settings_.max_sources_per_group;
    bool changed = false;
    if (g.mode == filter_mode::include) {
        // Router state INCLUDE (A); the record's list is B (here `a`).
        switch (type) {
            case record_type::mode_is_include:    // 6.4.1: INCLUDE (A+B); (B)=GMI
            case record_type::allow_new_sources:  // 6.4.2: INCLUDE (A+B); (B)=GMI
                changed = g.set_timers(a, gmi, limit);
                break;
            case record_type::mode_is_exclude:  // 6.4.1: EXCLUDE (A*B, B-A); (B-A)=0, Delete (A-B), GT=GMI
                g.keep_only(a);
                g.mode = filter_mode::exclude;
                g.add_new(a, timer_off, limit);
                g.filter_timer = gmi;
                changed = true;
                break;
            case record_type::block_old_sources:  // 6.4.2: INCLUDE (A); Send Q(G,A*B)
                q.sources = g.running_in(a);
                break;
            case record_type::change_to_exclude:  // 6.4.2: EXCLUDE (A*B, B-A); (B-A)=0, Delete (A-B),
                                                  //        Send Q(G,A*B), GT=GMI
                q.sources = g.running_in(a);
                g.keep_only(a);
                g.mode = filter_mode::exclude;
                g.add_new(a, timer_off, limit);
                g.filter_timer = gmi;
                changed = true;
                break;
            case record_type::change_to_include:  // 6.4.2: INCLUDE (A+B); (B)=GMI, Send Q(G,A-B)
                q.sources = g.running_not_in(a);
                changed = g.set_timers(a, gmi, limit);
                break;
        }
        return changed;
    }
    // Router state EXCLUDE (X,Y); the record's list is A. X are the sources
    // with running timers, Y the stopped ones.
    switch (type) {
        case record_type::mode_is_include:    // 6.4.1: EXCLUDE (X+A, Y-A); (A)=GMI
        case record_type::allow_new_sources:  // 6.4.2: EXCLUDE (X+A, Y-A); (A)=GMI
            changed = g.set_timers(a, gmi, limit);
            break;
        case record_type::mode_is_exclude:  // 6.4.1: EXCLUDE (A-Y, Y*A); (A-X-Y)=GMI,
                                            //        Delete (X-A), Delete (Y-A), GT=GMI
            changed = g.add_new(a, gmi, limit);
            changed |= g.keep_only(a);
            g.filter_timer = gmi;
            break;
        case record_type::block_old_sources:  // 6.4.2: EXCLUDE (X+(A-Y), Y); (A-X-Y)=GT, Send Q(G,A-Y)
            changed = g.add_new(a, g.filter_timer, limit);
            q.sources = g.running_in(a);  // A-Y: the new ones now run, Y never does
            break;
        case record_type::change_to_exclude:  // 6.4.2: EXCLUDE (A-Y, Y*A); (A-X-Y)=GT, Delete (X-A),
                                              //        Delete (Y-A), Send Q(G,A-Y), GT=GMI
            changed = g.add_new(a, g.filter_timer, limit);
            changed |= g.keep_only(a);
            q.sources = g.running_in(a);
            g.filter_timer = gmi;
            break;
        case record_type::change_to_include:  // 6.4.2: EXCLUDE (X+A, Y-A); (A)=GMI,
                                              //        Send Q(G,X-A), Send Q(G)
            q.sources = g.running_not_in(a);
            changed = g.set_timers(a, gmi, limit);
            q.group = true;
            break;
    }
    return changed;
}

// RFC 3376 6.5: the group timer expired in EXCLUDE mode. Sources with
// running timers become the INCLUDE list, the Exclude List is deleted.
void router::switch_to_include(group_record& g) {
    g.mode = filter_mode::include;
    g.filter_timer = timer_off;
    g.group_retransmissions = 0;
    g.next_group_query = timer_off;
    std::erase_if(g.sources, [](const source_record& s) { return !s.running(); });
    // Nobody answered for EXCLUDE mode within the interval: EXCLUDE-mode
    // tracking entries are stale evidence now.
    const auto before = g.hosts.size();
    std::erase_if(g.hosts, [](const tracked_host& h) { return is_mode_exclude(h.mode); });
    tracked_hosts_ -= before - g.hosts.size();
}

bool router::tracking_complete(const group_record& g, time_point now) const {
    // Before every host had its chances to answer our startup queries (or,
    // without them, one Group Membership Interval after our start), and
    // after a report we could not track, someone may be missing from the table.
    return now >= tracking_complete_at_ && now >= g.untracked_until;
}

// Fastleave: a source (or the EXCLUDE-mode group) that the RFC would query
// is pruned at once when no tracked host wants it any more. Whatever some
// host still wants goes through the RFC's queries unchanged.
bool router::fastleave_prune(group_record& g, query_request& q, time_point now) {
    (void)now;
    bool changed = false;
    if (!q.sources.empty()) {
        std::vector<net::address> keep;
        for (const auto& s : q.sources) {
            const bool wanted =
                std::any_of(g.hosts.begin(), g.hosts.end(), [&](const tracked_host& h) { return h.wants(s); });
            if (wanted) {
                keep.push_back(s);
                continue;
            }
            if (g.mode == filter_mode::include) {
                std::erase_if(g.sources, [&](const source_record& r) { return r.source == s; });
                changed = true;
            } else if (auto* r = g.find(s); r && r->running()) {
                r->timer = timer_off;  // onto the Exclude List
                r->retransmissions = 0;
                changed = true;
            }
        }
        q.sources = source_set(std::move(keep));
    }
    if (q.group && g.mode == filter_mode::exclude &&
        std::none_of(g.hosts.begin(), g.hosts.end(), [](const tracked_host& h) { return is_mode_exclude(h.mode); })) {
        switch_to_include(g);
        q.group = false;
        changed = true;
    }
    return changed;
}

void router::track(group_record& g, record_type type, const source_set& a, const net::address& host,
                   time_point now) {
    const time_point gmi = now + timers_.group_membership_interval();
    if (host.is_unspecified()) {  // RFC 3376 4.2.13 allows 0.0.0.0: not a host we can tell apart
        g.untracked_until = gmi;
        return;
    }
    auto it = std::lower_bound(g.hosts.begin(), g.hosts.end(), host,
                               [](const tracked_host& h, const net::address& x) { return h.host < x; });
    if (it == g.hosts.end() || it->host != host) {
        // Unknown host: its state was INCLUDE{}; these records leave it there.
        const bool no_op = type == record_type::block_old_sources ||
                           (a.empty() && (type == record_type::mode_is_include ||
                                          type == record_type::allow_new_sources ||
                                          type == record_type::change_to_include));
        if (no_op) return;
        if (tracked_hosts_ >= settings_.max_tracked_hosts) {
            g.untracked_until = gmi;
            return;
        }
        it = g.hosts.insert(it, tracked_host{host, filter_mode::include, false, gmi, {}});
        ++tracked_hosts_;
    }
    tracked_host& h = *it;
    // RFC 3376 5.1 / 4.2.12: what each record says about the host's state.
    switch (type) {
        case record_type::mode_is_include:
        case record_type::change_to_include:
            h.mode = filter_mode::include;
            h.sources = a;
            break;
        case record_type::mode_is_exclude:
        case record_type::change_to_exclude:
            h.mode = filter_mode::exclude;
            h.sources = a;
            break;
        case record_type::allow_new_sources:
            h.sources = h.mode == filter_mode::include ? h.sources + a : h.sources - a;
            break;
        case record_type::block_old_sources:
            h.sources = h.mode == filter_mode::include ? h.sources - a : h.sources + a;
            break;
    }
    const bool gone = h.mode == filter_mode::include && h.sources.empty();
    if (gone || h.sources.size() > settings_.max_sources_per_group) {
        if (!gone) g.untracked_until = gmi;
        g.hosts.erase(it);
        --tracked_hosts_;
        return;
    }
    h.older_version = false;
    h.expires = gmi;
}

// An IGMPv1/v2 or MLDv1 report: the host wants EXCLUDE{}. Older hosts
// suppress their reports when they hear another host's report for the
// group (RFC 2236 3), so one report speaks for every older host of the
// group: all their entries are refreshed.
void router::track_older(group_record& g, const net::address& host, time_point now) {
    const time_point gmi = now + timers_.group_membership_interval();
    if (host.is_unspecified()) {
        g.untracked_until = gmi;
    } else {
        auto it = std::lower_bound(g.hosts.begin(), g.hosts.end(), host,
                                   [](const tracked_host& h, const net::address& x) { return h.host < x; });
        if (it == g.hosts.end() || it->host != host) {
            if (tracked_hosts_ >= settings_.max_tracked_hosts) {
                g.untracked_until = gmi;
            } else {
                g.hosts.insert(it, tracked_host{host, filter_mode::exclude, true, gmi, {}});
                ++tracked_hosts_;
            }
        } else {
            it->mode = filter_mode::exclude;
            it->sources.clear();
            it->older_version = true;
        }
    }
    for (auto& h : g.hosts)
        if (h.older_version) h.expires = gmi;
}

void router::untrack(group_record& g, const net::address& host) {
    auto it = std::lower_bound(g.hosts.begin(), g.hosts.end(), host,
                               [](const tracked_host& h, const net::address& x) { return h.host < x; });
    if (it != g.hosts.end() && it->host == host) {
        g.hosts.erase(it);
        --tracked_hosts_;
    }
}

// Runs every timer of `g` that is due at `now`. True if membership changed.
bool router::expire(group_record& g, time_point now, actions& out) {
    bool changed = false;
    const auto hosts_before = g.hosts.size();
    std::erase_if(g.hosts, [&](const tracked_host& h) { return h.expires <= now; });
    tracked_hosts_ -= hosts_before - g.hosts.size();

    // RFC 3376 7.3.2 / RFC 3810 8.3.2: when the older host present timer
    // ends, the compatibility mode goes back up.
    if (g.v1_host_timer <= now) g.v1_host_timer = timer_off;
    if (g.v2_host_timer <= now) g.v2_host_timer = timer_off;

    // RFC 3376 6.3 / 6.5: source timer expiry.
    if (g.mode == filter_mode::include) {
        std::vector<net::address> gone;
        std::erase_if(g.sources, [&](const source_record& s) {
            if (s.timer > now) return false;
            gone.push_back(s.source);
            return true;
        });
        if (!gone.empty()) {
            changed = true;
            // Nobody answered for these sources: drop them from the
            // INCLUDE-mode tracking entries as well.
            const source_set lost(std::move(gone));
            const auto before = g.hosts.size();
            std::erase_if(g.hosts, [&](tracked_host& h) {
                if (h.mode != filter_mode::include) return false;
                h.sources -= lost;
                return h.sources.empty();
            });
            tracked_hosts_ -= before - g.hosts.size();
        }
    } else {
        for (auto& s : g.sources) {
            if (s.running() && s.timer <= now) {  // EXCLUDE mode: onto the Exclude List, kept
                s.timer = timer_off;
                s.retransmissions = 0;
                changed = true;
            }
        }
        // RFC 3376 6.5: group timer expiry switches to INCLUDE.
        if (g.filter_timer <= now) {
            switch_to_include(g);
            changed = true;
        }
    }

    // RFC 3376 6.6.3: scheduled retransmissions.
    if (g.next_group_query <= now) retransmit_group_query(g, now, out);
    if (g.next_source_query <= now) retransmit_source_query(g, now, out);
    return changed;
}

// RFC 3376 6.6.3.1: Send Q(G). The group timer is lowered to LMQT, and the
// query sent now plus [LMQC - 1] times every [LMQI]. A group whose timer is
// already at or below LMQT is being queried already (or about to expire):
// it is not queried again, like 6.6.3.2 does for sources.
void router::send_group_query(group_record& g, time_point now, actions& out) {
    if (settings_.ver == wire::version::igmpv1) return;  // IGMPv1 has no group-specific query
    const time_point lmqt = now + timers_.last_member_query_time();
    if (g.mode != filter_mode::exclude || g.filter_timer <= lmqt) return;
    g.filter_timer = lmqt;
    g.group_retransmissions = static_cast<std::uint8_t>(std::min(timers_.last_member_count(), 255u));
    retransmit_group_query(g, now, out);
}

void router::retransmit_group_query(group_record& g, time_point now, actions& out) {
    g.next_group_query = timer_off;
    if (g.group_retransmissions == 0 || g.mode != filter_mode::exclude) {
        g.group_retransmissions = 0;
        return;
    }
    // RFC 3376 6.6.3.1: S flag set when the group timer is above LMQT
    // (a report raised it while the retransmissions went on).
    const bool s_flag = g.filter_timer > now + timers_.last_member_query_time();
    emit_query(g.group, s_flag, {}, out);
    if (--g.group_retransmissions > 0) g.next_group_query = now + timers_.last_member_query_interval;
}

// RFC 3376 6.6.3.2: Send Q(G,X). For each source of X whose timer is above
// LMQT: retransmissions = [LMQC], timer lowered to LMQT; then a query now
// and [LMQC - 1] retransmissions every [LMQI].
void router::send_source_query(group_record& g, const source_set& x, time_point now, actions& out) {
    const time_point lmqt = now + timers_.last_member_query_time();
    const auto count = static_cast<std::uint8_t>(std::min(timers_.last_member_count(), 255u));
    bool any = false;
    for (const auto& s : x) {
        auto* r = g.find(s);
        if (r && r->running() && r->timer > lmqt) {
            r->timer = lmqt;
            r->retransmissions = count;
            any = true;
        }
    }
    if (any) retransmit_source_query(g, now, out);
}

void router::retransmit_source_query(group_record& g, time_point now, actions& out) {
    g.next_source_query = timer_off;
    const time_point lmqt = now + timers_.last_member_query_time();
    std::vector<net::address> with_s;
    std::vector<net::address> without_s;
    bool remaining = false;
    for (auto& r : g.sources) {
        if (r.retransmissions == 0) continue;
        if (!r.running()) {
            r.retransmissions = 0;
            continue;
        }
        // RFC 3376 6.6.3.2: one query with S set for timers above LMQT,
        // one with S clear for the others; an empty one is not sent.
        (r.timer > lmqt ? with_s : without_s).push_back(r.source);
        if (--r.retransmissions > 0) remaining = true;
    }
    if (!with_s.empty()) emit_query(g.group, true, std::move(with_s), out);
    if (!without_s.empty()) emit_query(g.group, false, std::move(without_s), out);
    if (remaining) g.next_source_query = now + timers_.last_member_query_interval;
}

}  // namespace mcproxy::core
