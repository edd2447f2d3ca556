// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief One running proxy instance: its core, its kernel table and
/// sockets, and the event loop thread that drives them.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>

#include "mcproxy/config/model.hpp"
#include "mcproxy/core/instance.hpp"
#include "mcproxy/daemon/counters.hpp"
#include "mcproxy/daemon/intake.hpp"
#include "mcproxy/daemon/interface_table.hpp"
#include "mcproxy/daemon/kernel_port.hpp"
#include "mcproxy/daemon/log.hpp"
#include "mcproxy/daemon/loop_tools.hpp"
#include "mcproxy/daemon/route_book.hpp"
#include "mcproxy/daemon/status.hpp"

namespace mcproxy::daemon {

/// @brief A proxy instance: the I/O-free core::instance, a kernel_port and
/// an io_context on its own thread. The main thread creates it, feeds it
/// interface events and stops it; everything else happens on its thread.
class proxy_instance {
public:
    /// @brief An instance for `conf`; nothing is opened yet.
    proxy_instance(config::instance conf, logger& log, bool print_status);
    ~proxy_instance();
    proxy_instance(const proxy_instance&) = delete;
    proxy_instance& operator=(const proxy_instance&) = delete;

    /// @brief Main thread, before start(): opens the kernel table and
    /// sockets, applies the interfaces as they are now (VIFs, joins) and
    /// creates the core. An error here is fatal for the daemon.
    kernel::status open(const std::vector<kernel::interface_event>& current);
    /// @brief Starts the event loop thread.
    void start();
    /// @brief Hands an interface event to the loop (any thread).
    void post(const kernel::interface_event& ev);
    /// @brief Hands the loop a full interface dump taken after events were
    /// lost (any thread): what it lacks was deleted (interface_table::resync).
    void post_resync(std::vector<kernel::interface_event> snapshot);
    /// @brief Removes every route and VIF, closes the table and joins the
    /// thread (bounded: the loop only finishes its current handler). After
    /// a failure (failed()) the kernel state is removed from the calling
    /// thread, since the loop that owned it is gone.
    void stop();

    /// @brief Called on the instance's thread, with the reason, when its
    /// loop ends because a handler threw; the loop runs no further work.
    /// Set before start().
    void on_failure(std::function<void(const std::string&)> handler) { on_failure_ = std::move(handler); }
    /// @brief Whether the loop ended by an exception (any thread).
    bool failed() const { return failed_.load(std::memory_order_acquire); }
    /// @brief Why it ended (valid once failed() is true).
    const std::string& failure() const { return failure_; }

    /// @brief For a loop that does not answer: lets its thread go (detached)
    /// instead of joining it. The object must then outlive the thread; the
    /// caller leaks it on the way to exit.
    void abandon() {
        stopped_ = true;
        io_.stop();  // runs nothing more once the stuck handler returns
        if (thread_.joinable()) thread_.detach();
    }

    /// @brief What reconfigure() did.
    enum class reconfigure_outcome {
        applied,   ///< done in place, the instance runs on
        restart,   ///< not possible in place, or the loop failed: the caller restarts the instance
        stuck,     ///< the loop did not answer within `limit`: it cannot be stopped safely
    };
    /// @brief A reload that only adds or removes downstream interfaces
    /// (config_diff.hpp reconfigurable_in_place): applied on the instance's
    /// thread while everything else keeps running; waits until done, at most
    /// `limit`. `current` is a fresh interface dump.
    reconfigure_outcome reconfigure(const config::instance& next, const std::vector<kernel::interface_event>& current,
                                    std::chrono::milliseconds limit);

    /// @brief The configured instance.
    const config::instance& conf() const { return conf_; }
    /// @brief The event loop (post work to run on the instance's thread).
    boost::asio::io_context& io() { return io_; }
    /// @brief The state for `mcproxy -s` and `mcproxyctl show`; call it on
    /// the instance's thread (post to io()).
    instance_status status();

private:
    struct applied_interface {
        unsigned vif_ifindex = 0;  ///< ifindex that has our VIF/MIF (0: none)
        bool joined = false;       ///< router groups joined on vif_ifindex
        bool core_up = true;       ///< what the core was told (it starts with all up)
        net::address core_address; ///< what the core was told
    };

    void on_readable();
    void on_input(kernel_input&& in, core::actions& out);
    void on_packet(const kernel::received_packet& p, core::actions& out);
    void on_upcall(const kernel::upcall& u, core::actions& out);
    void on_interface_event(const kernel::interface_event& ev);
    void on_interfaces_changed(const std::vector<core::if_index>& changed);
    void reconcile(core::if_index id, core::actions& out);
    kernel::status reconcile_kernel(const interface_state& st, applied_interface& a);
    void reinstall_routes(core::if_index id);
    bool apply_reconfiguration(const config::instance& next, const std::vector<kernel::interface_event>& current);
    void drop_interface(core::if_index id);
    void on_timer();
    void run_loop();
    void remove_kernel_state();
    void execute(core::actions& acts);
    void execute_send(const core::send_action& a);
    void execute_set_route(const core::set_route_action& a);
    void execute_remove_route(const core::route_key& key);
    void read_counters(const core::read_counters_action& a, core::actions& out);
    void reschedule();
    void print_status();
    void log(core::log_level level, const std::string& text);

    config::instance conf_;
    logger& log_;
    bool print_status_;
    std::string tag_;
    interface_table ifaces_;
    std::map<core::if_index, applied_interface> applied_;
    std::optional<kernel_port> port_;
    std::unique_ptr<core::instance> core_;
    /// Routes as applied (core ids): reinstalled when an interface gets a
    /// new ifindex, listed with their kernel counters in the status.
    route_book routes_;
    counters stats_;

    boost::asio::io_context io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    std::vector<std::unique_ptr<fd_watcher>> watchers_;
    std::unique_ptr<deadline_timer> timer_;
    std::unique_ptr<boost::asio::steady_timer> status_timer_;
    std::thread thread_;
    bool stopped_ = false;
    bool shut_down_ = false;  ///< the shutdown task ran (on whichever thread)
    std::function<void(const std::string&)> on_failure_;
    std::string failure_;            ///< written before failed_ is set
    std::atomic<bool> failed_{false};
    bool fault_armed_ = false;  ///< fault_injection.hpp: the next timer handler throws
};

}  // namespace mcproxy::daemon
