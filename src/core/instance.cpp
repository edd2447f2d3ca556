// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/instance.hpp"

#include <algorithm>

namespace mcproxy::core {

instance::instance(instance_settings settings, time_point now)
    : settings_(std::move(settings)),
      aggregator_(settings_.downstream_filter),
      forwarding_(settings_.forwarding, aggregator_) {
    std::uint64_t n = 0;
    for (if_index u : settings_.upstreams) {
        host_settings hs = settings_.host;
        hs.iface = u;
        hs.ver = settings_.ver;
        hs.seed = settings_.seed + ++n;
        upstreams_.push_back(upstream_part{u, true, {}, std::make_unique<host>(hs)});
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

void instance::handle(const event& ev, time_point now, actions& out) {
    std::visit(
        [&](const auto& e) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, message_event>) {
                on_message(e, now, out);
            } else if constexpr (std::is_same_v<E, upcall_event>) {
                forwarding_.on_upcall(e.iface, e.source, e.group, now, out);
            } else if constexpr (std::is_same_v<E, link_event>) {
                on_link(e, now, out);
            } else if constexpr (std::is_same_v<E, address_event>) {
                on_address(e, now, out);
            } else {
                forwarding_.on_counters(e.samples, now, out);
            }
        },
        ev);
}

void instance::on_message(const message_event& m, time_point now, actions& out) {
    if (wire::family_of(wire::version_of(m.msg)) != wire::family_of(settings_.ver)) return;
    // An interface listed on both sides (peering) sees the message in both roles.
    if (downstream_part* d = find_downstream(m.iface); d && d->r) {
        const group_list changed = d->r->handle(m.msg, m.source, now, out);
        propagate(d->iface, *d->r, changed, now, out);
    }
    if (upstream_part* u = find_upstream(m.iface); u && u->up) {
        // Our own reports looped back must not suppress our own reports.
        if (!u->own.is_unspecified() && m.source == u->own) return;
        u->h->handle(m.msg, now, out);
    }
}

void instance::propagate(if_index iface, const router& r, const group_list& changed, time_point now,
                         actions& out) {
    std::vector<net::address> merged_changed;
    for (const auto& g : changed) {
        if (aggregator_.set(iface, g, r.membership(g))) merged_changed.push_back(g);
        // Routes depend on each downstream's own membership, not only on the merge.
        forwarding_.on_membership_change(g, now, out);
    }
    report(merged_changed, now, out);
}

void instance::report(const std::vector<net::address>& groups, time_point now, actions& out) {
    if (groups.empty()) return;
    for (auto& u : upstreams_) {
        std::vector<membership_change> changes;
        changes.reserve(groups.size());
        for (const auto& g : groups) {
            membership m = aggregator_.merged(g);
            if (settings_.upstream_filter) m = settings_.upstream_filter(u.iface, g, m);
            changes.emplace_back(g, std::move(m));
        }
        if (u.up)
            u.h->set_memberships(changes, now, out);
        else {
            // Keep the desired state; it is announced when the link comes up.
            actions silent;
            u.h->set_memberships(changes, now, silent);
            u.h->interface_down();
        }
    }
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
            d->r.reset();
            report(aggregator_.remove_interface(d->iface), now, out);
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
}

std::optional<time_point> instance::next_deadline() const {
    std::optional<time_point> t = forwarding_.next_deadline();
    for (const auto& d : downstreams_)
        if (d.r) t = earliest(t, d.r->next_deadline());
    for (const auto& u : upstreams_)
        if (u.up) t = earliest(t, u.h->next_deadline());
    return t;
}

void instance::shutdown(actions& out) { forwarding_.clear(out); }

}  // namespace mcproxy::core
