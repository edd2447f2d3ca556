// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/host.hpp"

#include <algorithm>

#include "mcproxy/core/host_report_packer.hpp"

namespace mcproxy::core {

using wire::record_type;
using wire::version;

host::host(host_settings settings)
    : settings_(settings),
      rng_(settings_.seed),
      mode_(settings_.ver),
      querier_robustness_(settings_.timers.robustness),
      querier_interval_(settings_.timers.query_interval) {}

bool host::is_ipv6() const { return wire::family_of(settings_.ver) == net::family::ipv6; }

// RFC 3376 7.2.1 table / RFC 3810 8.2.1: the Host Compatibility Mode follows
// the Querier Present timers; the configured protocol caps it.
version host::compat_version(time_point now) const {
    auto running = [now](const std::optional<time_point>& t) { return t && *t > now; };
    if (is_ipv6()) {
        if (settings_.ver == version::mldv1 || running(v2_querier_until_)) return version::mldv1;
        return version::mldv2;
    }
    if (settings_.ver == version::igmpv1 || running(v1_querier_until_)) return version::igmpv1;
    if (settings_.ver == version::igmpv2 || running(v2_querier_until_)) return version::igmpv2;
    return version::igmpv3;
}

bool host::older_mode(time_point now) const { return older_version(now) != (is_ipv6() ? version::mldv2 : version::igmpv3); }

version host::older_version(time_point now) const { return compat_version(now); }

net::address host::v3_report_destination() const {
    // RFC 3376 4.2.14: IGMPv3 reports go to 224.0.0.22; RFC 3810 5.2.14:
    // MLDv2 reports go to ff02::16.
    return is_ipv6() ? net::well_known::mldv2_routers() : net::well_known::igmpv3_routers();
}

duration host::older_querier_timeout(const wire::query& q) const {
    // RFC 3376 8.12 / RFC 3810 9.12: Robustness * Query Interval + Query
    // Response Interval, with the querier's values where we know them: its
    // QRV and QQI from earlier IGMPv3/MLDv2 queries, its Max Resp Time now.
    return querier_robustness_ * querier_interval_ + std::chrono::duration_cast<duration>(q.max_resp);
}

bool host::reportable(const net::address& group, time_point now) const {
    // RFC 4604 2.2.1: a source-specific (SSM range) membership cannot be
    // expressed in IGMPv1/v2 or MLDv1; it is not reported in those modes.
    return !(group.is_ssm() && older_mode(now));
}

// ---- state changes ----------------------------------------------------

void host::set_membership(const net::address& group, const membership& m, time_point now, actions& out) {
    set_memberships({membership_change{group, m}}, now, out);
}

void host::set_memberships(const std::vector<membership_change>& changes, time_point now, actions& out) {
    update_compat(now);
    for (const auto& [group, m] : changes) change(group, m, now, out);
    if (!pacing(now)) send_held(now, out);
    if (!pending_.empty()) schedule_retransmit(now, older_mode(now));
}

// RFC 3376 5.1 / RFC 3810 6.1 send a state-change report at once. When
// thousands of hosts join within milliseconds, "at once" means one small
// report per wake-up and the same records again, packed, at the
// retransmission. So a change goes out at once only after a quiet spell of
// report_pacing; within it, changes wait until they fill a report or the
// spell is over (at most report_pacing later).
bool host::pacing(time_point now) const { return pacing_until_ && now < *pacing_until_; }

void host::hold(const net::address& group, group_state& g, time_point now, actions& out) {
    if (g.held) return;  // its record is built from the state at sending time
    const net::family f = wire::family_of(settings_.ver);
    const std::size_t bytes = record_size(f, g.mode_retx > 0 ? g.current.sources.size() : g.source_retx.size());
    if (pacing(now) && !held_.empty() && held_bytes_ + bytes + report_header_size(f) > settings_.mtu)
        send_held(now, out);  // a full report
    g.held = true;
    held_.push_back(group);
    held_bytes_ += bytes;
}

void host::send_held(time_point now, actions& out) {
    std::vector<wire::group_record> records;
    for (const auto& group : held_) {
        auto it = groups_.find(group);
        if (it == groups_.end() || !it->second.held) continue;
        group_state& g = it->second;
        g.held = false;
        change_records(g, group, records);
        if (!g.retransmissions_left()) pending_.erase(group);
        collect(group);
    }
    held_.clear();
    held_bytes_ = 0;
    if (records.empty()) return;
    if (settings_.report_pacing > duration::zero()) pacing_until_ = now + settings_.report_pacing;
    send_v3(std::move(records), out);
}

void host::drop_held() {
    for (const auto& group : held_)
        if (auto it = groups_.find(group); it != groups_.end()) it->second.held = false;
    held_.clear();
    held_bytes_ = 0;
}

void host::change(const net::address& group, const membership& m, time_point now, actions& out) {
    // Link-local groups are never proxied (RFC 4605 4, RFC 3376 5 "never
    // sent for 224.0.0.1"); other families and non-multicast are not ours.
    if (group.fam() != wire::family_of(settings_.ver) || !group.is_multicast() || group.is_link_local_multicast())
        return;
    auto it = groups_.find(group);
    const membership old = it == groups_.end() ? membership{} : it->second.current;
    if (old == m) return;
    if (it == groups_.end()) it = groups_.emplace(group, group_state{}).first;
    group_state& g = it->second;
    g.current = m;
    const unsigned robustness = std::max(1u, settings_.timers.robustness);

    if (older_mode(now)) {
        if (reportable(group, now)) {
            if (old.empty() && !m.empty()) {
                // RFC 2236 3 / RFC 2710 4: an unsolicited report at once,
                // repeated after short random delays.
                send_older_report(group, now, out);
                g.older_retx = robustness - 1;
            } else if (!old.empty() && m.empty()) {
                g.older_retx = 0;
                set_group_timer(group, g, std::nullopt);
                const version v = older_version(now);
                // RFC 2236 3: Leave Group to all-routers; RFC 2710 4: Done to
                // link-scope all-routers; IGMPv1 has no leave.
                if (v == version::igmpv2)
                    out.push_back(send_action{settings_.iface, net::well_known::all_routers_v4(),
                                              wire::leave{version::igmpv2, group}});
                else if (v == version::mldv1)
                    out.push_back(send_action{settings_.iface, net::well_known::all_routers_v6(),
                                              wire::leave{version::mldv1, group}});
            }
            // Source changes cannot be expressed in v1/v2: nothing to send.
        }
    } else if (old.mode != m.mode) {
        // RFC 3376 5.1 rows 3 and 4: INCLUDE(A) -> EXCLUDE(B) sends TO_EX(B),
        // EXCLUDE(A) -> INCLUDE(B) sends TO_IN(B). The next [Robustness
        // Variable] reports carry a Filter-Mode-Change record with the then
        // current state; it supersedes every pending source delta.
        g.mode_retx = robustness;
        g.source_retx.clear();
        hold(group, g, now, out);
    } else {
        // RFC 3376 5.1 rows 1 and 2:
        //   INCLUDE(A) -> INCLUDE(B): ALLOW(B-A), BLOCK(A-B)
        //   EXCLUDE(A) -> EXCLUDE(B): ALLOW(A-B), BLOCK(B-A)
        // Every source of the difference gets [Robustness Variable]
        // retransmissions; ALLOW or BLOCK is decided at each transmission
        // from the current state, so a pending source moves between the
        // two lists when it changes again (the 5.1 merging rules).
        const source_set& a = old.sources;
        const source_set& b = m.sources;
        const source_set changed = (b - a) + (a - b);
        for (const auto& s : changed) g.source_retx[s] = robustness;
        hold(group, g, now, out);
    }
    if (g.retransmissions_left())
        pending_.insert(group);
    else
        pending_.erase(group);
    collect(group);
}

void host::change_records(group_state& g, const net::address& group, std::vector<wire::group_record>& records) {
    // RFC 3376 5.1: while Filter-Mode-Change transmissions remain, the
    // report holds TO_IN / TO_EX with the current source list ("all in the
    // current interface state that must be forwarded / blocked").
    if (g.mode_retx > 0) {
        const record_type t = g.current.mode == filter_mode::include ? record_type::change_to_include
                                                                     : record_type::change_to_exclude;
        records.push_back(wire::group_record{t, group, g.current.sources.to_vector(), {}});
        --g.mode_retx;
        return;
    }
    if (g.source_retx.empty()) return;
    // RFC 3376 5.1: ALLOW holds the sources with retransmission state that
    // must be forwarded, BLOCK those that must be blocked; an empty one is omitted.
    std::vector<net::address> allow, block;
    for (auto it = g.source_retx.begin(); it != g.source_retx.end();) {
        (g.current.wants(it->first) ? allow : block).push_back(it->first);
        if (--it->second == 0)
            it = g.source_retx.erase(it);
        else
            ++it;
    }
    if (!allow.empty()) records.push_back(wire::group_record{record_type::allow_new_sources, group, std::move(allow), {}});
    if (!block.empty()) records.push_back(wire::group_record{record_type::block_old_sources, group, std::move(block), {}});
}

void host::send_v3(std::vector<wire::group_record> records, actions& out) {
    if (records.empty()) return;
    const version v = is_ipv6() ? version::mldv2 : version::igmpv3;
    packed_reports packed = pack_reports(v, std::move(records), settings_.mtu);
    for (auto& r : packed.reports) {
        // Built in place: GCC 12 with sanitizers warns (falsely) about
        // moving a temporary variant into the vector.
        auto& a = std::get<send_action>(out.emplace_back(std::in_place_type<send_action>));
        a.iface = settings_.iface;
        a.destination = v3_report_destination();
        a.msg.emplace<wire::report_v3>(std::move(r));
    }
    if (packed.dropped_sources > 0)
        out.push_back(log_action{log_level::warning,
                                 "EXCLUDE record too large for the MTU: " + std::to_string(packed.dropped_sources) +
                                     " sources not reported (RFC 3376 4.2.16)"});
}

void host::send_older_report(const net::address& group, time_point now, actions& out) {
    // RFC 2236 3 / RFC 1112 / RFC 2710 4: v1/v2 reports and MLDv1 reports
    // are sent to the group itself.
    // Built in place, see send_v3().
    auto& a = std::get<send_action>(out.emplace_back(std::in_place_type<send_action>));
    a.iface = settings_.iface;
    a.destination = group;
    a.msg.emplace<wire::report_v1v2>(wire::report_v1v2{older_version(now), group});
}

void host::schedule_retransmit(time_point now, bool older) {
    if (retransmit_at_) return;
    // RFC 3376 5.1: retransmissions at intervals chosen at random from
    // (0, [Unsolicited Report Interval]); RFC 2236 3 for the older versions.
    const duration uri = older ? settings_.older_unsolicited_report_interval : settings_.timers.unsolicited_report_interval;
    retransmit_at_ = now + std::max(duration{1}, rng_.up_to(uri));
}

void host::retransmit(time_point now, actions& out) {
    retransmit_at_.reset();
    // Held groups are pending too: this report carries them.
    drop_held();
    const bool older = older_mode(now);
    std::vector<wire::group_record> records;
    std::set<net::address> still;
    for (const auto& group : pending_) {
        auto it = groups_.find(group);
        if (it == groups_.end()) continue;
        group_state& g = it->second;
        if (older) {
            if (g.older_retx > 0) {
                if (!g.current.empty() && reportable(group, now)) send_older_report(group, now, out);
                --g.older_retx;
            }
            if (g.older_retx > 0) still.insert(group);
        } else {
            change_records(g, group, records);
            if (g.mode_retx > 0 || !g.source_retx.empty()) still.insert(group);
        }
    }
    std::vector<net::address> done;
    std::set_difference(pending_.begin(), pending_.end(), still.begin(), still.end(), std::back_inserter(done));
    pending_ = std::move(still);
    for (const auto& group : done) collect(group);
    send_v3(std::move(records), out);
    if (!pending_.empty()) schedule_retransmit(now, older);
}

// ---- queries ----------------------------------------------------------

void host::handle(const wire::message& msg, time_point now, actions& out) {
    if (const auto* q = std::get_if<wire::query>(&msg)) {
        on_query(*q, now, out);
        return;
    }
    if (const auto* r = std::get_if<wire::report_v1v2>(&msg)) {
        update_compat(now);
        // RFC 2236 3 / RFC 2710 4: another host's report for a group stops
        // our pending response for it. IGMPv3 / MLDv2 hosts never suppress.
        if (!older_mode(now) || wire::family_of(r->ver) != wire::family_of(settings_.ver)) return;
        auto it = groups_.find(r->group);
        if (it == groups_.end() || !it->second.response_at) return;
        set_group_timer(r->group, it->second, std::nullopt);
        collect(r->group);
    }
}

void host::on_query(const wire::query& q, time_point now, actions& out) {
    (void)out;
    if (wire::family_of(q.ver) != wire::family_of(settings_.ver)) return;
    const bool general = q.group.is_unspecified();
    // Queries about link-local groups are ignored: we never report them.
    if (!general && (!q.group.is_multicast() || q.group.is_link_local_multicast())) return;

    // RFC 3376 7.2.1: IGMPv1 Querier Present on any IGMPv1 query, IGMPv2
    // Querier Present on an IGMPv2 General Query; RFC 3810 8.2.1: MLDv1 on
    // any MLDv1 query.
    switch (q.ver) {
        case version::igmpv1: v1_querier_until_ = now + older_querier_timeout(q); break;
        case version::igmpv2:
            if (general) v2_querier_until_ = now + older_querier_timeout(q);
            break;
        case version::mldv1: v2_querier_until_ = now + older_querier_timeout(q); break;
        case version::igmpv3:
        case version::mldv2:
            // Remember the querier's values for the Older Version Querier
            // Present Timeout (QRV 0 means "not set", RFC 3376 4.1.6).
            if (q.qrv != 0) querier_robustness_ = q.qrv;
            if (q.qqi.count() > 0) querier_interval_ = q.qqi;
            break;
    }
    update_compat(now);
    if (older_mode(now))
        query_older(q, now);
    else
        query_v3(q, now);
}

void host::query_v3(const wire::query& q, time_point now) {
    const bool general = q.group.is_unspecified();
    // RFC 3376 5.2: "provided the system has state to report".
    if (general) {
        if (group_count() == 0) return;
    } else {
        auto it = groups_.find(q.group);
        if (it == groups_.end() || it->second.current.empty()) return;
    }
    const time_point at = now + rng_.up_to(std::chrono::duration_cast<duration>(q.max_resp));

    // RFC 3376 5.2 rule 1: a pending General Query response sooner than
    // the selected delay covers this query too.
    if (general_response_at_ && *general_response_at_ < at) return;
    // Rule 2: a General Query (re)schedules the interface timer.
    if (general) {
        general_response_at_ = at;
        return;
    }
    group_state& g = groups_.find(q.group)->second;
    const source_set queried(q.sources);
    if (!g.response_at) {
        // Rule 3: no pending response for the group: group timer, and the
        // queried sources are recorded.
        g.response_sources = queried;
        set_group_timer(q.group, g, at);
    } else if (queried.empty() || g.response_sources.empty()) {
        // Rule 4: a Group-Specific Query, or a pending group-wide response:
        // one group-wide response at the earlier time.
        g.response_sources.clear();
        set_group_timer(q.group, g, std::min(*g.response_at, at));
    } else {
        // Rule 5: both source-specific: the recorded list grows.
        g.response_sources += queried;
        set_group_timer(q.group, g, std::min(*g.response_at, at));
    }
}

void host::query_older(const wire::query& q, time_point now) {
    // RFC 2236 3 / RFC 2710 4: a delay timer per group of which we are a
    // member, random in (0, Max Response Time]; a running timer is only
    // reset if the new Max Response Time is less than its remaining time.
    const duration max_resp = std::chrono::duration_cast<duration>(q.max_resp);
    auto arm = [&](const net::address& group, group_state& g) {
        if (g.current.empty() || !reportable(group, now)) return;
        g.response_sources.clear();
        if (g.response_at && *g.response_at <= now + max_resp) return;
        set_group_timer(group, g, now + std::max(duration{1}, rng_.up_to(max_resp)));
    };
    if (q.group.is_unspecified()) {
        for (auto& [group, g] : groups_) arm(group, g);
    } else if (auto it = groups_.find(q.group); it != groups_.end()) {
        arm(q.group, it->second);
    }
}

void host::set_group_timer(const net::address& group, group_state& g, std::optional<time_point> at) {
    if (g.response_at) group_timers_.erase({*g.response_at, group});
    g.response_at = at;
    if (at) group_timers_.insert({*at, group});
    if (!at) g.response_sources.clear();
}

void host::respond_general(actions& out) {
    // RFC 3376 5.2, expiry rule 1: one Current-State Record per group with
    // reception state, packed into as few reports as possible.
    std::vector<wire::group_record> records;
    for (const auto& [group, g] : groups_) {
        if (g.current.empty()) continue;
        const record_type t =
            g.current.mode == filter_mode::include ? record_type::mode_is_include : record_type::mode_is_exclude;
        records.push_back(wire::group_record{t, group, g.current.sources.to_vector(), {}});
    }
    send_v3(std::move(records), out);
}

void host::respond_group(const net::address& group, group_state& g, time_point now, actions& out) {
    const source_set queried = std::move(g.response_sources);
    g.response_sources.clear();
    if (g.current.empty()) return;
    if (older_mode(now)) {
        if (reportable(group, now)) send_older_report(group, now, out);
        return;
    }
    std::vector<wire::group_record> records;
    if (queried.empty()) {
        // RFC 3376 5.2, expiry rule 2: the group's mode and source list.
        const record_type t =
            g.current.mode == filter_mode::include ? record_type::mode_is_include : record_type::mode_is_exclude;
        records.push_back(wire::group_record{t, group, g.current.sources.to_vector(), {}});
    } else {
        // Expiry rule 3: INCLUDE(A) answers IS_IN(A*B), EXCLUDE(A) answers
        // IS_IN(B-A); an empty result sends nothing.
        const source_set answer =
            g.current.mode == filter_mode::include ? g.current.sources * queried : queried - g.current.sources;
        if (answer.empty()) return;
        records.push_back(wire::group_record{record_type::mode_is_include, group, answer.to_vector(), {}});
    }
    send_v3(std::move(records), out);
}

// ---- timers and compatibility -------------------------------------------

void host::advance(time_point now, actions& out) {
    update_compat(now);
    if (general_response_at_ && *general_response_at_ <= now) {
        general_response_at_.reset();
        respond_general(out);
    }
    // Each iteration removes one timer; bounded by the number of groups.
    while (!group_timers_.empty() && group_timers_.begin()->first <= now) {
        const net::address group = group_timers_.begin()->second;
        group_timers_.erase(group_timers_.begin());
        auto it = groups_.find(group);
        if (it == groups_.end()) continue;
        it->second.response_at.reset();
        respond_group(group, it->second, now, out);
        collect(group);
    }
    // A retransmission due now carries the held groups once; only then the
    // end of the pacing time sends what is still held.
    if (retransmit_at_ && *retransmit_at_ <= now) retransmit(now, out);
    if (!held_.empty() && !pacing(now)) send_held(now, out);
}

std::optional<time_point> host::next_deadline() const {
    std::optional<time_point> t = earliest(general_response_at_, retransmit_at_);
    if (!held_.empty()) t = earliest(t, pacing_until_);
    if (!group_timers_.empty()) t = earliest(t, group_timers_.begin()->first);
    t = earliest(t, v1_querier_until_);
    t = earliest(t, v2_querier_until_);
    return t;
}

void host::update_compat(time_point now) {
    // RFC 3376 7.2.1: when a Querier Present timer expires the mode goes up.
    if (v1_querier_until_ && *v1_querier_until_ <= now) v1_querier_until_.reset();
    if (v2_querier_until_ && *v2_querier_until_ <= now) v2_querier_until_.reset();
    const version m = compat_version(now);
    if (m == mode_) return;
    mode_ = m;
    // RFC 3376 7.2.1 / RFC 3810 8.2.1: whenever a host changes its
    // compatibility mode, it cancels all its pending response and
    // retransmission timers.
    cancel_pending();
}

void host::cancel_pending() {
    general_response_at_.reset();
    retransmit_at_.reset();
    group_timers_.clear();
    pending_.clear();
    drop_held();
    pacing_until_.reset();
    for (auto it = groups_.begin(); it != groups_.end();) {
        group_state& g = it->second;
        g.mode_retx = 0;
        g.source_retx.clear();
        g.older_retx = 0;
        g.response_at.reset();
        g.response_sources.clear();
        it = g.current.empty() ? groups_.erase(it) : std::next(it);
    }
}

void host::collect(const net::address& group) {
    auto it = groups_.find(group);
    if (it == groups_.end()) return;
    const group_state& g = it->second;
    if (g.current.empty() && !g.response_at && !g.held && !pending_.contains(group)) groups_.erase(it);
}

void host::interface_down() {
    cancel_pending();
    v1_querier_until_.reset();
    v2_querier_until_.reset();
    mode_ = compat_version(time_point{});
}

void host::interface_up(time_point now, actions& out) {
    update_compat(now);
    // Announce everything again, as a host does for new memberships: the
    // state before is the "non-existent" INCLUDE{} (RFC 3376 5.1).
    std::vector<membership_change> all;
    for (const auto& [group, g] : groups_)
        if (!g.current.empty()) all.emplace_back(group, g.current);
    cancel_pending();
    groups_.clear();
    set_memberships(all, now, out);
}

// ---- introspection ------------------------------------------------------

membership host::state(const net::address& group) const {
    auto it = groups_.find(group);
    return it == groups_.end() ? membership{} : it->second.current;
}

std::size_t host::group_count() const {
    return static_cast<std::size_t>(
        std::count_if(groups_.begin(), groups_.end(), [](const auto& e) { return !e.second.current.empty(); }));
}

bool host::retransmission_pending(const net::address& group) const { return pending_.contains(group); }

std::optional<time_point> host::response_deadline(const net::address& group) const {
    if (group.is_unspecified()) return general_response_at_;
    auto it = groups_.find(group);
    return it == groups_.end() ? std::nullopt : it->second.response_at;
}

}  // namespace mcproxy::core
