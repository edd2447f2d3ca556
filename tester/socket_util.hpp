// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Small POSIX socket helpers of mcproxy-tester: file descriptor
/// ownership, sockaddr conversion, interface lookup, signals and clocks.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "mcproxy/net/address.hpp"

namespace mcproxy::tester {

/// @brief Owns a file descriptor and closes it once.
class unique_fd {
public:
    unique_fd() = default;
    /// @brief Takes ownership of `fd` (-1 for none).
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    unique_fd(unique_fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    unique_fd& operator=(unique_fd&& o) noexcept;
    ~unique_fd();
    /// @brief The descriptor, -1 if none.
    int get() const { return fd_; }
    /// @brief Whether a descriptor is held.
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_ = -1;
};

/// @brief Thrown for failures the user must see: exit status 1.
struct tester_error {
    std::string message;  ///< one line, already saying what failed
};

/// @brief sockaddr_in / sockaddr_in6 for `a` and `port`; `scope` is the
/// IPv6 scope id (interface index) and ignored for IPv4.
sockaddr_storage to_sockaddr(const net::address& a, unsigned port, unsigned scope = 0);
/// @brief Length of the sockaddr for the family of `a`.
socklen_t sockaddr_len(const net::address& a);
/// @brief Address held in a sockaddr_in / sockaddr_in6 (IPv4-mapped IPv6
/// addresses are not unwrapped; the tester never uses them).
net::address from_sockaddr(const sockaddr_storage& ss);

/// @brief Interface index of `name`; throws tester_error if it does not exist.
unsigned interface_index(const std::string& name);

/// @brief "what: strerror(errno)".
std::string errno_text(const std::string& what);

/// @brief Installs SIGINT/SIGTERM handlers (without SA_RESTART, so blocking
/// calls return EINTR) that set the stop flag.
void install_stop_signals();
/// @brief Whether SIGINT or SIGTERM arrived.
bool stop_requested();

/// @brief CLOCK_MONOTONIC in nanoseconds.
std::int64_t monotonic_ns();
/// @brief CLOCK_REALTIME in nanoseconds (shared by all namespaces, so
/// one-way delay is meaningful between them).
std::int64_t realtime_ns();

}  // namespace mcproxy::tester
