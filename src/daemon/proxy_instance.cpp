// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/proxy_instance.hpp"

#include <future>
#include <random>
#include <stdexcept>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "mcproxy/daemon/config_diff.hpp"
#include "mcproxy/daemon/core_settings.hpp"
#include "mcproxy/daemon/fault_injection.hpp"
#include "mcproxy/daemon/status_adapter.hpp"
#include "mcproxy/daemon/status_format.hpp"
#include "mcproxy/daemon/status_text.hpp"

namespace mcproxy::daemon {

namespace {

/// Reads per wakeup before other work gets a turn (a storm cannot starve timers).
constexpr std::size_t read_batch = 256;
/// Rounds of actions producing events producing actions (counters) per call.
constexpr int max_action_rounds = 8;
constexpr auto status_period = std::chrono::seconds(10);

std::uint64_t random_seed() {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) ^ rd();
}

std::optional<std::uint32_t> kernel_table(const config::instance& c) {
    // Table 0: the kernel's default multicast table, no policy rules needed.
    if (c.table == 0) return std::nullopt;
    return c.table;
}

}  // namespace

proxy_instance::proxy_instance(config::instance conf, logger& log, bool print_status)
    : conf_(std::move(conf)),
      log_(log),
      print_status_(print_status),
      tag_("pinstance " + conf_.name + ": "),
      ifaces_(conf_.family, number_interfaces(conf_)) {}

proxy_instance::~proxy_instance() {
    // An exception leaving a destructor terminates the daemon. The daemon
    // calls stop() itself; here stop() only has work left when an instance
    // is dropped on an error path, and a failure there is logged, not thrown.
    try {
        stop();
    } catch (const std::exception& e) {
        try {
            log(core::log_level::error, std::string("stop failed: ") + e.what());
        } catch (...) {  // a failed log has nowhere left to be reported
        }
    }
}

void proxy_instance::log(core::log_level level, const std::string& text) {
    if (log_.enabled(level)) log_.write(level, tag_ + text);
}

kernel::status proxy_instance::open(const std::vector<kernel::interface_event>& current) {
    auto port = kernel_port::open(conf_.family, kernel_table(conf_));
    if (!port) return port.err();
    port_.emplace(std::move(port.value()));
    for (const auto& ev : current) (void)ifaces_.apply(ev);

    std::vector<configured_interface> ids;
    for (const auto& st : ifaces_.all()) ids.push_back(st.conf);
    const core::time_point now = monotonic_now();
    core_ = std::make_unique<core::instance>(core_settings(conf_, ids, random_seed()), now);

    core::actions out;
    for (const auto& st : ifaces_.all()) {
        applied_interface& a = applied_[st.conf.id];
        if (auto s = reconcile_kernel(st, a); !s) return s;
        reconcile(st.conf.id, out);
        log(core::log_level::notice, describe(st));
    }
    execute(out);
    return {};
}

void proxy_instance::start() {
    work_.emplace(io_.get_executor());
    for (int fd : port_->descriptors())
        watchers_.push_back(std::make_unique<fd_watcher>(io_, fd, [this] { on_readable(); }));
    timer_ = std::make_unique<deadline_timer>(io_, [this] { on_timer(); });
    if (print_status_) {
        status_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
        boost::asio::post(io_, [this] { print_status(); });
    }
    reschedule();
    fault_armed_ = take_loop_fault(conf_.name);
    thread_ = std::thread([this] { run_loop(); });
}

void proxy_instance::run_loop() {
    std::string reason;
    try {
        io_.run();
        return;  // stop(): the shutdown task ended the loop
    } catch (const std::exception& e) {
        reason = e.what();
    } catch (...) {
        reason = "unknown exception";
    }
    // A handler threw: its state may be half-updated, so nothing more runs
    // on this loop. The supervisor decides what follows (daemon.cpp).
    failure_ = reason;
    failed_.store(true, std::memory_order_release);
    // Nothing may escape this thread (std::terminate): a failed log or post
    // leaves the failure to be found by failed() at the next reload or stop.
    try {
        log(core::log_level::error, "event loop stopped: " + reason);
        if (on_failure_) on_failure_(reason);
    } catch (...) {  // see above: nowhere left to report it
    }
}

void proxy_instance::post(const kernel::interface_event& ev) {
    boost::asio::post(io_, [this, ev] { on_interface_event(ev); });
}

void proxy_instance::post_resync(std::vector<kernel::interface_event> snapshot) {
    boost::asio::post(
        io_, [this, snapshot = std::move(snapshot)] { on_interfaces_changed(ifaces_.resync(snapshot)); });
}

void proxy_instance::remove_kernel_state() {
    if (!port_) return;
    for (auto& [id, a] : applied_) {
        if (a.joined) port_->leave_router_groups(a.vif_ifindex);
        if (a.vif_ifindex) (void)port_->remove_interface(a.vif_ifindex);
        a = applied_interface{};
    }
}

void proxy_instance::stop() {
    if (stopped_) return;
    stopped_ = true;
    auto shutdown = [this] {
        // After a failure the core may be half-updated: no goodbye reports
        // from it, only the kernel state removed.
        if (core_ && port_ && !failed()) {
            core::actions out;
            core_->shutdown(out);
            execute(out);
        }
        remove_kernel_state();
        watchers_.clear();
        timer_.reset();
        status_timer_.reset();
        if (port_) {
            if (auto s = port_->close(); !s) log(core::log_level::warning, s.message());
        }
        work_.reset();
        io_.stop();
        // Last: if anything above threw on the loop thread, the caller
        // runs the rest after the join (failed() then skips the core).
        shut_down_ = true;
    };
    if (thread_.joinable()) {
        boost::asio::post(io_, shutdown);
        thread_.join();
        // A loop that failed (before or after the post) never ran the task:
        // its thread is gone, so this one owns the state now.
        if (!shut_down_) shutdown();
    } else {
        shutdown();
    }
}

// ---- reload ---------------------------------------------------------------

proxy_instance::reconfigure_outcome proxy_instance::reconfigure(const config::instance& next,
                                                                const std::vector<kernel::interface_event>& current,
                                                                std::chrono::milliseconds limit) {
    using outcome = reconfigure_outcome;
    if (!thread_.joinable()) return apply_reconfiguration(next, current) ? outcome::applied : outcome::restart;
    if (failed()) return outcome::restart;
    // Shared and copied: after a time-out the task may still run later.
    auto done = std::make_shared<std::promise<bool>>();
    auto result = done->get_future();
    boost::asio::post(io_, [this, done, next, current] {
        try {
            done->set_value(apply_reconfiguration(next, current));
        } catch (...) {
            done->set_exception(std::current_exception());
            throw;  // the loop fails as for any handler (run_loop)
        }
    });
    // A loop that fails never runs the task: waited for in short slices.
    const auto deadline = std::chrono::steady_clock::now() + limit;
    constexpr auto slice = std::chrono::milliseconds(20);
    while (result.wait_for(slice) != std::future_status::ready) {
        if (failed()) return outcome::restart;
        if (std::chrono::steady_clock::now() >= deadline) return outcome::stuck;
    }
    try {
        return result.get() ? outcome::applied : outcome::restart;
    } catch (...) {  // the task threw: that loop has failed (run_loop)
        return outcome::restart;
    }
}

void proxy_instance::drop_interface(core::if_index id) {
    auto it = applied_.find(id);
    if (it != applied_.end()) {
        if (it->second.joined) port_->leave_router_groups(it->second.vif_ifindex);
        if (it->second.vif_ifindex) (void)port_->remove_interface(it->second.vif_ifindex);
        applied_.erase(it);
    }
    ifaces_.remove(id);
}

bool proxy_instance::apply_reconfiguration(const config::instance& next,
                                           const std::vector<kernel::interface_event>& current) {
    if (!reconfigurable_in_place(conf_, next)) return false;
    const core::time_point now = monotonic_now();
    core::actions out;
    // Removed downstreams, and those whose settings changed (they start over).
    for (const auto& d : conf_.downstreams) {
        const auto* keep = next.find_downstream(d.name);
        if (keep && same_settings(*keep, d)) continue;
        const interface_state* st = ifaces_.by_name(d.name);
        if (!st) continue;
        const core::if_index id = st->conf.id;
        if (!core_->remove_downstream(id, now, out)) return false;
        log(core::log_level::notice, "reload: downstream " + d.name + (keep ? " changed" : " removed"));
        execute(out);
        drop_interface(id);
    }
    // New downstreams get fresh ids; everything else keeps its own.
    core::if_index next_id = 0;
    for (const auto& st : ifaces_.all()) next_id = std::max(next_id, st.conf.id);
    std::vector<core::if_index> added;
    for (const auto& d : next.downstreams) {
        if (ifaces_.by_name(d.name)) continue;
        configured_interface c{++next_id, d.name, false, true, intake_policy_of(d)};
        ifaces_.add(c);
        std::vector<configured_interface> ids{c};
        config::instance one = next;
        one.downstreams = {d};
        one.upstreams.clear();
        const core::instance_settings s = core_settings(one, ids, 0);
        if (!core_->add_downstream(c.id, s.router_overrides.at(c.id), now, out)) return false;
        log(core::log_level::notice, "reload: downstream " + d.name + " added");
        added.push_back(c.id);
    }
    conf_ = next;
    std::vector<core::if_index> changed;
    for (const auto& ev : current) {
        auto ids = ifaces_.apply(ev);
        changed.insert(changed.end(), ids.begin(), ids.end());
    }
    changed.insert(changed.end(), added.begin(), added.end());
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    for (core::if_index id : changed) {
        const interface_state& st = *ifaces_.by_id(id);
        if (auto s = reconcile_kernel(st, applied_[id]); !s) log(core::log_level::error, s.message());
        reconcile(id, out);
        log(core::log_level::notice, describe(st));
    }
    execute(out);
    reschedule();
    return true;
}

// ---- input --------------------------------------------------------------

void proxy_instance::on_readable() {
    core::actions out;
    // Everything read now is one batch: a burst of host reports becomes as
    // few upstream reports as fit, not one per host report.
    core_->begin_batch();
    port_->read([&](kernel_input&& in) { on_input(std::move(in), out); }, read_batch);
    core_->end_batch(monotonic_now(), out);
    execute(out);
    reschedule();
}

void proxy_instance::on_input(kernel_input&& in, core::actions& out) {
    if (const auto* u = std::get_if<kernel::upcall>(&in))
        on_upcall(*u, out);
    else
        on_packet(std::get<kernel::received_packet>(in), out);
}

void proxy_instance::on_packet(const kernel::received_packet& p, core::actions& out) {
    const interface_state* st = ifaces_.by_ifindex(p.ifindex);
    // Every instance's socket sees the IGMP/MLD of all interfaces.
    if (!st) return stats_.count_dropped(drop_reason::unknown_interface);
    if (!st->usable()) return stats_.count_dropped(drop_reason::interface_down);
    const link_view link{st->subnets, st->addresses, st->mtu};
    intake_result r = conf_.family == net::family::ipv4 ? check_igmp(p, link, st->conf.intake)
                                                        : check_mld(p, link, st->conf.intake);
    if (!r.msg) {
        stats_.count_dropped(r.reason);
        if (log_.enabled(core::log_level::trace))
            log(core::log_level::trace, "dropped packet from " + p.source.to_string() + " on " + st->conf.name +
                                            ": " + to_string(r.reason));
        return;
    }
    stats_.count_received(*r.msg);
    if (log_.enabled(core::log_level::trace))
        log(core::log_level::trace,
            "received " + describe(*r.msg) + " from " + p.source.to_string() + " on " + st->conf.name);
    core_->handle(core::message_event{st->conf.id, p.source, p.destination, std::move(*r.msg)}, monotonic_now(),
                  out);
}

void proxy_instance::on_upcall(const kernel::upcall& u, core::actions& out) {
    const interface_state* st = ifaces_.by_ifindex(u.ifindex);
    if (!st) return;
    core::upcall_kind kind;
    switch (u.kind) {
        case kernel::upcall_kind::nocache: kind = core::upcall_kind::nocache; break;
        case kernel::upcall_kind::wrong_vif: kind = core::upcall_kind::wrongvif; break;
        default: return;  // PIM register upcalls: not for a proxy
    }
    stats_.count_upcall(kind);
    if (log_.enabled(core::log_level::trace))
        log(core::log_level::trace, std::string(kind == core::upcall_kind::nocache ? "nocache" : "wrongvif") +
                                        " upcall (" + u.source.to_string() + ", " + u.group.to_string() + ") on " +
                                        st->conf.name);
    core_->handle(core::upcall_event{kind, st->conf.id, u.source, u.group}, monotonic_now(), out);
}

// ---- interfaces ---------------------------------------------------------

void proxy_instance::on_interface_event(const kernel::interface_event& ev) {
    on_interfaces_changed(ifaces_.apply(ev));
}

void proxy_instance::on_interfaces_changed(const std::vector<core::if_index>& changed) {
    if (changed.empty()) return;
    core::actions out;
    for (core::if_index id : changed) {
        const interface_state& st = *ifaces_.by_id(id);
        if (auto s = reconcile_kernel(st, applied_[id]); !s) log(core::log_level::error, s.message());
        reconcile(id, out);
        log(core::log_level::notice, describe(st));
    }
    execute(out);
    reschedule();
}

kernel::status proxy_instance::reconcile_kernel(const interface_state& st, applied_interface& a) {
    kernel::status result;
    bool vif_changed = false;
    if (a.vif_ifindex != 0 && a.vif_ifindex != st.ifindex) {
        // The interface was deleted (or re-created with a new ifindex).
        if (a.joined) port_->leave_router_groups(a.vif_ifindex);
        (void)port_->remove_interface(a.vif_ifindex);
        a.vif_ifindex = 0;
        a.joined = false;
        vif_changed = true;
    }
    if (st.ifindex != 0 && a.vif_ifindex == 0) {
        if (auto s = port_->add_interface(st.ifindex); !s) return s;
        a.vif_ifindex = st.ifindex;
        vif_changed = true;
    }
    if (a.vif_ifindex != 0 && st.conf.downstream && !a.joined) {
        if (auto s = port_->join_router_groups(a.vif_ifindex); s)
            a.joined = true;
        else
            result = s;  // retried at the next change of the interface
    }
    if (vif_changed) reinstall_routes(st.conf.id);
    return result;
}

void proxy_instance::reconcile(core::if_index id, core::actions& out) {
    const interface_state& st = *ifaces_.by_id(id);
    applied_interface& a = applied_[id];
    const core::time_point now = monotonic_now();
    const bool up = st.usable();
    const net::address address = st.address();
    if (!up && a.core_up) {
        a.core_up = false;
        core_->handle(core::link_event{id, false}, now, out);
    }
    // The address first, so that a link coming up queries from it at once.
    const bool readdressed = address != a.core_address;
    if (readdressed) {
        a.core_address = address;
        core_->handle(core::address_event{id, address}, now, out);
    }
    if (up && !a.core_up) {
        a.core_up = true;
        core_->handle(core::link_event{id, true}, now, out);
    } else if (up && readdressed && !address.is_unspecified() && st.conf.upstream && !st.conf.downstream) {
        // To the upstream router we are a new host now (and an IPv6 upstream
        // could not report at all before it had a link-local address):
        // announce the whole state again, as after a link flap.
        core_->handle(core::link_event{id, false}, now, out);
        core_->handle(core::link_event{id, true}, now, out);
    }
}

void proxy_instance::reinstall_routes(core::if_index id) {
    for (const auto& r : routes_.routes()) {
        if (r.input != id && std::find(r.outputs.begin(), r.outputs.end(), id) == r.outputs.end()) continue;
        execute_set_route(core::set_route_action{r.key, r.input, r.outputs});
    }
}

// ---- timers -------------------------------------------------------------

void proxy_instance::on_timer() {
    if (fault_armed_) {
        fault_armed_ = false;
        throw std::runtime_error("fault injected by " + std::string(fault_variable));
    }
    core::actions out;
    core_->advance(monotonic_now(), out);
    execute(out);
    reschedule();
}

void proxy_instance::reschedule() {
    if (timer_ && core_) timer_->schedule(core_->next_deadline());
}

void proxy_instance::print_status() {
    if (!status_timer_) return;
    log_.write(core::log_level::notice, format_text({status()}, status_view::status));
    status_timer_->expires_after(status_period);
    status_timer_->async_wait([this](const boost::system::error_code& ec) {
        if (!ec) print_status();
    });
}

instance_status proxy_instance::status() {
    // Fresh kernel counters for every route the status lists.
    for (const auto& r : routes_.routes())
        if (auto c = port_->counters(r.key.source, r.key.group))
            routes_.set_counters(r.key, c.value().packets, c.value().bytes, c.value().wrong_if);
    instance_info info = instance_info_of(conf_, ifaces_);
    info.routes = routes_.routes();
    info.stats = stats_;
    return snapshot(*core_, monotonic_now(), info);
}

// ---- actions ------------------------------------------------------------

void proxy_instance::execute(core::actions& acts) {
    for (int round = 0; round < max_action_rounds && !acts.empty(); ++round) {
        core::actions next;
        for (const auto& act : acts) {
            std::visit(
                [&](const auto& a) {
                    using A = std::decay_t<decltype(a)>;
                    if constexpr (std::is_same_v<A, core::send_action>)
                        execute_send(a);
                    else if constexpr (std::is_same_v<A, core::set_route_action>) {
                        stats_.count_route(routes_.apply(act));
                        execute_set_route(a);
                    } else if constexpr (std::is_same_v<A, core::remove_route_action>) {
                        stats_.count_route(routes_.apply(act));
                        execute_remove_route(a.key);
                    }
                    else if constexpr (std::is_same_v<A, core::read_counters_action>)
                        read_counters(a, next);
                    else
                        log(a.level, a.text);
                },
                act);
        }
        acts.swap(next);
    }
    acts.clear();
}

void proxy_instance::execute_send(const core::send_action& a) {
    const interface_state* st = ifaces_.by_id(a.iface);
    if (!st || !st->usable()) return;
    const net::address source = st->address();
    // RFC 3810 5: MLD is sent from the link-local address; without one we stay silent.
    if (conf_.family == net::family::ipv6 && source.is_unspecified()) {
        log(core::log_level::debug, "not sending on " + st->conf.name + ": no link-local address yet");
        return;
    }
    if (auto s = port_->send(st->ifindex, source, a.destination, a.msg); !s) {
        ++stats_.send_errors;
        log(core::log_level::warning, "sending on " + st->conf.name + " failed: " + s.message());
        return;
    }
    stats_.count_sent(a.msg);
    if (log_.enabled(core::log_level::debug))
        log(core::log_level::debug,
            "sent " + describe(a.msg) + " to " + a.destination.to_string() + " on " + st->conf.name);
}

void proxy_instance::execute_set_route(const core::set_route_action& a) {
    const auto vif = [&](core::if_index id) -> unsigned {
        auto it = applied_.find(id);
        return it == applied_.end() ? 0 : it->second.vif_ifindex;
    };
    kernel::mfc_entry e{a.key.source, a.key.group, vif(a.input), {}};
    for (core::if_index o : a.outputs)
        if (unsigned k = vif(o)) e.outputs.push_back(kernel::mfc_output{k, 1});
    if (e.input_ifindex == 0) {
        (void)port_->remove_route(a.key.source, a.key.group);  // its input is gone for now
        return;
    }
    if (auto s = port_->set_route(e); !s)
        log(core::log_level::warning, "route (" + a.key.source.to_string() + ", " + a.key.group.to_string() +
                                          ") not installed: " + s.message());
    else if (log_.enabled(core::log_level::debug))
        log(core::log_level::debug, "route (" + a.key.source.to_string() + ", " + a.key.group.to_string() +
                                        ") with " + std::to_string(e.outputs.size()) + " outputs");
}

void proxy_instance::execute_remove_route(const core::route_key& key) {
    (void)port_->remove_route(key.source, key.group);  // ENOENT: never installed, fine
    if (log_.enabled(core::log_level::debug))
        log(core::log_level::debug,
            "route (" + key.source.to_string() + ", " + key.group.to_string() + ") removed");
}

void proxy_instance::read_counters(const core::read_counters_action& a, core::actions& out) {
    core::counters_event ev;
    for (const auto& key : a.keys)
        if (auto c = port_->counters(key.source, key.group)) {
            ev.samples.push_back({key, c.value().packets});
            routes_.set_counters(key, c.value().packets, c.value().bytes, c.value().wrong_if);
        }
    core_->handle(ev, monotonic_now(), out);
}

}  // namespace mcproxy::daemon
