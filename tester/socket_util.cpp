// SPDX-License-Identifier: GPL-2.0-or-later
// POSIX helpers of mcproxy-tester.
#include "socket_util.hpp"

#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>

namespace mcproxy::tester {

namespace {
// The only global state of the tester: signal handlers can do nothing else.
volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }
}  // namespace

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.fd_;
        o.fd_ = -1;
    }
    return *this;
}

unique_fd::~unique_fd() {
    if (fd_ >= 0) ::close(fd_);
}

sockaddr_storage to_sockaddr(const net::address& a, unsigned port, unsigned scope) {
    sockaddr_storage ss{};
    if (a.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&sin->sin_addr, a.data(), 4);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(static_cast<std::uint16_t>(port));
        std::memcpy(&sin6->sin6_addr, a.data(), 16);
        sin6->sin6_scope_id = scope;
    }
    return ss;
}

socklen_t sockaddr_len(const net::address& a) {
    return a.is_v4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
}

net::address from_sockaddr(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&ss);
        std::array<std::uint8_t, 4> b{};
        std::memcpy(b.data(), &sin->sin_addr, 4);
        return net::address::v4(b);
    }
    if (ss.ss_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&ss);
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), &sin6->sin6_addr, 16);
        return net::address::v6(b);
    }
    return net::address{};
}

unsigned interface_index(const std::string& name) {
    const unsigned idx = ::if_nametoindex(name.c_str());
    if (idx == 0) throw tester_error{"interface '" + name + "' does not exist"};
    return idx;
}

std::string errno_text(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

void install_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: poll and sleep return early
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

bool stop_requested() { return g_stop != 0; }

std::int64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::int64_t realtime_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace mcproxy::tester
