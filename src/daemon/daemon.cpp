// SPDX-License-Identifier: GPL-2.0-or-later
// The main thread: load the configuration, open every instance, follow
// interfaces, steer tables with policy rules, handle signals, clean up.
#include "mcproxy/daemon/daemon.hpp"

#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "mcproxy/config/parse.hpp"
#include "mcproxy/config/summary.hpp"
#include "mcproxy/kernel/feature_check.hpp"
#include "mcproxy/kernel/link_monitor.hpp"
#include "mcproxy/kernel/policy_rules.hpp"
#include "mcproxy/kernel/rp_filter.hpp"
#include "mcproxy/daemon/config_diff.hpp"
#include "mcproxy/daemon/control_server.hpp"
#include "mcproxy/daemon/status_gather.hpp"
#include "mcproxy/daemon/core_settings.hpp"
#include "mcproxy/daemon/loop_tools.hpp"
#include "mcproxy/daemon/privileges.hpp"
#include "mcproxy/daemon/proxy_instance.hpp"
#include "mcproxy/daemon/sd_notify.hpp"

namespace mcproxy::daemon {

namespace {

/// EX_SOFTWARE (sysexits.h): an instance kept failing or stopped
/// answering. The packaged unit restarts mcproxy on it
/// (RestartForceExitStatus=70); 1, a bad configuration, is not retried.
constexpr int exit_restart_me = 70;

/// Prints every diagnostic to stderr; true when there was no error.
bool report(const config::parse_result& r) {
    for (const auto& d : r.errors) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    for (const auto& d : r.warnings) std::fprintf(stderr, "%s\n", d.to_string().c_str());
    return r.ok();
}

std::set<std::string> interface_names(const config::instance& inst) {
    std::set<std::string> names;
    for (const auto& u : inst.upstreams) names.insert(u.name);
    for (const auto& d : inst.downstreams) names.insert(d.name);
    return names;
}

/// The multicast policy rules of the instances with their own table:
/// traffic arriving on (iif) or leaving through (oif) their interfaces.
class table_rules {
public:
    explicit table_rules(logger& log) : log_(log) {}
    ~table_rules() { remove_all(); }

    kernel::status open() {
        auto rules = kernel::policy_rules::open();
        if (!rules) return rules.err();
        rules_.emplace(std::move(rules.value()));
        for (net::family f : {net::family::ipv4, net::family::ipv6}) {
            // A crashed earlier run may have left its rules (same protocol tag).
            if (auto n = rules_->remove_stale(f); n && n.value() > 0)
                log_.write(core::log_level::notice, "removed " + std::to_string(n.value()) + " stale " +
                                                        std::string(net::to_string(f)) +
                                                        " multicast rules of an earlier run");
        }
        return {};
    }

    /// Makes the installed rules those `instances` need: new ones are added
    /// before obsolete ones go, so unchanged instances never lose steering.
    kernel::status sync(const std::vector<config::instance>& instances) {
        std::vector<kernel::mroute_rule> wanted;
        for (const auto& inst : instances) {
            if (inst.table == 0) continue;
            for (const auto& name : interface_names(inst)) {
                for (bool incoming : {true, false}) {
                    kernel::mroute_rule r;
                    r.fam = inst.family;
                    r.table = inst.table;
                    (incoming ? r.iif : r.oif) = name;
                    wanted.push_back(r);
                }
            }
        }
        auto same = [](const kernel::mroute_rule& a, const kernel::mroute_rule& b) {
            return a.fam == b.fam && a.table == b.table && a.iif == b.iif && a.oif == b.oif;
        };
        for (auto r : wanted) {
            if (std::any_of(added_.begin(), added_.end(), [&](const auto& x) { return same(x, r); })) continue;
            r.priority = next_priority_++;
            if (auto s = rules_->add(r); !s) return s;
            added_.push_back(r);
        }
        for (auto it = added_.begin(); it != added_.end();) {
            if (std::any_of(wanted.begin(), wanted.end(), [&](const auto& x) { return same(x, *it); })) {
                ++it;
                continue;
            }
            if (auto s = rules_->remove(*it); !s) log_.write(core::log_level::warning, s.message());
            it = added_.erase(it);
        }
        return {};
    }

    void remove_all() {
        if (!rules_) return;
        for (const auto& r : added_)
            if (auto s = rules_->remove(r); !s) log_.write(core::log_level::warning, s.message());
        added_.clear();
    }

private:
    logger& log_;
    std::optional<kernel::policy_rules> rules_;
    std::vector<kernel::mroute_rule> added_;
    std::uint32_t next_priority_ = kernel::rule_priority_base;
};

/// `-r`: reverse-path filtering off on the IPv4 instances' interfaces
/// (and "all", since the kernel uses the maximum of both), restored at exit.
class rp_filter_reset {
public:
    rp_filter_reset(bool enabled, logger& log) : enabled_(enabled), log_(log) {}
    /// Interfaces of these instances are reset too (those that exist now at once).
    void add(const std::vector<config::instance>& instances, const std::vector<kernel::interface_event>& current) {
        if (!enabled_) return;
        for (const auto& inst : instances)
            if (inst.family == net::family::ipv4) names_.merge(interface_names(inst));
        if (names_.empty()) return;
        apply("all");
        for (const auto& ev : current)
            if (const auto* l = std::get_if<kernel::link_event>(&ev)) apply(l->name);
    }
    ~rp_filter_reset() {
        if (auto s = guard_.restore(); !s) log_.write(core::log_level::warning, s.message());
    }
    /// Applies to a configured interface that exists (now or later).
    void apply(const std::string& name) {
        if (!enabled_ || done_.count(name) || (name != "all" && !names_.count(name))) return;
        if (auto s = guard_.set(name, 0); !s) {
            log_.write(core::log_level::warning, "-r: " + s.message());
            return;
        }
        done_.insert(name);
        log_.write(core::log_level::debug, "rp_filter of " + name + " set to 0");
    }
    void forget(const std::string& name) {
        if (done_.erase(name)) guard_.forget(name);
    }
    /// After lost events: interfaces missing from `current` (a full dump)
    /// were deleted meanwhile, as if their RTM_DELLINK had arrived.
    void resync(const std::vector<kernel::interface_event>& current) {
        std::set<std::string> present;
        for (const auto& ev : current)
            if (const auto* l = std::get_if<kernel::link_event>(&ev)) present.insert(l->name);
        std::vector<std::string> gone;
        for (const auto& name : done_)
            if (name != "all" && !present.count(name)) gone.push_back(name);
        for (const auto& name : gone) forget(name);
        for (const auto& name : present) apply(name);
    }

private:
    bool enabled_;
    logger& log_;
    std::set<std::string> names_;
    std::set<std::string> done_;
    kernel::rp_filter_guard guard_;
};

}  // namespace

int test_config(const options& opt) {
    const config::parse_result r = config::parse_file(opt.config_path);
    if (!report(r)) {
        std::fprintf(stderr, "mcproxy: %s: configuration is not valid\n", opt.config_path.c_str());
        return 1;
    }
    std::fputs(config::summarize(*r.config).c_str(), stdout);
    // Interfaces may appear later (ppp0, tun0): a warning, not an error.
    for (const auto& inst : r.config->instances)
        for (const auto& name : interface_names(inst))
            if (if_nametoindex(name.c_str()) == 0)
                std::printf("warning: interface %s of instance '%s' does not exist now (mcproxy waits for it)\n",
                            name.c_str(), inst.name.c_str());
    if (r.config->disabled) {
        std::fprintf(stderr, "mcproxy: %s: the configuration says 'disable;'\n", opt.config_path.c_str());
        return 1;
    }
    std::printf("configuration %s is valid\n", opt.config_path.c_str());
    return 0;
}

int check_kernel() {
    const auto results = kernel::run_feature_checks();
    std::fputs(kernel::format_checks(results).c_str(), stdout);
    return kernel::required_checks_passed(results) ? 0 : 1;
}

namespace {

/// Everything the main thread owns while the daemon runs.
class supervisor {
public:
    supervisor(const options& opt, logger& log) : opt_(opt), log_(log), rules_(log), rp_(opt.reset_rp_filter, log) {}
    ~supervisor() { stop_instances(); }

    /// Opens everything for `model`; an error message when it cannot.
    std::optional<std::string> start(config::model model) {
        auto monitor = kernel::link_monitor::open();
        if (!monitor) return monitor.message();
        monitor_.emplace(std::move(monitor.value()));
        auto current = monitor_->dump();
        if (!current) return current.message();
        if (auto s = rules_.open(); !s) return "multicast policy rules: " + s.message();
        if (auto s = rules_.sync(model.instances); !s) return "multicast policy rules: " + s.message();
        rp_.add(model.instances, current.value());
        for (const auto& inst : model.instances) {
            auto p = open_instance(inst, current.value());
            if (!p) return p.message();
            instances_.push_back(std::move(p.value()));
        }
        model_ = std::move(model);
        return std::nullopt;
    }

    /// Starts every instance's loop; `main` is the main thread's loop, where
    /// failures are handled and status replies are built.
    void run_instances(boost::asio::io_context& main) {
        main_ = &main;
        for (auto& p : instances_) launch(*p);
    }

    /// Why the daemon must exit non-zero (the service manager restarts it),
    /// or nothing. Set on the main thread; the main loop is stopped with it.
    const std::optional<std::string>& fatal() const { return fatal_; }

    /// An instance whose loop ended by an exception (proxy_instance::failed)
    /// is stopped, which removes its VIFs and routes, and opened afresh, so
    /// the other instances and the daemon run on. An instance that fails
    /// again and again is a bug that a restart does not cure: after
    /// max_restarts within restart_window the daemon exits with status 70,
    /// and systemd (RestartForceExitStatus=70) or the operator takes over.
    void restart_failed() {
        for (auto& p : instances_) {
            if (!p || !p->failed()) continue;
            const config::instance conf = p->conf();
            const std::string reason = p->failure();
            answer_pending_shows(conf);
            p->stop();
            p.reset();
            if (!restart_allowed(conf.name)) {
                return die("pinstance " + conf.name + " failed (" + reason + ") " + std::to_string(max_restarts + 1) +
                           " times within " + std::to_string(restart_window.count()) + " s; exiting");
            }
            log_.write(core::log_level::error,
                       "pinstance " + conf.name + " failed (" + reason + "): its routes and VIFs are removed, "
                       "restarting it");
            auto current = monitor_->dump();
            if (!current) return die("restarting pinstance " + conf.name + ": " + current.message());
            auto q = open_instance(conf, current.value());
            if (!q) return die("restarting " + q.message());
            launch(*q.value());
            p = std::move(q.value());
            log_.write(core::log_level::notice, "pinstance " + conf.name + " restarted");
        }
    }

    /// SIGHUP: the new file completely checked first; when it is bad nothing
    /// changes. Otherwise untouched instances keep running as they are,
    /// changed ones restart, new ones start, removed ones stop.
    std::optional<std::string> reload() {
        const config::parse_result parsed = config::parse_file(opt_.config_path);
        for (const auto& d : parsed.warnings) log_.write(core::log_level::warning, "reload: " + d.to_string());
        if (!parsed.ok()) {
            std::string text = "reload refused, still running the previous configuration:";
            for (const auto& d : parsed.errors) text += "\n" + d.to_string();
            if (geteuid() != 0 && text.find("Permission denied") != std::string::npos)
                text += "\n(mcproxy no longer runs as root: make the file readable for its user, "
                        "e.g. chmod 644, or start it with -U USER or --keep-root)";
            return text;
        }
        config::model next = *parsed.config;
        if (next.disabled) return std::string("reload refused: the new file says 'disable;'");
        auto current = monitor_->dump();
        if (!current) return "reload: " + current.message();

        std::vector<std::unique_ptr<proxy_instance>> kept;
        std::vector<const config::instance*> to_open;
        for (const auto& inst : next.instances) {
            auto it = std::find_if(instances_.begin(), instances_.end(), [&](const auto& p) {
                return p && p->conf().name == inst.name && p->conf().family == inst.family;
            });
            if (it != instances_.end() && same_settings((*it)->conf(), inst)) {
                kept.push_back(std::move(*it));
                continue;
            }
            // Only downstreams added or removed: done inside the running
            // instance, so its other interfaces and routes do not blink.
            if (it != instances_.end()) {
                using outcome = proxy_instance::reconfigure_outcome;
                const outcome o = (*it)->reconfigure(inst, current.value(), reload_limit);
                if (o == outcome::applied) {
                    kept.push_back(std::move(*it));
                    continue;
                }
                if (o == outcome::stuck) {
                    // Its thread cannot be stopped from here: the daemon
                    // exits instead of hanging (fatal_, run_daemon).
                    abandoned_.push_back(std::move(*it));
                    for (auto& k : kept) instances_.push_back(std::move(k));
                    std::erase(instances_, nullptr);
                    const std::string e = "reload: pinstance " + inst.name + " did not answer within " +
                                          std::to_string(reload_limit.count()) + " ms; exiting";
                    die(e);
                    return e;
                }
            }
            if (it != instances_.end()) {
                log_.write(core::log_level::notice, "reload: pinstance " + inst.name + " changed, restarting it");
                (*it)->stop();
                it->reset();
            } else {
                log_.write(core::log_level::notice, "reload: new pinstance " + inst.name);
            }
            to_open.push_back(&inst);
        }
        for (auto& p : instances_) {
            if (!p) continue;
            log_.write(core::log_level::notice, "reload: pinstance " + p->conf().name + " removed");
            p->stop();
        }
        instances_ = std::move(kept);
        std::optional<std::string> failure;
        if (auto s = rules_.sync(next.instances); !s) failure = "reload: multicast policy rules: " + s.message();
        rp_.add(next.instances, current.value());
        for (const config::instance* inst : to_open) {
            auto p = open_instance(*inst, current.value());
            if (!p) {
                failure = p.message();
                continue;
            }
            launch(*p.value());
            instances_.push_back(std::move(p.value()));
        }
        model_ = std::move(next);
        if (!failure) log_.write(core::log_level::notice, "reload: configuration " + opt_.config_path + " applied");
        return failure;
    }

    /// Reads interface events and hands them to every instance.
    void on_interface_events() {
        auto events = monitor_->read();
        if (!events) {
            // ENOBUFS: events were lost, deletions among them. A dump lists
            // only what exists now, so it replaces what was known instead of
            // being applied as events (which would keep deleted interfaces).
            log_.write(core::log_level::warning, "interface events lost (" + events.message() + "), re-reading");
            auto current = monitor_->dump();
            if (!current) return log_.write(core::log_level::error, current.message());
            rp_.resync(current.value());
            for (auto& p : instances_) p->post_resync(current.value());
            return;
        }
        for (const auto& ev : events.value()) {
            if (const auto* l = std::get_if<kernel::link_event>(&ev)) {
                if (l->what == kernel::link_event::kind::new_link)
                    rp_.apply(l->name);
                else
                    rp_.forget(l->name);
            }
            for (auto& p : instances_) p->post(ev);
        }
    }

    int monitor_fd() const { return monitor_->native_handle(); }

    /// `mcproxyctl show ...`: every instance's snapshot, taken on its own
    /// thread and handed back to the main thread, which builds the reply
    /// from them. A failed instance (about to be restarted) shows without
    /// interfaces and routes.
    void show(const control_request& req, reply_callback reply) {
        auto gather = status_gather::create(req, instances_.size(), std::move(reply));
        boost::asio::io_context* main = main_;
        std::erase_if(pending_shows_, [](const pending_show& s) { return s.gather.expired(); });
        for (std::size_t i = 0; i < instances_.size(); ++i) {
            proxy_instance* p = instances_[i].get();
            if (p->failed() || main == nullptr) {
                gather->deliver(i, failed_status(p->conf()));
                continue;
            }
            pending_shows_.push_back({gather, i, p->conf().name, p->conf().family});
            boost::asio::post(p->io(), [i, gather, p, main] {
                boost::asio::post(*main, [i, gather, s = p->status()]() mutable { gather->deliver(i, std::move(s)); });
            });
        }
    }
    std::size_t instance_count() const { return instances_.size(); }

    void stop_instances() {
        for (auto& p : instances_)
            if (p) p->stop();
        instances_.clear();
        rules_.remove_all();
        // A stuck instance's thread still uses its object: neither joined
        // nor freed; the process is about to exit, and closing its sockets
        // at exit makes the kernel drop that table's VIFs and routes.
        for (auto& p : abandoned_) p->abandon();
        for (auto& p : abandoned_) (void)p.release();
        if (!abandoned_.empty()) abandoned_any_ = true;
        abandoned_.clear();
    }
    /// Whether a stuck instance's thread was left running (see stop_instances).
    bool abandoned_any() const { return abandoned_any_; }

private:
    struct open_result {
        std::unique_ptr<proxy_instance> p;
        std::string error;
        explicit operator bool() const { return p != nullptr; }
        std::unique_ptr<proxy_instance>& value() { return p; }
        const std::string& message() const { return error; }
    };

    open_result open_instance(const config::instance& inst, const std::vector<kernel::interface_event>& current) {
        auto p = std::make_unique<proxy_instance>(inst, log_, opt_.print_status);
        if (auto s = p->open(current); !s) return open_result{nullptr, "pinstance " + inst.name + ": " + s.message()};
        return open_result{std::move(p), {}};
    }

    /// Gives the instance its failure handler (the main thread restarts
    /// it) and starts its loop.
    void launch(proxy_instance& p) {
        p.on_failure([this](const std::string&) {
            if (main_ != nullptr) boost::asio::post(*main_, [this] { restart_failed(); });
        });
        p.start();
    }

    bool restart_allowed(const std::string& name) {
        const auto now = std::chrono::steady_clock::now();
        auto& times = restarts_[name];
        std::erase_if(times, [&](auto t) { return now - t > restart_window; });
        if (times.size() >= max_restarts) return false;
        times.push_back(now);
        return true;
    }

    /// A show waiting on an instance whose loop failed gets that instance's
    /// row now: the failed loop will never run the posted task
    /// (status_gather ignores a second delivery for the same row).
    void answer_pending_shows(const config::instance& conf) {
        for (const auto& s : pending_shows_)
            if (s.name == conf.name && s.family == conf.family)
                if (auto g = s.gather.lock()) g->deliver(s.index, failed_status(conf));
    }

    void die(const std::string& why) {
        std::erase(instances_, nullptr);
        fatal_ = why;
        if (main_ != nullptr) main_->stop();
    }

    static instance_status failed_status(const config::instance& conf) {
        instance_status st;
        st.name = conf.name;
        st.protocol = to_wire(conf.protocol);
        if (conf.table != 0) st.table = conf.table;
        return st;
    }

    /// A reload waits this long for an instance to apply it in place.
    static constexpr std::chrono::milliseconds reload_limit{10'000};
    static constexpr std::size_t max_restarts = 3;
    static constexpr std::chrono::seconds restart_window{60};

    const options& opt_;
    logger& log_;
    boost::asio::io_context* main_ = nullptr;
    std::optional<std::string> fatal_;
    std::map<std::string, std::vector<std::chrono::steady_clock::time_point>> restarts_;
    std::vector<std::unique_ptr<proxy_instance>> abandoned_;
    bool abandoned_any_ = false;
    struct pending_show {
        std::weak_ptr<status_gather> gather;
        std::size_t index;
        std::string name;
        net::family family;
    };
    std::vector<pending_show> pending_shows_;
    std::optional<kernel::link_monitor> monitor_;
    table_rules rules_;
    rp_filter_reset rp_;
    config::model model_;
    std::vector<std::unique_ptr<proxy_instance>> instances_;
};

}  // namespace

int run_daemon(const options& opt, logger& log) {
    const config::parse_result parsed = config::parse_file(opt.config_path);
    if (!report(parsed)) {
        std::fprintf(stderr, "mcproxy: %s: configuration is not valid, not starting\n", opt.config_path.c_str());
        return 1;
    }
    const config::model& model = *parsed.config;
    if (model.disabled) {
        std::fprintf(stderr, "mcproxy: %s says 'disable;': not starting\n", opt.config_path.c_str());
        return 1;
    }
    if (model.instances.empty()) {
        std::fprintf(stderr, "mcproxy: %s defines no proxy instance (pinstance NAME: UP ==> DOWN;)\n",
                     opt.config_path.c_str());
        return 1;
    }
    auto fail = [&](const std::string& what) {
        log.write(core::log_level::error, what);
        std::fprintf(stderr, "mcproxy: %s\n", what.c_str());
        return 1;
    };

    supervisor sup(opt, log);
    if (auto e = sup.start(model)) return fail(*e);
    boost::asio::io_context io;

    // The control socket for mcproxyctl, created while still root. Without
    // it mcproxy still forwards: a failure is logged, not fatal.
    std::optional<control_server> control;
    {
        control_server_settings cs;
        cs.path = opt.control_socket;
        cs.log = [&log](core::log_level l, const std::string& t) { log.write(l, "control socket: " + t); };
        auto handler = [&](const control_request& req, reply_callback reply) {
            if (req.command == command_kind::reload) {
                log.write(core::log_level::notice, "mcproxyctl reload: reloading " + opt.config_path);
                const auto e = sup.reload();
                if (e) log.write(core::log_level::error, *e);
                reply(e ? control_reply::error(*e) : control_reply::success("reloaded " + opt.config_path + "\n"));
                return;
            }
            sup.show(req, std::move(reply));
        };
        try {
            control.emplace(io, cs, handler);
        } catch (const std::exception& e) {
            log.write(core::log_level::error, std::string(e.what()) + " (mcproxyctl will not work; -u PATH chooses another socket)");
        }
    }
    // systemd Type=notify (nothing happens without $NOTIFY_SOCKET); connected
    // now, while the socket is surely reachable.
    sd_notifier notifier = sd_notifier::from_environment();
    auto notify = [&](notify_result r) {
        if (r == notify_result::failed) log.write(core::log_level::warning, "sd_notify: " + notifier.last_error());
    };
    notify(notifier.keep_connected());
    // Every socket is open: from here on no root, only CAP_NET_ADMIN and
    // CAP_NET_RAW (threads started below inherit that).
    if (opt.keep_root) {
        log.write(core::log_level::warning, "running as root (--keep-root)");
    } else {
        const std::string user = opt.user.value_or(default_user());
        if (auto e = drop_privileges(user)) return fail("dropping privileges: " + *e);
        log.write(core::log_level::notice, "running as " + current_identity() + " with CAP_NET_ADMIN and CAP_NET_RAW only");
    }
    sup.run_instances(io);
    log.write(core::log_level::notice, std::string("mcproxy ") + MCPROXY_VERSION + " running " +
                                           std::to_string(sup.instance_count()) + " instance(s) from " +
                                           opt.config_path);

    fd_watcher link_watcher(io, sup.monitor_fd(), [&] { sup.on_interface_events(); });
    // The handlers are in place before READY=1: systemd may reload the unit
    // (SIGHUP) as soon as it is told so, and a SIGHUP that finds no handler
    // ends the process (its default action).
    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            if (sig == SIGHUP) {
                log.write(core::log_level::notice, "SIGHUP: reloading " + opt.config_path);
                notify(notifier.reloading());
                const auto e = sup.reload();
                if (e) log.write(core::log_level::error, *e);
                notify(notifier.ready(e ? "reload failed: " + *e : std::to_string(sup.instance_count()) +
                                                                      " instance(s) running, reloaded"));
                signals.async_wait(on_signal);
                return;
            }
            log.write(core::log_level::notice, std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                                                   ", shutting down");
            notify(notifier.stopping());
            io.stop();
        };
    signals.async_wait(on_signal);
    notify(notifier.ready(std::to_string(sup.instance_count()) + " instance(s) running"));
    io.run();

    if (sup.fatal()) {
        log.write(core::log_level::error, *sup.fatal());
        std::fprintf(stderr, "mcproxy: %s\n", sup.fatal()->c_str());
        notify(notifier.stopping());
    }
    if (control) control->stop();
    sup.stop_instances();
    log.write(core::log_level::notice, sup.fatal() ? "mcproxy stopped after a failure" : "mcproxy stopped");
    // A stuck instance's thread still runs and uses objects that end with
    // this function and with main(): leave at once, without destructors.
    // Closing the process's sockets makes the kernel drop its tables.
    if (sup.abandoned_any()) {
        std::fflush(nullptr);
        std::_Exit(exit_restart_me);
    }
    return sup.fatal() ? exit_restart_me : 0;
}

}  // namespace mcproxy::daemon
