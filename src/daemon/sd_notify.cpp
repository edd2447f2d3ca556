// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/sd_notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>
#include <ctime>

namespace mcproxy::daemon {

namespace {

// Closes the per-send socket on every path.
class socket_guard {
public:
    explicit socket_guard(int fd) : fd_(fd) {}
    ~socket_guard() {
        if (fd_ >= 0) ::close(fd_);
    }
    socket_guard(const socket_guard&) = delete;
    socket_guard& operator=(const socket_guard&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

}  // namespace

sd_notifier sd_notifier::from_environment() {
    const char* name = std::getenv("NOTIFY_SOCKET");
    return sd_notifier(name ? std::string(name) : std::string());
}

sd_notifier::sd_notifier(std::string socket_name) : socket_name_(std::move(socket_name)) {}

notify_result sd_notifier::ready(std::string_view status_text) {
    std::string message = "READY=1";
    if (!status_text.empty()) message += "\nSTATUS=" + sanitize_notify_value(status_text);
    return send(message);
}

notify_result sd_notifier::reloading() { return reloading(monotonic_usec_now()); }

notify_result sd_notifier::reloading(std::uint64_t monotonic_usec) {
    // systemd >= 253 (Type=notify-reload) ignores a RELOADING=1 without a
    // MONOTONIC_USEC taken after the reload request; sending both in one
    // datagram is what it expects, and older versions skip the unknown key.
    return send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec));
}

notify_result sd_notifier::stopping() { return send("STOPPING=1"); }

notify_result sd_notifier::status(std::string_view text) { return send("STATUS=" + sanitize_notify_value(text)); }

sd_notifier::sd_notifier(sd_notifier&& o) noexcept
    : socket_name_(std::move(o.socket_name_)), last_error_(std::move(o.last_error_)),
      connected_fd_(std::exchange(o.connected_fd_, -1)) {}

sd_notifier::~sd_notifier() {
    if (connected_fd_ >= 0) ::close(connected_fd_);
}

bool sd_notifier::address(sockaddr_un& addr, socklen_t& len) {
    addr = sockaddr_un{};
    addr.sun_family = AF_UNIX;
    // An abstract name (leading NUL) may use every byte of sun_path; a path
    // needs room for its terminating NUL.
    const bool abstract = socket_name_.front() == '@';
    if (!abstract && socket_name_.front() != '/') {
        last_error_ = "NOTIFY_SOCKET '" + socket_name_ + "' is neither an absolute path nor an abstract '@' name";
        return false;
    }
    const std::size_t room = abstract ? sizeof addr.sun_path : sizeof addr.sun_path - 1;
    if (socket_name_.size() < 2 || socket_name_.size() > room) {
        last_error_ = "NOTIFY_SOCKET '" + socket_name_ + "' has a bad length";
        return false;
    }
    std::memcpy(addr.sun_path, socket_name_.data(), socket_name_.size());
    if (abstract) addr.sun_path[0] = '\0';
    // For an abstract socket every byte of the given length is the name, so
    // the length must not include padding.
    len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_name_.size() + (abstract ? 0 : 1));
    return true;
}

notify_result sd_notifier::keep_connected() {
    if (socket_name_.empty()) return notify_result::disabled;
    if (connected_fd_ >= 0) return notify_result::sent;
    last_error_.clear();
    sockaddr_un addr;
    socklen_t len = 0;
    if (!address(addr, len)) return notify_result::failed;
    socket_guard fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.get() < 0 || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
        const int err = errno;  // before building the message, which allocates
        last_error_ = "connect to NOTIFY_SOCKET '" + socket_name_ + "': " + std::strerror(err);
        return notify_result::failed;
    }
    connected_fd_ = ::dup(fd.get());
    if (connected_fd_ < 0) {
        const int err = errno;
        last_error_ = std::string("dup: ") + std::strerror(err);
        return notify_result::failed;
    }
    return notify_result::sent;
}

notify_result sd_notifier::send(std::string_view assignments) {
    if (socket_name_.empty()) return notify_result::disabled;
    last_error_.clear();
    sockaddr_un addr;
    socklen_t addr_len = 0;
    if (connected_fd_ < 0 && !address(addr, addr_len)) return notify_result::failed;

    socket_guard own(connected_fd_ >= 0 ? -1 : ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    const int fd = connected_fd_ >= 0 ? connected_fd_ : own.get();
    if (fd < 0) {
        const int err = errno;
        last_error_ = std::string("socket(AF_UNIX): ") + std::strerror(err);
        return notify_result::failed;
    }
    // A signal may interrupt the call; retry a bounded number of times.
    int err = 0;
    for (int attempt = 0; attempt < 8; ++attempt) {
        const ssize_t n = connected_fd_ >= 0
                              ? ::send(fd, assignments.data(), assignments.size(), MSG_NOSIGNAL)
                              : ::sendto(fd, assignments.data(), assignments.size(), MSG_NOSIGNAL,
                                         reinterpret_cast<const sockaddr*>(&addr), addr_len);
        if (n >= 0 && static_cast<std::size_t>(n) == assignments.size()) return notify_result::sent;
        if (n >= 0) {
            last_error_ = "short send to NOTIFY_SOCKET";
            return notify_result::failed;
        }
        err = errno;
        if (err != EINTR) break;
    }
    last_error_ = "send to NOTIFY_SOCKET '" + socket_name_ + "': " + std::strerror(err);
    return notify_result::failed;
}

std::uint64_t monotonic_usec_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

std::string sanitize_notify_value(std::string_view text, std::size_t max_bytes) {
    std::string out(text.substr(0, max_bytes));
    // Do not leave half of a UTF-8 sequence at the cut.
    if (text.size() > max_bytes && !out.empty()) {
        const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(out[i]); };
        std::size_t start = out.size() - 1;
        for (int k = 0; k < 3 && start > 0 && (byte(start) & 0xC0u) == 0x80u; ++k) --start;
        const unsigned lead = byte(start);
        const std::size_t want = lead >= 0xF0u ? 4 : lead >= 0xE0u ? 3 : lead >= 0xC0u ? 2 : 1;
        if (out.size() - start < want) out.resize(start);
    }
    for (char& c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20u || u == 0x7Fu) c = ' ';  // a newline would start a new assignment
    }
    return out;
}

}  // namespace mcproxy::daemon
