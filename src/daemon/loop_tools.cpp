// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/loop_tools.hpp"

namespace mcproxy::daemon {

core::time_point monotonic_now() {
    return std::chrono::time_point_cast<core::duration>(std::chrono::steady_clock::now());
}

fd_watcher::fd_watcher(boost::asio::io_context& io, int fd, std::function<void()> on_readable)
    : descriptor_(io, fd), on_readable_(std::move(on_readable)) {
    arm();
}

fd_watcher::~fd_watcher() {
    *alive_ = false;
    boost::system::error_code ignored;
    descriptor_.cancel(ignored);
    descriptor_.release();  // the socket object owns the descriptor, not us
}

void fd_watcher::arm() {
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this, alive = alive_](const boost::system::error_code& ec) {
                               if (!*alive || ec) return;
                               on_readable_();
                               if (*alive) arm();
                           });
}

deadline_timer::deadline_timer(boost::asio::io_context& io, std::function<void()> on_expiry)
    : timer_(io), on_expiry_(std::move(on_expiry)) {}

void deadline_timer::schedule(std::optional<core::time_point> at) {
    if (at == armed_) return;
    armed_ = at;
    timer_.cancel();
    if (!at) return;
    timer_.expires_at(std::chrono::steady_clock::time_point(at->time_since_epoch()));
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        armed_.reset();
        on_expiry_();
    });
}

}  // namespace mcproxy::daemon
