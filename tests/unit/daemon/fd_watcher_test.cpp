// SPDX-License-Identifier: GPL-2.0-or-later
// fd_watcher: proxy_instance reads at most read_batch datagrams per call, so
// a callback that stops at its limit must be called again for the data
// already queued, without new data arriving (asio's reactor re-checks
// readiness when the wait is armed again; this test pins that down).
#include "mcproxy/daemon/loop_tools.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <fcntl.h>

namespace mcproxy::daemon {
namespace {

struct pipe_pair {
    int rd = -1;
    int wr = -1;
    pipe_pair() {
        std::array<int, 2> fds{};
        if (::pipe2(fds.data(), O_NONBLOCK | O_CLOEXEC) == 0) {
            rd = fds[0];
            wr = fds[1];
        }
    }
    ~pipe_pair() {
        if (rd >= 0) ::close(rd);
        if (wr >= 0) ::close(wr);
    }
    pipe_pair(const pipe_pair&) = delete;
    pipe_pair& operator=(const pipe_pair&) = delete;
};

// Reads at most `limit` bytes per call, like proxy_instance's read_batch.
std::size_t read_some(int fd, std::size_t limit) {
    std::size_t n = 0;
    char c = 0;
    while (n < limit && ::read(fd, &c, 1) == 1) ++n;
    return n;
}

TEST(FdWatcher, CallsAgainWhileTheCallbackStopsAtItsLimit) {
    pipe_pair p;
    ASSERT_GE(p.rd, 0);
    constexpr std::size_t total = 300;
    constexpr std::size_t limit = 16;
    const std::array<char, total> data{};
    ASSERT_EQ(::write(p.wr, data.data(), data.size()), static_cast<ssize_t>(total));

    boost::asio::io_context io;
    std::size_t consumed = 0;
    int calls = 0;
    fd_watcher w(io, p.rd, [&] {
        ++calls;
        consumed += read_some(p.rd, limit);
    });
    // Nothing more is written: only the re-posted calls can read the rest.
    io.run_for(std::chrono::seconds(2));
    EXPECT_EQ(consumed, total);
    EXPECT_EQ(calls, static_cast<int>(total / limit + 1));  // 18 full reads, then 12 bytes
}

TEST(FdWatcher, WaitsAgainAfterADrainingCall) {
    pipe_pair p;
    ASSERT_GE(p.rd, 0);
    boost::asio::io_context io;
    std::size_t consumed = 0;
    fd_watcher w(io, p.rd, [&] {
        consumed += read_some(p.rd, 1000);
    });
    ASSERT_EQ(::write(p.wr, "abc", 3), 3);
    io.run_for(std::chrono::milliseconds(200));
    EXPECT_EQ(consumed, 3U);
    ASSERT_EQ(::write(p.wr, "de", 2), 2);
    io.restart();
    io.run_for(std::chrono::milliseconds(200));
    EXPECT_EQ(consumed, 5U);
}

}  // namespace
}  // namespace mcproxy::daemon
