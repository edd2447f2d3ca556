// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Drives a real core::instance the way the daemon does (events in,
/// actions applied to a route book and counters) and takes snapshots.
#pragma once

#include <memory>
#include <vector>

#include "core/host_test_util.hpp"
#include "mcproxy/core/instance.hpp"
#include "mcproxy/daemon/status.hpp"

namespace mcproxy::daemon::test {

using core::host_test::at;
using core::host_test::ip;
using namespace std::chrono_literals;

/// @brief A core instance plus the daemon-side bookkeeping around it.
class instance_driver {
public:
    instance_driver(core::instance_settings settings, instance_info info, core::time_point now)
        : inst_(std::move(settings), now), info_(std::move(info)) {}
    instance_driver(const instance_driver&) = delete;
    instance_driver& operator=(const instance_driver&) = delete;

    /// @brief Feeds one event, counting it as the daemon would.
    void event(const core::event& ev, core::time_point now) {
        if (const auto* m = std::get_if<core::message_event>(&ev)) stats_.count_received(m->msg);
        if (const auto* u = std::get_if<core::upcall_event>(&ev)) stats_.count_upcall(u->kind);
        core::actions out;
        inst_.handle(ev, now, out);
        apply(out);
    }
    /// @brief Runs the timers due at `now`.
    void advance(core::time_point now) {
        core::actions out;
        inst_.advance(now, out);
        apply(out);
    }
    /// @brief Runs every timer up to `until`, deadline by deadline (bounded).
    void run_until(core::time_point until) {
        for (int i = 0; i < 10000; ++i) {
            const auto d = inst_.next_deadline();
            if (!d || *d > until) break;
            advance(*d);
        }
    }
    /// @brief The snapshot the daemon would take at `now`.
    instance_status snap(core::time_point now) {
        info_.routes = book_.routes();
        info_.stats = stats_;
        return snapshot(inst_, now, info_);
    }

    core::instance& inst() { return inst_; }
    route_book& book() { return book_; }
    counters& stats() { return stats_; }
    instance_info& info() { return info_; }
    /// @brief Every message sent so far.
    const std::vector<core::send_action>& sent() const { return sent_; }

private:
    void apply(const core::actions& out) {
        for (const auto& a : out) {
            if (const auto* s = std::get_if<core::send_action>(&a)) {
                stats_.count_sent(s->msg);
                sent_.push_back(*s);
            }
            stats_.count_route(book_.apply(a));
        }
    }

    core::instance inst_;
    instance_info info_;
    route_book book_;
    counters stats_;
    std::vector<core::send_action> sent_;
};

/// @brief Interface ids of the test topology.
inline constexpr core::if_index up_id = 1, down1_id = 11, down2_id = 12;

/// @brief An IGMPv3 instance "tv" in table 12: upstream eth0 (ifindex 2),
/// downstreams eth1 (3) and eth2 (4), addresses already known.
/// (On the heap: core::instance must not move, its forwarding part refers
/// to its aggregator.) `proactive_include`: routes for INCLUDE sources
/// before their data (off by default, as in the daemon).
inline std::unique_ptr<instance_driver> igmp_topology(core::time_point now, bool proactive_include = false) {
    core::instance_settings s;
    s.forwarding.proactive_include = proactive_include;
    s.ver = wire::version::igmpv3;
    s.upstreams = {up_id};
    s.downstreams = {down1_id, down2_id};
    instance_info info;
    info.name = "tv";
    info.protocol = wire::version::igmpv3;
    info.table = 12;
    info.interfaces = {
        {up_id, "eth0", 2, interface_role::upstream, link_state::up, ip("192.0.2.1")},
        {down1_id, "eth1", 3, interface_role::downstream, link_state::up, ip("198.51.100.10")},
        {down2_id, "eth2", 4, interface_role::downstream, link_state::up, ip("203.0.113.10")},
    };
    auto d = std::make_unique<instance_driver>(s, info, now);
    d->event(core::address_event{up_id, ip("192.0.2.1")}, now);
    d->event(core::address_event{down1_id, ip("198.51.100.10")}, now);
    d->event(core::address_event{down2_id, ip("203.0.113.10")}, now);
    return d;
}

/// @brief An IGMPv3 report of one record from `from` on `iface`.
inline core::message_event v3_report(core::if_index iface, const char* from, wire::record_type t, const char* group,
                                     std::initializer_list<const char*> sources) {
    return core::message_event{iface, ip(from), ip("224.0.0.22"),
                               wire::report_v3{wire::version::igmpv3, {core::host_test::rec(t, group, sources)}}};
}

}  // namespace mcproxy::daemon::test
