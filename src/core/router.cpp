// SPDX-License-Identifier: GPL-2.0-or-later
// core::router: message dispatch, older-version handling, the querier, the
// deadline heap and status output. The state tables live in
// router_records.cpp.
#include "mcproxy/core/router.hpp"

#include <algorithm>

namespace mcproxy::core {

using wire::record_type;
using wire::version;

namespace {

template <class... T>
struct overloaded : T... {
    using T::operator()...;
};
template <class... T>
overloaded(T...) -> overloaded<T...>;

/// IGMPv1 = 1; IGMPv2 and MLDv1 = 2; IGMPv3 and MLDv2 = 3.
int rank(version v) {
    switch (v) {
        case version::igmpv1: return 1;
        case version::igmpv2:
        case version::mldv1: return 2;
        case version::igmpv3:
        case version::mldv2: return 3;
    }
    return 3;
}

bool heap_later(const auto& a, const auto& b) { return a.at > b.at; }

/// Sources per Q(G,S) message so it fits the link: 1500-byte IPv4 MTU
/// (24-byte IP header with Router Alert, 12-byte query, 4 per source) and
/// the 1280-byte IPv6 minimum MTU (40 + 8 hop-by-hop + 28 query, 16 each).
constexpr std::size_t max_query_sources_v4 = 366;
constexpr std::size_t max_query_sources_v6 = 75;

}  // namespace

namespace {

/// Values that would stall or spin the timers are raised to the smallest
/// sane ones (the configuration layer should reject them first): RFC 3376
/// 8.1 robustness MUST NOT be zero; intervals of zero would make the loop
/// send queries without end.
timer_settings sane(timer_settings t) {
    using std::chrono::milliseconds;
    using std::chrono::seconds;
    t.robustness = std::max(t.robustness, 1u);
    t.query_interval = std::max<duration>(t.query_interval, seconds(1));
    t.query_response_interval = std::clamp<duration>(t.query_response_interval, milliseconds(100), t.query_interval);
    if (t.startup_query_interval) t.startup_query_interval = std::max<duration>(*t.startup_query_interval, milliseconds(100));
    t.last_member_query_interval = std::max<duration>(t.last_member_query_interval, milliseconds(100));
    if (t.last_member_query_count) t.last_member_query_count = std::max(*t.last_member_query_count, 1u);
    return t;
}

}  // namespace

router::router(router_settings settings, time_point now)
    : settings_(std::move(settings)), timers_(settings_.timers) {
    settings_.timers = sane(settings_.timers);
    timers_ = settings_.timers;
    tracking_complete_at_ = now + timers_.group_membership_interval();
    const net::address& own = settings_.own_address;
    if (own.fam() != family_of(settings_.ver) || (is_ipv6() && !own.is_v6_link_local_unicast()))
        settings_.own_address = net::address::any(family_of(settings_.ver));
    if (!settings_.own_address.is_unspecified()) {
        // RFC 3376 6.6.2: a router starts as querier and sends [Startup
        // Query Count] general queries [Startup Query Interval] apart.
        is_querier_ = true;
        querier_address_ = settings_.own_address;
        startup_left_ = settings_.timers.startup_count();
        next_general_ = now;
    }
}

bool router::is_ipv6() const { return family_of(settings_.ver) == net::family::ipv6; }

void router::log(log_level level, std::string text, actions& out) const {
    const std::string who = settings_.name.empty() ? "if" + std::to_string(settings_.iface) : settings_.name;
    out.push_back(log_action{level, "router " + who + " " + wire::to_string(settings_.ver) + ": " + std::move(text)});
}

wire::version router::compat_of(const group_record& g) const {
    // RFC 3376 7.3.2 / RFC 3810 8.3.2: Group Compatibility Mode.
    if (g.v1_host_timer != timer_off) return version::igmpv1;
    if (g.v2_host_timer != timer_off) return is_ipv6() ? version::mldv1 : version::igmpv2;
    return settings_.ver;
}

// ---- dispatch -------------------------------------------------------------

group_list router::handle(const wire::message& msg, const net::address& from, time_point now, actions& out) {
    group_list changed;
    late_.clear();
    if (family_of(wire::version_of(msg)) != family_of(settings_.ver)) {
        log(log_level::debug, "ignored message of the other address family", out);
        return changed;
    }
    std::visit(overloaded{
                   [&](const wire::query& q) { on_query(q, from, now, out, changed); },
                   [&](const wire::report_v3& r) { on_report_v3(r, from, now, out, changed); },
                   [&](const wire::report_v1v2& r) { on_report_v1v2(r, from, now, out, changed); },
                   [&](const wire::leave& l) { on_leave(l, from, now, out, changed); },
               },
               msg);
    for (const auto& [group, before] : late_) {
        std::erase(changed, group);
        if (!(membership(group) == before)) changed.push_back(group);
    }
    late_.clear();
    if (changed.size() > 1) {  // several records of one report may name a group twice
        std::sort(changed.begin(), changed.end());
        changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    }
    return changed;
}

bool router::acceptable_group(const net::address& group, const char* what, actions& out) const {
    if (group.fam() != family_of(settings_.ver) || !group.is_multicast()) {
        log(log_level::debug, std::string("ignored ") + what + " for non-multicast group " + group.to_string(), out);
        return false;
    }
    // Link-local scope groups are never tracked nor proxied.
    return !group.is_link_local_multicast();
}

group_record* router::find_group(const net::address& group) {
    auto it = groups_.find(group);
    return it == groups_.end() ? nullptr : &it->second;
}

// A message may arrive after some of the group's deadlines passed but before
// the owner called advance(): run them first, so the tables always start from
// the state the RFC timers define (and report that change too).
group_record* router::catch_up(const net::address& group, time_point now, actions& out, group_list& changed) {
    group_record* g = find_group(group);
    if (!g || g->scheduled > now) return g;
    // The change list of this call must show the net change: remember the
    // membership before; handle() compares at its end.
    (void)changed;
    late_.emplace_back(group, g->membership());
    g->scheduled = timer_off;  // its heap entry is superseded by finish()
    expire(*g, now, out);
    group_list ignored;
    finish(*g, false, ignored);
    return find_group(group);
}

group_record* router::find_or_create(const net::address& group, time_point now, actions& out) {
    (void)now;
    if (auto* g = find_group(group)) return g;
    if (groups_.size() >= settings_.max_groups) {
        if (!limit_logged_) log(log_level::warning, "group limit reached, reports for new groups ignored", out);
        limit_logged_ = true;
        return nullptr;
    }
    limit_logged_ = false;
    auto& g = groups_[group];
    g.group = group;
    return &g;
}

void router::erase_group(const net::address& group) {
    auto it = groups_.find(group);
    if (it == groups_.end()) return;
    tracked_hosts_ -= it->second.hosts.size();
    groups_.erase(it);
}

void router::schedule(group_record& g) {
    const time_point d = g.deadline();
    if (d == timer_off || d >= g.scheduled) return;
    g.scheduled = d;
    heap_.push_back(heap_entry{d, g.group});
    std::push_heap(heap_.begin(), heap_.end(), [](const auto& a, const auto& b) { return heap_later(a, b); });
    // Superseded entries pile up when deadlines keep moving earlier (new
    // groups, lowered timers): rebuild from the records, O(groups), at most
    // once per groups + 64 pushes.
    if (heap_.size() > 2 * groups_.size() + 64) {
        heap_.clear();
        for (auto& [group, rec] : groups_) {
            rec.scheduled = rec.deadline();
            if (rec.scheduled != timer_off) heap_.push_back(heap_entry{rec.scheduled, group});
        }
        std::make_heap(heap_.begin(), heap_.end(), [](const auto& a, const auto& b) { return heap_later(a, b); });
    }
}

// The end of every event on a group: delete an empty record (INCLUDE{} is
// no membership, RFC 3376 6.5), refresh the deadline, note a change.
void router::finish(group_record& g, bool changed_flag, group_list& changed) {
    const net::address group = g.group;
    if (g.mode == filter_mode::include && g.sources.empty()) erase_group(group);
    else schedule(g);
    if (changed_flag) changed.push_back(group);
}

// ---- reports ----------------------------------------------------------------

void router::on_report_v3(const wire::report_v3& r, const net::address& from, time_point now, actions& out,
                          group_list& changed) {
    const net::family fam = family_of(settings_.ver);
    // A group named by several records may change and change back within
    // one report: for those the change list holds the net change only.
    std::vector<std::pair<net::address, core::membership>> repeated;
    if (r.records.size() > 1) {
        std::vector<net::address> names;
        names.reserve(r.records.size());
        for (const auto& rec : r.records) names.push_back(rec.group);
        std::sort(names.begin(), names.end());
        for (std::size_t i = 1; i < names.size(); ++i)
            if (names[i] == names[i - 1] && (repeated.empty() || repeated.back().first != names[i]))
                repeated.emplace_back(names[i], membership(names[i]));
    }
    for (const auto& rec : r.records) {
        std::vector<net::address> list;
        list.reserve(rec.sources.size());
        for (const auto& s : rec.sources)
            if (s.fam() == fam) list.push_back(s);
        source_set sources(std::move(list));
        if (rank(settings_.ver) == 3) {
            process_record(rec.group, rec.type, std::move(sources), from, now, out, changed);
            continue;
        }
        // A v3/MLDv2 report reaching an IGMPv1/v2 or MLDv1 querier: such a
        // host falls back to the querier's version after the next query
        // (RFC 3376 7.2.1, RFC 3810 8.2.1); until then every record that
        // asks for traffic counts as a report of our version, TO_IN({}) as
        // a leave, and the rest (BLOCK, empty IS_IN/ALLOW) is ignored.
        if (rec.type == record_type::block_old_sources) continue;
        const bool asks = rec.type == record_type::mode_is_exclude || rec.type == record_type::change_to_exclude ||
                          !sources.empty();
        if (asks) older_join(rec.group, settings_.ver, from, now, out, changed);
        else if (rec.type == record_type::change_to_include) older_leave(rec.group, from, now, out, changed);
    }
    for (const auto& [group, before] : repeated) {
        std::erase(changed, group);
        if (!(membership(group) == before)) changed.push_back(group);
    }
}

void router::process_record(const net::address& group, record_type type, source_set sources,
                            const net::address& from, time_point now, actions& out, group_list& changed) {
    if (!acceptable_group(group, "record", out)) return;
    // RFC 4604 (router rules for SSM addresses): EXCLUDE-mode records for SSM groups are ignored.
    if (group.is_ssm() && (type == record_type::mode_is_exclude || type == record_type::change_to_exclude)) {
        log(log_level::debug, "ignored EXCLUDE-mode record for SSM group " + group.to_string(), out);
        return;
    }
    group_record* g = catch_up(group, now, out, changed);
    if (!g) {
        // INCLUDE{} stays INCLUDE{} under these: no record to create.
        const bool no_op = type == record_type::block_old_sources ||
                           (sources.empty() && (type == record_type::mode_is_include ||
                                                type == record_type::allow_new_sources ||
                                                type == record_type::change_to_include));
        if (no_op) return;
        g = find_or_create(group, now, out);
        if (!g) return;
    }
    track(*g, type, sources, from, now);
    // RFC 3376 7.3.2 / RFC 3810 8.3.2: while older hosts are present, BLOCK
    // is ignored and TO_EX(x) is TO_EX({}).
    if (rank(compat_of(*g)) < 3) {
        if (type == record_type::block_old_sources) {
            finish(*g, false, changed);
            return;
        }
        if (type == record_type::change_to_exclude) sources.clear();
    }
    query_request q;
    bool ch = apply_record(*g, type, sources, now, q);
    conclude(*g, ch, q, now, out, changed);
}

void router::conclude(group_record& g, bool ch, query_request& q, time_point now, actions& out,
                      group_list& changed) {
    if (settings_.fastleave && tracking_complete(g, now)) ch |= fastleave_prune(g, q, now);
    // RFC 3376 6.6.3: only the querier sends the queries (and lowers the
    // timers for them); a non-querier waits for the querier's queries (6.6.1).
    if (is_querier_) {
        if (!q.sources.empty()) send_source_query(g, q.sources, now, out);
        if (q.group) send_group_query(g, now, out);
    }
    finish(g, ch, changed);
}

void router::on_report_v1v2(const wire::report_v1v2& r, const net::address& from, time_point now, actions& out,
                            group_list& changed) {
    older_join(r.group, r.ver, from, now, out, changed);
}

void router::on_leave(const wire::leave& l, const net::address& from, time_point now, actions& out,
                      group_list& changed) {
    older_leave(l.group, from, now, out, changed);
}

// An IGMPv1/v2 or MLDv1 report (or a v3 record standing for one on an older
// querier): IS_EX({}) (RFC 3376 7.3.2, RFC 3810 8.3.2; for a v1/v2 querier
// it is RFC 2236's "set the group timer to GMI").
void router::older_join(const net::address& group, version ver, const net::address& from, time_point now,
                        actions& out, group_list& changed) {
    if (!acceptable_group(group, "report", out)) return;
    // RFC 4604 (router rules for SSM addresses): IGMPv1/v2 and MLDv1 reports for SSM groups are ignored.
    if (group.is_ssm()) {
        log(log_level::debug, "ignored older-version report for SSM group " + group.to_string(), out);
        return;
    }
    catch_up(group, now, out, changed);
    group_record* g = find_or_create(group, now, out);
    if (!g) return;
    // RFC 3376 7.3.2, RFC 2236 4, RFC 3810 8.3.2: older host present timers.
    if (rank(ver) < rank(settings_.ver)) {
        const time_point t = now + timers_.older_host_present_interval();
        (rank(ver) == 1 ? g->v1_host_timer : g->v2_host_timer) = t;
    }
    track_older(*g, from, now);
    query_request q;
    const bool ch = apply_record(*g, record_type::mode_is_exclude, {}, now, q);
    conclude(*g, ch, q, now, out, changed);
}

// An IGMPv2 leave or MLDv1 done: TO_IN({}) (RFC 3376 7.3.2, RFC 3810 8.3.2;
// RFC 2236 3 / RFC 2710 4 for a v2 / MLDv1 querier).
void router::older_leave(const net::address& group, const net::address& from, time_point now, actions& out,
                         group_list& changed) {
    if (!acceptable_group(group, "leave", out)) return;
    if (settings_.ver == version::igmpv1) return;  // IGMPv1 has no leave: membership times out
    group_record* g = catch_up(group, now, out, changed);
    if (!g) return;
    // RFC 3376 7.3.2, RFC 2236 5: leaves are ignored while IGMPv1 hosts are present.
    if (compat_of(*g) == version::igmpv1) return;
    untrack(*g, from);
    query_request q;
    const bool ch = apply_record(*g, record_type::change_to_include, {}, now, q);
    conclude(*g, ch, q, now, out, changed);
}

// ---- queries and the querier -------------------------------------------------

void router::adopt(const wire::query& q) {
    // RFC 3376 4.1.6 / 4.1.7, RFC 3810 5.1.8 / 5.1.9: a non-querier uses the
    // querier's QRV and QQI; zero means "use the configured value".
    timers_.robustness = q.qrv != 0 ? q.qrv : settings_.timers.robustness;
    timers_.query_interval = q.qqi.count() != 0 ? duration(q.qqi) : settings_.timers.query_interval;
}

void router::on_query(const wire::query& q, const net::address& from, time_point now, actions& out,
                      group_list& changed) {
    const net::address& own = settings_.own_address;
    if (!own.is_unspecified() && from == own) return;  // our own query, looped back
    // RFC 3810 5.1.14: MLD queries come from link-local addresses. An IPv4
    // query from 0.0.0.0 (a snooping switch) cannot take part in election.
    if ((is_ipv6() && !from.is_v6_link_local_unicast()) || from.is_unspecified() ||
        from.fam() != family_of(settings_.ver)) {
        log(log_level::debug, "ignored query from invalid source " + from.to_string(), out);
        return;
    }
    if (!q.group.is_unspecified() && (q.group.fam() != family_of(settings_.ver) || !q.group.is_multicast())) {
        log(log_level::debug, "ignored query for non-multicast group " + q.group.to_string(), out);
        return;
    }
    if (q.ver != settings_.ver)  // RFC 3376 7.3.1: every router must be configured to the lowest version
        log(log_level::warning,
            std::string("query of version ") + wire::to_string(q.ver) + " from " + from.to_string(), out);

    // RFC 3376 6.6.2 / RFC 3810 7.6.2: querier election by lowest address.
    if (own.is_unspecified() || from < own) {
        if (is_querier_) log(log_level::notice, "querier " + from.to_string() + " has a lower address, standing down", out);
        is_querier_ = false;
        startup_left_ = 0;
        next_general_ = timer_off;
        querier_address_ = from;
        if (rank(settings_.ver) == 3 && rank(q.ver) == 3) adopt(q);
        other_querier_until_ = now + timers_.other_querier_present_interval();
    } else {
        return;  // a router with a higher address: it stops querying once it hears us
    }

    // RFC 3376 6.6.1: a query from the querier with the S flag clear lowers
    // the timers of the group or sources it asks about (to LMQT). An
    // IGMPv2 / MLDv1 query sets LMQC * its Max Response Time instead
    // (RFC 2236 3, RFC 2710 4).
    if (q.group.is_unspecified() || (rank(q.ver) == 3 && q.s_flag)) return;
    group_record* g = catch_up(q.group, now, out, changed);
    if (!g) return;
    const duration lower = rank(q.ver) == 3 ? timers_.last_member_query_time()
                                            : timers_.last_member_count() * duration(q.max_resp);
    const time_point t = now + lower;
    if (q.sources.empty()) {
        if (g->mode == filter_mode::exclude && g->filter_timer > t) g->filter_timer = t;
    } else {
        for (const auto& s : q.sources)
            if (auto* r = g->find(s); r && r->running() && r->timer > t) r->timer = t;
    }
    schedule(*g);
}

void router::query_for_own_report(const wire::message& msg, actions& out) {
    // IGMPv1 has no group-specific queries; only the querier queries (6.6.3).
    if (!is_querier_ || settings_.ver == wire::version::igmpv1) return;
    if (const auto* l = std::get_if<wire::leave>(&msg)) {
        emit_query(l->group, false, {}, out);
        return;
    }
    const auto* r = std::get_if<wire::report_v3>(&msg);
    if (!r) return;
    for (const auto& rec : r->records) {
        if (rec.type == wire::record_type::change_to_include)
            emit_query(rec.group, false, {}, out);  // TO_IN: Q(G)
        else if (rec.type == wire::record_type::block_old_sources && !rec.sources.empty() &&
                 rank(settings_.ver) == 3)
            emit_query(rec.group, false, rec.sources, out);  // BLOCK(B): Q(G,B)
    }
}

void router::emit_query(const net::address& group, bool s_flag, std::vector<net::address> sources,
                        actions& out) {
    const std::size_t chunk = is_ipv6() ? max_query_sources_v6 : max_query_sources_v4;
    std::size_t done = 0;
    do {
        wire::query q;
        q.ver = settings_.ver;
        q.group = group;
        q.max_resp = std::chrono::duration_cast<std::chrono::milliseconds>(timers_.last_member_query_interval);
        if (rank(settings_.ver) == 3) {
            q.s_flag = s_flag;
            q.qrv = static_cast<std::uint8_t>(timers_.robustness <= 7 ? timers_.robustness : 0);  // RFC 3376 4.1.6
            q.qqi = std::chrono::duration_cast<std::chrono::seconds>(timers_.query_interval);
            const std::size_t n = std::min(chunk, sources.size() - done);
            q.sources.assign(sources.begin() + static_cast<std::ptrdiff_t>(done),
                             sources.begin() + static_cast<std::ptrdiff_t>(done + n));
            done += n;
        } else {
            done = sources.size();
        }
        // RFC 3376 4.1.12 / RFC 3810 5.1.15: sent to the group itself.
        out.push_back(send_action{settings_.iface, group, std::move(q)});
    } while (done < sources.size());
}

void router::send_general_query(time_point now, actions& out) {
    wire::query q;
    q.ver = settings_.ver;
    q.group = net::address::any(family_of(settings_.ver));
    // An IGMPv1 query carries 0, which means 10 s (RFC 2236 4).
    q.max_resp = settings_.ver == version::igmpv1
                     ? std::chrono::milliseconds(10000)
                     : std::chrono::duration_cast<std::chrono::milliseconds>(timers_.query_response_interval);
    if (rank(settings_.ver) == 3) {
        q.qrv = static_cast<std::uint8_t>(timers_.robustness <= 7 ? timers_.robustness : 0);
        q.qqi = std::chrono::duration_cast<std::chrono::seconds>(timers_.query_interval);
    }
    const net::address dst = is_ipv6() ? net::well_known::all_nodes_v6() : net::well_known::all_systems_v4();
    // The last startup query: once its responses are in, every host has
    // answered [Startup Query Count] (= [Robustness], RFC 3376 8.7) queries,
    // so explicit tracking knows everyone and fastleave may act (the
    // robustness argument the RFC itself relies on).
    if (startup_left_ == 1)
        tracking_complete_at_ = std::min(tracking_complete_at_, now + duration(q.max_resp));
    out.push_back(send_action{settings_.iface, dst, std::move(q)});
    // RFC 3376 6.6.2: startup queries at [Startup Query Interval], then
    // every [Query Interval].
    if (startup_left_ > 0) --startup_left_;
    next_general_ = now + (startup_left_ > 0 ? timers_.startup_interval() : timers_.query_interval);
}

void router::become_querier(time_point now, actions& out, bool startup) {
    is_querier_ = true;
    querier_address_ = settings_.own_address;
    other_querier_until_ = timer_off;
    timers_ = settings_.timers;  // adoption ends with the other querier
    startup_left_ = startup ? settings_.timers.startup_count() : 0;
    send_general_query(now, out);
}

void router::set_address(const net::address& own_in, time_point now, actions& out) {
    net::address own = own_in;
    if (own.fam() != family_of(settings_.ver) || (is_ipv6() && !own.is_v6_link_local_unicast())) {
        if (!own.is_unspecified())
            log(log_level::warning, "address " + own.to_string() + " cannot be a querier address", out);
        own = net::address::any(family_of(settings_.ver));
    }
    if (own == settings_.own_address) return;
    const bool had_address = !settings_.own_address.is_unspecified();
    settings_.own_address = own;
    if (own.is_unspecified()) {
        if (is_querier_) log(log_level::notice, "address gone, no longer querier", out);
        is_querier_ = false;
        startup_left_ = 0;
        next_general_ = timer_off;
        if (other_querier_until_ == timer_off) querier_address_ = own;
        return;
    }
    if (is_querier_) {
        querier_address_ = own;
        return;
    }
    if (other_querier_until_ != timer_off && querier_address_ < own) return;  // a lower querier is present
    log(log_level::notice, "querier with address " + own.to_string(), out);
    become_querier(now, out, !had_address);
}

// ---- timers -------------------------------------------------------------------

group_list router::advance(time_point now, actions& out) {
    group_list changed;
    // RFC 3376 6.6.2: the Other Querier Present timer expired: querier again.
    if (other_querier_until_ <= now) {
        other_querier_until_ = timer_off;
        if (!settings_.own_address.is_unspecified()) {
            log(log_level::notice, "other querier " + querier_address_.to_string() + " gone, querier again", out);
            become_querier(now, out, false);
        } else {
            querier_address_ = settings_.own_address;
            timers_ = settings_.timers;
        }
    }
    if (is_querier_ && next_general_ <= now) send_general_query(now, out);

    const auto later = [](const heap_entry& a, const heap_entry& b) { return heap_later(a, b); };
    // Each pop either discards a stale entry or handles a group whose new
    // deadline lies after `now`; the bound only guards against a bug.
    std::size_t budget = 4 * heap_.size() + 16;
    while (!heap_.empty() && heap_.front().at <= now && budget-- > 0) {
        std::pop_heap(heap_.begin(), heap_.end(), later);
        const heap_entry e = heap_.back();
        heap_.pop_back();
        auto it = groups_.find(e.group);
        if (it == groups_.end() || it->second.scheduled != e.at) continue;  // superseded
        group_record& g = it->second;
        g.scheduled = timer_off;
        const bool ch = expire(g, now, out);
        finish(g, ch, changed);
    }
    // Make the top exact: entries of groups whose deadline moved later.
    budget = heap_.size() + 1;
    while (!heap_.empty() && budget-- > 0) {
        const heap_entry top = heap_.front();
        auto it = groups_.find(top.group);
        const bool valid = it != groups_.end() && it->second.scheduled == top.at;
        if (valid && it->second.deadline() == top.at) break;
        std::pop_heap(heap_.begin(), heap_.end(), later);
        heap_.pop_back();
        if (valid) {
            it->second.scheduled = timer_off;
            schedule(it->second);
        }
    }
    return changed;
}

std::optional<time_point> router::next_deadline() const {
    time_point d = std::min(other_querier_until_, is_querier_ ? next_general_ : timer_off);
    if (!heap_.empty()) d = std::min(d, heap_.front().at);
    if (d == timer_off) return std::nullopt;
    return d;
}

// ---- status -------------------------------------------------------------------

membership router::membership(const net::address& group) const {
    auto it = groups_.find(group);
    return it == groups_.end() ? core::membership{} : it->second.membership();
}

const group_record* router::record(const net::address& group) const {
    auto it = groups_.find(group);
    return it == groups_.end() ? nullptr : &it->second;
}

std::size_t router::source_count() const {
    std::size_t n = 0;
    for (const auto& [group, g] : groups_) n += g.sources.size();
    return n;
}

std::optional<router_group_status> router::group(const net::address& group, time_point now) const {
    (void)now;
    const auto* g = record(group);
    if (!g) return std::nullopt;
    auto opt = [](time_point t) { return t == timer_off ? std::nullopt : std::optional<time_point>(t); };
    router_group_status s;
    s.group = g->group;
    s.mode = g->mode;
    s.filter_timer = opt(g->filter_timer);
    for (const auto& r : g->sources) s.sources.push_back({r.source, opt(r.timer), r.retransmissions});
    s.compat = compat_of(*g);
    s.v1_host_present_until = opt(g->v1_host_timer);
    s.v2_host_present_until = opt(g->v2_host_timer);
    s.group_retransmissions = g->group_retransmissions;
    for (const auto& h : g->hosts) s.hosts.push_back({h.host, h.mode, h.sources, h.older_version, h.expires});
    s.tracking_complete = tracking_complete(*g, now);
    return s;
}

std::vector<router_group_status> router::groups(time_point now) const {
    std::vector<net::address> keys;
    keys.reserve(groups_.size());
    for (const auto& [group, g] : groups_) keys.push_back(group);
    std::sort(keys.begin(), keys.end());
    std::vector<router_group_status> r;
    r.reserve(keys.size());
    for (const auto& k : keys) r.push_back(*group(k, now));
    return r;
}

router_querier_status router::querier() const {
    router_querier_status s;
    s.is_querier = is_querier_;
    s.querier = querier_address_;
    if (other_querier_until_ != timer_off) s.other_querier_present_until = other_querier_until_;
    if (is_querier_ && next_general_ != timer_off) s.next_general_query = next_general_;
    s.startup_queries_left = startup_left_;
    s.robustness = timers_.robustness;
    s.query_interval = timers_.query_interval;
    return s;
}

std::size_t router::memory_bytes() const {
    // Node of an unordered_map: the value pair, the next pointer and the
    // cached hash; plus the bucket array.
    std::size_t n = groups_.bucket_count() * sizeof(void*) +
                    groups_.size() * (sizeof(std::pair<const net::address, group_record>) + 2 * sizeof(void*));
    for (const auto& [group, g] : groups_) {
        n += g.sources.capacity() * sizeof(source_record) + g.hosts.capacity() * sizeof(tracked_host);
        for (const auto& h : g.hosts) n += h.sources.heap_bytes();
    }
    return n + heap_.capacity() * sizeof(heap_entry);
}

}  // namespace mcproxy::core
