// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Service manager notification (the systemd `sd_notify` protocol)
/// without linking libsystemd.
///
/// The protocol is one datagram per notification, sent to the AF_UNIX socket
/// named by `$NOTIFY_SOCKET`: newline-separated `KEY=VALUE` assignments such
/// as `READY=1` or `STATUS=...`. A name starting with `@` is an abstract
/// socket (the `@` stands for a leading NUL byte). When the variable is not
/// set, mcproxy was not started by a service manager that listens, and every
/// call is a no-op.
#pragma once

#include <cstdint>
#include <string>

#include <sys/socket.h>
#include <sys/un.h>
#include <string_view>

namespace mcproxy::daemon {

/// @brief What became of one notification.
enum class notify_result {
    disabled,  ///< no `$NOTIFY_SOCKET`: nothing to do, not an error
    sent,      ///< the datagram was handed to the kernel
    failed,    ///< bad socket name or send error; see sd_notifier::last_error()
};

/// @brief Sends state changes to the service manager (Type=notify units).
///
/// Sends are synchronous, non-blocking and open a fresh socket each time, as
/// libsystemd does: notifications are rare. A daemon that gives up its
/// privileges calls keep_connected() first: the socket is then connected
/// once while the daemon may still reach it, and later sends use it.
/// Not thread-safe; the main thread owns it.
class sd_notifier {
public:
    /// @brief A notifier for `$NOTIFY_SOCKET` (disabled when unset or empty).
    static sd_notifier from_environment();

    /// @brief A notifier for `socket_name`: an absolute path, `@name` for an
    /// abstract socket, or "" for none (disabled).
    explicit sd_notifier(std::string socket_name);

    /// @brief Whether a socket name was given (a bad name counts as enabled
    /// so that its sends fail visibly).
    bool enabled() const { return !socket_name_.empty(); }

    /// @brief The socket name this notifier sends to ("" when disabled).
    const std::string& socket_name() const { return socket_name_; }

    /// @brief Start-up (or a reload) is complete: `READY=1`, with an optional
    /// status line.
    notify_result ready(std::string_view status_text = {});

    /// @brief A reload begins: `RELOADING=1` with `MONOTONIC_USEC` of now
    /// (systemd 253 and later require the time stamp; older ones ignore it).
    notify_result reloading();

    /// @brief A reload begins, with the CLOCK_MONOTONIC time in microseconds
    /// given by the caller.
    notify_result reloading(std::uint64_t monotonic_usec);

    /// @brief Shutdown begins: `STOPPING=1`.
    notify_result stopping();

    /// @brief A free-form status line shown by `systemctl status`: `STATUS=`.
    notify_result status(std::string_view text);

    /// @brief Sends raw assignments (newline-separated `KEY=VALUE`).
    notify_result send(std::string_view assignments);

    /// @brief Why the last failed send failed ("" after a success).
    const std::string& last_error() const { return last_error_; }

    /// @brief Connects a socket to the notify socket now and sends through
    /// it from then on (permissions are checked here, not at each send).
    notify_result keep_connected();

    sd_notifier(const sd_notifier&) = delete;
    sd_notifier& operator=(const sd_notifier&) = delete;
    /// @brief Takes over the other's socket.
    sd_notifier(sd_notifier&& o) noexcept;
    /// @brief Closes the kept socket, if any.
    ~sd_notifier();

private:
    bool address(sockaddr_un& addr, socklen_t& len);

    std::string socket_name_;
    std::string last_error_;
    int connected_fd_ = -1;
};

/// @brief The CLOCK_MONOTONIC time in microseconds (what `MONOTONIC_USEC`
/// expects).
std::uint64_t monotonic_usec_now();

/// @brief `text` made safe as the value of one assignment: line breaks and
/// other control characters become spaces, and it is cut to `max_bytes`.
std::string sanitize_notify_value(std::string_view text, std::size_t max_bytes = 1024);

}  // namespace mcproxy::daemon
