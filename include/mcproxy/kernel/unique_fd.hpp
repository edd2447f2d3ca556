// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Owning file descriptor (closes on destruction, move-only).
#pragma once

#include <utility>

namespace mcproxy::kernel {

/// @brief Move-only owner of a file descriptor; -1 means none.
class unique_fd {
public:
    /// @brief No descriptor.
    unique_fd() = default;
    /// @brief Takes ownership of fd (may be -1).
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    /// @brief Takes the other's descriptor.
    unique_fd(unique_fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    /// @brief Closes ours, takes the other's descriptor.
    unique_fd& operator=(unique_fd&& o) noexcept {
        if (this != &o) reset(std::exchange(o.fd_, -1));
        return *this;
    }
    ~unique_fd() { reset(); }

    /// @brief The descriptor, or -1.
    int get() const { return fd_; }
    /// @brief True when a descriptor is held.
    bool valid() const { return fd_ >= 0; }
    /// @brief Closes the current descriptor and takes fd.
    void reset(int fd = -1);
    /// @brief Gives up ownership without closing.
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_ = -1;
};

}  // namespace mcproxy::kernel
