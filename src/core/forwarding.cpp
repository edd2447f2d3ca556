// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/forwarding.hpp"

#include <algorithm>

namespace mcproxy::core {

forwarding::forwarding(forwarding_settings settings, const aggregator& memberships)
    : settings_(std::move(settings)), memberships_(memberships) {}

bool forwarding::is_upstream(if_index i) const {
    return std::find(upstreams_.begin(), upstreams_.end(), i) != upstreams_.end();
}

bool forwarding::is_downstream(if_index i) const {
    return std::binary_search(downstreams_.begin(), downstreams_.end(), i);
}

std::vector<if_index> forwarding::outputs_for(const net::address& source, const net::address& group,
                                              if_index input) const {
    const route_key key{source, group};
    auto allowed = [&](if_index o) { return !settings_.allow_output || settings_.allow_output(key, input, o); };
    std::vector<if_index> out;
    // RFC 4605 4.2: to every downstream whose membership wants the source
    // (RFC 3376 6.3 "wants"), never back to where it came from.
    // Peering split horizon: what came from a peer goes only to pure downstreams.
    const bool from_peer = is_downstream(input) && is_upstream(input);
    memberships_.for_each_downstream(group, [&](if_index d, const membership& m) {
        if (d != input && is_downstream(d) && !(from_peer && is_upstream(d)) && m.wants(source) && allowed(d))
            out.push_back(d);
    });
    // RFC 4605 4.2: data from a downstream (a local source) also goes to the
    // upstream(s); data from an upstream never goes to another upstream.
    // A peering upstream is not sent to unasked (the loop above covers it).
    if (is_downstream(input) && !is_upstream(input))
        for (if_index u : upstreams_) {
            if (u == input || is_downstream(u) || !allowed(u)) continue;
            out.push_back(u);
            if (settings_.first_upstream_only) break;
        }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool forwarding::make_room(time_point now, actions& out) {
    // Evict the oldest route that forwards nowhere: it only stops upcalls,
    // and a new upcall brings it back if its data keeps coming.
    while (!unwanted_.empty()) {
        auto key = unwanted_.front();
        unwanted_.pop_front();
        auto it = routes_.find(key);
        if (it != routes_.end() && it->second.outputs.empty()) {
            remove(it, out);
            return true;
        }
    }
    ++refused_;
    constexpr auto log_every = std::chrono::seconds(10);
    if (!refusal_logged_ || now - *refusal_logged_ >= log_every) {
        refusal_logged_ = now;
        out.push_back(log_action{log_level::warning, std::to_string(settings_.max_routes) +
                                                         " forwarding routes in use, all of them wanted: " +
                                                         std::to_string(refused_) + " new (S,G) refused so far"});
    }
    return false;
}

void forwarding::install(const net::address& group, const net::address& source, if_index input, bool proactive,
                         time_point now, actions& out) {
    if (!routes_.contains({group, source}) && routes_.size() >= settings_.max_routes && !make_room(now, out)) return;
    route_entry r;
    r.input = input;
    r.outputs = outputs_for(source, group, input);
    r.proactive = proactive;
    r.last_used = now;
    auto [it, fresh] = routes_.insert_or_assign({group, source}, std::move(r));
    (void)fresh;
    if (it->second.outputs.empty()) {
        unwanted_.push_back(it->first);
        // Keys of routes removed or wanted meanwhile pile up: drop them now
        // and then, so the list stays proportional to the routes.
        if (unwanted_.size() > 2 * std::max<std::size_t>(routes_.size(), 1024))
            std::erase_if(unwanted_, [this](const auto& k) {
                auto found = routes_.find(k);
                return found == routes_.end() || !found->second.outputs.empty();
            });
    }
    out.push_back(set_route_action{route_key{source, group}, it->second.input, it->second.outputs});
    schedule_poll(now);
}

void forwarding::refresh(route_map::iterator it, actions& out) {
    const auto& [group, source] = it->first;
    std::vector<if_index> outputs = outputs_for(source, group, it->second.input);
    if (outputs == it->second.outputs) return;
    if (outputs.empty()) unwanted_.push_back(it->first);
    it->second.outputs = std::move(outputs);
    out.push_back(set_route_action{route_key{source, group}, it->second.input, it->second.outputs});
}

void forwarding::remove(route_map::iterator it, actions& out) {
    out.push_back(remove_route_action{route_key{it->first.second, it->first.first}});
    routes_.erase(it);
}

void forwarding::schedule_poll(time_point now) {
    if (!next_poll_) next_poll_ = now + settings_.counter_interval;
}

void forwarding::set_interfaces(std::vector<if_index> upstreams, std::vector<if_index> downstreams, time_point now,
                                actions& out) {
    (void)now;
    upstreams_ = std::move(upstreams);
    std::sort(downstreams.begin(), downstreams.end());
    downstreams.erase(std::unique(downstreams.begin(), downstreams.end()), downstreams.end());
    downstreams_ = std::move(downstreams);
    for (auto it = routes_.begin(); it != routes_.end();) {
        auto next = std::next(it);
        if (!is_upstream(it->second.input) && !is_downstream(it->second.input))
            remove(it, out);
        else
            refresh(it, out);
        it = next;
    }
}

void forwarding::on_upcall(if_index iface, const net::address& source, const net::address& group, time_point now,
                           actions& out) {
    // Only multicast data of our family from a real source on one of our
    // interfaces; link-local groups are never forwarded.
    if (!group.is_multicast() || group.is_link_local_multicast() || source.fam() != group.fam() ||
        source.is_multicast() || source.is_unspecified())
        return;
    if (!is_upstream(iface) && !is_downstream(iface)) return;
    auto it = routes_.find({group, source});
    if (it != routes_.end() && it->second.input == iface) {
        // The kernel asks about an entry we think it has: it lost it
        // (or the upcall raced our add). Install it again, unchanged.
        it->second.last_used = now;
        out.push_back(set_route_action{route_key{source, group}, iface, it->second.outputs});
        return;
    }
    // New (S,G), or the data now arrives elsewhere: the input follows the data.
    install(group, source, iface, false, now, out);
}

void forwarding::on_membership_change(const net::address& group, time_point now, actions& out) {
    on_membership_change(group, now, out, {});
}

void forwarding::on_membership_change(const net::address& group, time_point now, actions& out,
                                      const input_chooser& choose) {
    auto it = routes_.lower_bound({group, net::address::any(group.fam())});
    while (it != routes_.end() && it->first.first == group) {
        refresh(it, out);
        ++it;
    }
    if (!settings_.proactive_include || upstreams_.empty() || group.is_link_local_multicast()) return;
    // Sources named in INCLUDE memberships are known before their data
    // arrives: program them now, entering on the first upstream.
    std::vector<net::address> sources;
    memberships_.for_each_downstream(group, [&](if_index d, const membership& m) {
        if (m.mode == filter_mode::include && is_downstream(d))
            sources.insert(sources.end(), m.sources.begin(), m.sources.end());
    });
    std::sort(sources.begin(), sources.end());
    sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
    for (const auto& s : sources) {
        if (routes_.contains({group, s})) continue;
        const std::optional<if_index> input = choose ? choose(s) : std::optional<if_index>(upstreams_.front());
        if (input && is_upstream(*input)) install(group, s, *input, true, now, out);
    }
}

void forwarding::on_counters(const std::vector<counter_sample>& samples, time_point now, actions& out) {
    for (const auto& s : samples) {
        auto it = routes_.find({s.key.group, s.key.source});
        if (it == routes_.end()) continue;
        if (s.packets != it->second.packets) {
            it->second.packets = s.packets;
            it->second.last_used = now;
        }
    }
    for (auto it = routes_.begin(); it != routes_.end();) {
        auto next = std::next(it);
        if (now - it->second.last_used >= settings_.idle_timeout) remove(it, out);
        it = next;
    }
    if (routes_.empty()) next_poll_.reset();
}

void forwarding::advance(time_point now, actions& out) {
    if (!next_poll_ || *next_poll_ > now) return;
    next_poll_.reset();
    if (routes_.empty()) return;
    read_counters_action r;
    r.keys.reserve(routes_.size());
    for (const auto& [k, v] : routes_) r.keys.push_back(route_key{k.second, k.first});
    out.push_back(std::move(r));
    next_poll_ = now + settings_.counter_interval;
}

std::optional<time_point> forwarding::next_deadline() const { return next_poll_; }

void forwarding::clear(actions& out) {
    while (!routes_.empty()) remove(routes_.begin(), out);
    next_poll_.reset();
}

void forwarding::set_output_filter(output_filter f, time_point now, actions& out) {
    (void)now;
    settings_.allow_output = std::move(f);
    for (auto it = routes_.begin(); it != routes_.end(); ++it) refresh(it, out);
}

std::optional<std::uint64_t> forwarding::packets(const route_key& key) const {
    auto it = routes_.find({key.group, key.source});
    if (it == routes_.end()) return std::nullopt;
    return it->second.packets;
}

std::vector<route_key> forwarding::routes_from(const net::address& group, if_index input) const {
    std::vector<route_key> v;
    for (auto it = routes_.lower_bound({group, net::address::any(group.fam())});
         it != routes_.end() && it->first.first == group; ++it)
        if (it->second.input == input) v.push_back(route_key{it->first.second, group});
    return v;
}

std::optional<route_status> forwarding::route(const route_key& key) const {
    auto it = routes_.find({key.group, key.source});
    if (it == routes_.end()) return std::nullopt;
    return route_status{it->second.input, it->second.outputs, it->second.proactive};
}

}  // namespace mcproxy::core
