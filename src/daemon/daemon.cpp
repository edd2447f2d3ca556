// SPDX-License-Identifier: GPL-2.0-or-later
// The main thread: load the configuration, open every instance, follow
// interfaces, steer tables with policy rules, handle signals, clean up.
#include "mcproxy/daemon/daemon.hpp"

#include <net/if.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "mcproxy/config/parse.hpp"
#include "mcproxy/config/summary.hpp"
#include "mcproxy/kernel/feature_check.hpp"
#include "mcproxy/kernel/link_monitor.hpp"
#include "mcproxy/kernel/policy_rules.hpp"
#include "mcproxy/kernel/rp_filter.hpp"
#include "mcproxy/daemon/core_settings.hpp"
#include "mcproxy/daemon/loop_tools.hpp"
#include "mcproxy/daemon/proxy_instance.hpp"

namespace mcproxy::daemon {

namespace {

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

    kernel::status install(const std::vector<config::instance>& instances) {
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
        std::uint32_t priority = kernel::rule_priority_base;
        for (const auto& inst : instances) {
            if (inst.table == 0) continue;
            for (const auto& name : interface_names(inst)) {
                for (bool incoming : {true, false}) {
                    kernel::mroute_rule r;
                    r.fam = inst.family;
                    r.table = inst.table;
                    (incoming ? r.iif : r.oif) = name;
                    r.priority = priority++;
                    if (auto s = rules_->add(r); !s) return s;
                    added_.push_back(r);
                }
            }
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
};

/// `-r`: reverse-path filtering off on the IPv4 instances' interfaces
/// (and "all", since the kernel uses the maximum of both), restored at exit.
class rp_filter_reset {
public:
    rp_filter_reset(bool enabled, const std::vector<config::instance>& instances, logger& log) : log_(log) {
        if (!enabled) return;
        for (const auto& inst : instances)
            if (inst.family == net::family::ipv4) names_.merge(interface_names(inst));
        if (names_.empty()) return;
        apply("all");
    }
    ~rp_filter_reset() {
        if (auto s = guard_.restore(); !s) log_.write(core::log_level::warning, s.message());
    }
    /// Applies to a configured interface that exists (now or later).
    void apply(const std::string& name) {
        if (name != "all" && (!names_.count(name) || done_.count(name))) return;
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

private:
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

    auto monitor = kernel::link_monitor::open();
    if (!monitor) return fail(monitor.message());
    auto current = monitor->dump();
    if (!current) return fail(current.message());

    table_rules rules(log);
    if (auto s = rules.install(model.instances); !s) return fail("multicast policy rules: " + s.message());
    rp_filter_reset rp(opt.reset_rp_filter, model.instances, log);
    for (const auto& ev : current.value())
        if (const auto* l = std::get_if<kernel::link_event>(&ev)) rp.apply(l->name);

    std::vector<std::unique_ptr<proxy_instance>> instances;
    for (const auto& inst : model.instances) {
        auto p = std::make_unique<proxy_instance>(inst, log, opt.print_status);
        if (auto s = p->open(current.value()); !s)
            return fail("pinstance " + inst.name + ": " + s.message());
        instances.push_back(std::move(p));
    }
    for (auto& p : instances) p->start();
    log.write(core::log_level::notice, std::string("mcproxy ") + MCPROXY_VERSION + " running " +
                                           std::to_string(instances.size()) + " instance(s) from " +
                                           opt.config_path);

    boost::asio::io_context io;
    auto deliver = [&](const std::vector<kernel::interface_event>& events) {
        for (const auto& ev : events) {
            if (const auto* l = std::get_if<kernel::link_event>(&ev)) {
                if (l->what == kernel::link_event::kind::new_link)
                    rp.apply(l->name);
                else
                    rp.forget(l->name);
            }
            for (auto& p : instances) p->post(ev);
        }
    };
    fd_watcher link_watcher(io, monitor->native_handle(), [&] {
        auto events = monitor->read();
        if (!events) {
            // ENOBUFS: events were lost; the full state tells what changed.
            log.write(core::log_level::warning, "interface events lost (" + events.message() + "), re-reading");
            events = monitor->dump();
            if (!events) return log.write(core::log_level::error, events.message());
        }
        deliver(events.value());
    });

    boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int sig) {
            if (ec) return;
            if (sig == SIGHUP) {
                log.write(core::log_level::warning,
                          "SIGHUP: live reload is not available in this version; restart mcproxy to apply "
                          "configuration changes");
                signals.async_wait(on_signal);
                return;
            }
            log.write(core::log_level::notice, std::string("received ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") +
                                                   ", shutting down");
            io.stop();
        };
    signals.async_wait(on_signal);
    io.run();

    for (auto& p : instances) p->stop();
    instances.clear();
    rules.remove_all();
    log.write(core::log_level::notice, "mcproxy stopped");
    return 0;
}

}  // namespace mcproxy::daemon
