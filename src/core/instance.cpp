// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/instance.hpp"

#include <algorithm>

namespace mcproxy::core {

namespace {

std::shared_ptr<const filter_policy> make_policy(const instance_settings& s) {
    return std::make_shared<const filter_policy>(s.filters, s.upstreams, s.downstreams);
}

/// The forwarding settings with the instance's filters and peering rules folded in.
forwarding_settings with_policy(forwarding_settings f, const std::shared_ptr<const filter_policy>& policy) {
    f.first_upstream_only = policy->settings().out_matching == upstream_out_matching::first;
    if (policy->has_filters()) {
        output_filter extra = std::move(f.allow_output);
        f.allow_output = [policy, extra](const route_key& k, if_index in, if_index o) {
            return policy->allow_output(k, in, o) && (!extra || extra(k, in, o));
        };
    }
    return f;
}

bool is_query(const wire::message& m) { return std::holds_alternative<wire::query>(m); }

}  // namespace

instance::instance(instance_settings settings, time_point now)
    : settings_(std::move(settings)),
      policy_(make_policy(settings_)),
      selector_(settings_.filters.in_matching, settings_.filters.mutex_timeout, settings_.upstreams),
      aggregator_(settings_.downstream_filter),
      forwarding_(with_policy(settings_.forwarding, policy_), aggregator_) {
    std::uint64_t n = 0;
    for (if_index u : settings_.upstreams) {
        host_settings hs = settings_.host;
        hs.iface = u;
        hs.ver = settings_.ver;
        hs.seed = settings_.seed + ++n;
        upstream_part part{u, true, {}, std::make_unique<host>(hs), nullptr};
        // The merge reported on u differs from the common one when
        // downstream `out` filters apply (with arrival u) or u is a peering
        // interface (split horizon).
        if (policy_->has_downstream_out() || policy_->is_peering(u)) {
            auto policy = policy_;
            membership_filter extra = settings_.downstream_filter;
            part.view = std::make_unique<aggregator>(
                [policy, extra, u](if_index d, const net::address& g, const membership& m) {
                    return policy->downstream_view(d, g, extra ? extra(d, g, m) : m, u);
                });
        }
        upstreams_.push_back(std::move(part));
    }
    for (if_index d : settings_.downstreams) {
        auto o = settings_.router_overrides.find(d);
        router_settings rs = o != settings_.router_overrides.end() ? o->second : settings_.router;
        rs.iface = d;
        rs.ver = settings_.ver;
        downstreams_.push_back(downstream_part{d, rs, std::make_unique<router>(rs, now)});
    }
    actions ignored;  // no routes exist yet: nothing to emit
    update_interfaces(now, ignored);
}

instance::upstream_part* instance::find_upstream(if_index i) {
    for (auto& u : upstreams_)
        if (u.iface == i) return &u;
    return nullptr;
}

instance::downstream_part* instance::find_downstream(if_index i) {
    for (auto& d : downstreams_)
        if (d.iface == i) return &d;
    return nullptr;
}

const router* instance::downstream(if_index iface) const {
    for (const auto& d : downstreams_)
        if (d.iface == iface) return d.r.get();
    return nullptr;
}

const host* instance::upstream(if_index iface) const {
    for (const auto& u : upstreams_)
        if (u.iface == iface) return u.h.get();
    return nullptr;
}

membership instance::reported(if_index iface, const net::address& group) const {
    const host* h = upstream(iface);
    return h ? h->state(group) : membership{};
}

void instance::handle(const event& ev, time_point now, actions& out) {
    std::visit(
        [&](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, message_event>) {
                on_message(e, now, out);
            } else if constexpr (std::is_same_v<E, upcall_event>) {
                on_upcall(e, now, out);
            } else if constexpr (std::is_same_v<E, link_event>) {
                on_link(e, now, out);
            } else if constexpr (std::is_same_v<E, address_event>) {
                on_address(e, now, out);
            } else {
                on_counters(e, now, out);
            }
        },
        ev);
}

void instance::on_message(const message_event& m, time_point now, actions& out) {
    if (wire::family_of(wire::version_of(m.msg)) != wire::family_of(settings_.ver)) return;
    upstream_part* u = find_upstream(m.iface);
    downstream_part* d = find_downstream(m.iface);
    const bool own = u && !u->own.is_unspecified() && m.source == u->own;
    // An interface listed on both sides (peering) sees the message in both
    // roles, except our own reports looped back on a peering link: they are
    // what we ask of the peer, not what the peer asks of us.
    const bool own_peering_report = own && d && !is_query(m.msg);
    if (d && d->r && !own_peering_report) {
        const group_list changed = d->r->handle(m.msg, m.source, now, out);
        propagate(d->iface, *d->r, changed, now, out);
    }
    if (u && u->up) {
        // Our own reports looped back must not suppress our own reports.
        // Our own queries are answered only on a peering link: there a peer
        // that lost the querier election learns our membership from them.
        if (own && !(d && is_query(m.msg))) return;
        u->h->handle(m.msg, now, out);
    }
}

void instance::propagate(if_index iface, const router& r, const group_list& changed, time_point now,
                         actions& out) {
    std::vector<net::address> merged_changed;
    for (const auto& g : changed) {
        const membership m = r.membership(g);
        bool ch = aggregator_.set(iface, g, m);
        for (auto& u : upstreams_)
            if (u.view) ch = u.view->set(iface, g, m) || ch;
        if (ch) merged_changed.push_back(g);
    }
    report(merged_changed, now, out);
    // Routes depend on each downstream's own membership, not only on the merge.
    reroute(std::vector<net::address>(changed.begin(), changed.end()), now, out);
}

void instance::end_batch(time_point now, actions& out) {
    batching_ = false;
    std::vector<net::address> groups;
    groups.swap(pending_reports_);
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    report(groups, now, out);
}

void instance::report(const std::vector<net::address>& groups, time_point now, actions& out) {
    if (groups.empty() || upstreams_.empty()) return;
    if (batching_) {
        // What is reported is read from the merged state when the batch
        // ends, so only which groups to look at needs keeping.
        pending_reports_.insert(pending_reports_.end(), groups.begin(), groups.end());
        return;
    }
    std::vector<std::vector<membership_change>> changes(upstreams_.size());
    std::vector<membership> candidates(upstreams_.size());
    for (const auto& g : groups) {
        bool any = false;
        for (std::size_t i = 0; i < upstreams_.size(); ++i) {
            const if_index ui = upstreams_[i].iface;
            membership m = policy_->upstream_view(ui, g, merge_for(upstreams_[i]).merged(g));
            if (settings_.upstream_filter) m = settings_.upstream_filter(ui, g, m);
            any = any || !m.empty();
            candidates[i] = std::move(m);
        }
        if (!any) selector_.forget(g);
        std::vector<membership> chosen = selector_.select(g, candidates);
        for (std::size_t i = 0; i < upstreams_.size(); ++i) changes[i].emplace_back(g, std::move(chosen[i]));
    }
    for (std::size_t i = 0; i < upstreams_.size(); ++i) {
        upstream_part& u = upstreams_[i];
        if (u.up) {
            const std::size_t first = out.size();
            u.h->set_memberships(changes[i], now, out);
            // Peering link where we are the querier: the peer (a
            // non-querier) ages out what we no longer want only through our
            // queries, so our own leave is followed by them.
            if (downstream_part* d = find_downstream(u.iface); d && d->r) {
                std::vector<wire::message> own;
                for (std::size_t k = first; k < out.size(); ++k)
                    if (const auto* snd = std::get_if<send_action>(&out[k]); snd && snd->iface == u.iface)
                        own.push_back(snd->msg);
                for (const auto& msg : own) d->r->query_for_own_report(msg, out);
            }
        } else {
            // Keep the desired state; it is announced when the link comes up.
            actions silent;
            u.h->set_memberships(changes[i], now, silent);
            u.h->interface_down();
        }
    }
}

std::optional<if_index> instance::proactive_input(const net::address& group, const net::address& source) const {
    // A known source enters where it is asked for: the locked upstream, else
    // the first upstream reporting it; with mutex and several reporting
    // upstreams the data decides (no proactive route).
    if (auto l = selector_.locked(group)) return *l;
    std::optional<if_index> first;
    unsigned n = 0;
    for (const auto& u : upstreams_)
        if (u.up && u.h->state(group).wants(source)) {
            if (!first) first = u.iface;
            ++n;
        }
    if (n > 1 && selector_.kind() == upstream_in_matching::mutex) return std::nullopt;
    return first;
}

void instance::reroute(const std::vector<net::address>& groups, time_point now, actions& out) {
    for (const auto& g : groups)
        forwarding_.on_membership_change(
            g, now, out, [&](const net::address& s) { return proactive_input(g, s); });
}

void instance::upstream_data(const net::address& source, const net::address& group, if_index u, time_point now,
                             std::vector<net::address>& relocked) {
    if (selector_.kind() != upstream_in_matching::mutex) return;
    const upstream_part* p = find_upstream(u);
    // Only data we asked this upstream for decides the mutex, and only when
    // another upstream asks for the group too (else there is nothing to decide).
    if (!p || !p->h->state(group).wants(source)) return;
    if (!selector_.locked(group) &&
        std::none_of(upstreams_.begin(), upstreams_.end(),
                     [&](const upstream_part& o) { return o.iface != u && !o.h->state(group).empty(); }))
        return;
    if (selector_.on_data(group, u, now)) relocked.push_back(group);
}

void instance::on_upcall(const upcall_event& e, time_point now, actions& out) {
    if (auto l = selector_.locked(e.group); l && *l != e.iface && find_upstream(e.iface)) {
        // Mutex: while the group is locked to L, data still arriving on an
        // upstream we are leaving must not pull the route away from L.
        if (auto r = forwarding_.route({e.source, e.group}); r && r->input == *l) return;
    }
    forwarding_.on_upcall(e.iface, e.source, e.group, now, out);
    std::vector<net::address> relocked;
    upstream_data(e.source, e.group, e.iface, now, relocked);
    report(relocked, now, out);
    reroute(relocked, now, out);
}

void instance::on_counters(const counters_event& c, time_point now, actions& out) {
    std::vector<net::address> changed;
    if (selector_.kind() == upstream_in_matching::mutex) {
        // A counter that moved on a route entering on an upstream is data there.
        for (const auto& s : c.samples) {
            auto r = forwarding_.route(s.key);
            auto before = forwarding_.packets(s.key);
            if (r && before && *before != s.packets && find_upstream(r->input))
                upstream_data(s.key.source, s.key.group, r->input, now, changed);
        }
    }
    forwarding_.on_counters(c.samples, now, out);
    selector_.settle(now, changed);
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    report(changed, now, out);
    reroute(changed, now, out);
}

void instance::on_link(const link_event& l, time_point now, actions& out) {
    if (upstream_part* u = find_upstream(l.iface); u && u->up != l.up) {
        u->up = l.up;
        if (l.up)
            u->h->interface_up(now, out);
        else
            u->h->interface_down();
    }
    if (downstream_part* d = find_downstream(l.iface)) {
        if (!l.up && d->r) {
            forget_downstream(*d, now, out);
        } else if (l.up && !d->r) {
            // A fresh querier: startup queries rebuild the membership.
            d->r = std::make_unique<router>(d->settings, now);
        }
    }
    update_interfaces(now, out);
}

void instance::on_address(const address_event& a, time_point now, actions& out) {
    if (upstream_part* u = find_upstream(a.iface)) u->own = a.address;
    if (downstream_part* d = find_downstream(a.iface)) {
        d->settings.own_address = a.address;
        if (d->r) d->r->set_address(a.address, now, out);
    }
}

void instance::forget_downstream(downstream_part& d, time_point now, actions& out) {
    d.r.reset();
    std::vector<net::address> changed = aggregator_.remove_interface(d.iface);
    for (auto& u : upstreams_)
        if (u.view) {
            auto more = u.view->remove_interface(d.iface);
            changed.insert(changed.end(), more.begin(), more.end());
        }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    report(changed, now, out);
}

bool instance::add_downstream(if_index iface, router_settings rs, time_point now, actions& out) {
    if (!reconfigurable() || find_downstream(iface) || find_upstream(iface)) return false;
    rs.iface = iface;
    rs.ver = settings_.ver;
    settings_.downstreams.push_back(iface);
    settings_.router_overrides[iface] = rs;
    // No filters: the policy only knows which interface is which.
    policy_ = make_policy(settings_);
    downstreams_.push_back(downstream_part{iface, rs, std::make_unique<router>(rs, now)});
    update_interfaces(now, out);
    return true;
}

bool instance::remove_downstream(if_index iface, time_point now, actions& out) {
    auto it = std::find_if(downstreams_.begin(), downstreams_.end(),
                           [iface](const downstream_part& d) { return d.iface == iface; });
    if (!reconfigurable() || it == downstreams_.end()) return false;
    if (it->r) forget_downstream(*it, now, out);
    downstreams_.erase(it);
    std::erase(settings_.downstreams, iface);
    settings_.router_overrides.erase(iface);
    policy_ = make_policy(settings_);
    update_interfaces(now, out);
    return true;
}

void instance::update_interfaces(time_point now, actions& out) {
    std::vector<if_index> ups, downs;
    for (const auto& u : upstreams_)
        if (u.up) ups.push_back(u.iface);
    for (const auto& d : downstreams_)
        if (d.r) downs.push_back(d.iface);
    forwarding_.set_interfaces(std::move(ups), std::move(downs), now, out);
}

void instance::advance(time_point now, actions& out) {
    for (auto& d : downstreams_) {
        if (!d.r) continue;
        const group_list changed = d.r->advance(now, out);
        propagate(d.iface, *d.r, changed, now, out);
    }
    for (auto& u : upstreams_)
        if (u.up) u.h->advance(now, out);
    forwarding_.advance(now, out);
    // Mutex: read the counters of locked groups; end locks nobody answered for.
    std::vector<upstream_selector::probe> probes;
    std::vector<net::address> unlocked;
    selector_.advance(now, probes, unlocked);
    read_counters_action read;
    for (const auto& p : probes) {
        std::vector<route_key> keys = forwarding_.routes_from(p.group, p.upstream);
        if (keys.empty())
            selector_.settle(p.group, now, unlocked);  // nothing to read: no data, answered at once
        else
            read.keys.insert(read.keys.end(), keys.begin(), keys.end());
    }
    if (!read.keys.empty()) out.push_back(std::move(read));
    std::sort(unlocked.begin(), unlocked.end());
    unlocked.erase(std::unique(unlocked.begin(), unlocked.end()), unlocked.end());
    report(unlocked, now, out);
    reroute(unlocked, now, out);
}

std::optional<time_point> instance::next_deadline() const {
    std::optional<time_point> t = earliest(forwarding_.next_deadline(), selector_.next_deadline());
    for (const auto& d : downstreams_)
        if (d.r) t = earliest(t, d.r->next_deadline());
    for (const auto& u : upstreams_)
        if (u.up) t = earliest(t, u.h->next_deadline());
    return t;
}

void instance::shutdown(actions& out) { forwarding_.clear(out); }

}  // namespace mcproxy::core
