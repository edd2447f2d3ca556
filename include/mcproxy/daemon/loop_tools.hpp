// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Small Boost.Asio helpers of the event loops: the clock the core is
/// given, a descriptor watcher and a deadline timer.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>

#include "mcproxy/core/types.hpp"

namespace mcproxy::daemon {

/// @brief The monotonic clock in the core's unit. The only place the daemon
/// reads time for the core.
core::time_point monotonic_now();

/// @brief Calls `on_readable` each time a descriptor it does not own becomes
/// readable, until destroyed. The callback may stop before the descriptor is
/// empty (a read limit): the re-armed wait fires again at once for what is
/// left (tests/unit/daemon/fd_watcher_test.cpp).
class fd_watcher {
public:
    /// @brief Watches `fd` on `io`; `on_readable` runs on the loop's thread.
    fd_watcher(boost::asio::io_context& io, int fd, std::function<void()> on_readable);
    ~fd_watcher();
    fd_watcher(const fd_watcher&) = delete;
    fd_watcher& operator=(const fd_watcher&) = delete;

private:
    void arm();
    boost::asio::posix::stream_descriptor descriptor_;
    std::function<void()> on_readable_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

/// @brief A one-shot timer re-armed to the core's next deadline.
class deadline_timer {
public:
    /// @brief A disarmed timer on `io`; `on_expiry` runs on the loop's thread.
    deadline_timer(boost::asio::io_context& io, std::function<void()> on_expiry);
    /// @brief Arms the timer for `at` (cancels it for nullopt). Re-arming to
    /// the same deadline is free.
    void schedule(std::optional<core::time_point> at);

private:
    boost::asio::steady_timer timer_;
    std::function<void()> on_expiry_;
    std::optional<core::time_point> armed_;
};

}  // namespace mcproxy::daemon
