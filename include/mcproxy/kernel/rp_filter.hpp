// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Reverse-path filter settings (/proc/sys/net/ipv4/conf/IF/rp_filter)
/// that are restored when the guard goes away.
#pragma once

#include "mcproxy/kernel/error.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcproxy::kernel {

/// @brief Reads an interface's rp_filter value (0 off, 1 strict, 2 loose).
/// `name` may also be "all" or "default".
result<int> read_rp_filter(std::string_view name);
/// @brief Writes an interface's rp_filter value.
status write_rp_filter(std::string_view name, int value);

/// @brief Sets rp_filter on interfaces and restores each previous value at destruction (`-r`).
///
/// The kernel uses max(conf/all, conf/IF), so turning the filter off for
/// an interface also needs "all" (the daemon decides; this class just
/// remembers every value it changed).
class rp_filter_guard {
public:
    rp_filter_guard() = default;
    rp_filter_guard(const rp_filter_guard&) = delete;
    rp_filter_guard& operator=(const rp_filter_guard&) = delete;
    /// @brief Takes over the other's saved values.
    rp_filter_guard(rp_filter_guard&& o) noexcept : saved_(std::exchange(o.saved_, {})) {}
    /// @brief Restores ours, takes over the other's.
    rp_filter_guard& operator=(rp_filter_guard&& o) noexcept;
    /// @brief Restores every remembered value (errors cannot be reported here; call restore() to see them).
    ~rp_filter_guard() { (void)restore(); }

    /// @brief Sets `name` to value, remembering the value it had the first time.
    status set(std::string_view name, int value = 0);
    /// @brief Puts back every remembered value (interfaces gone meanwhile are skipped);
    /// returns the first error.
    status restore();
    /// @brief Stops tracking `name` without restoring (e.g. the interface was removed).
    void forget(std::string_view name);
    /// @brief Interfaces whose value is remembered, with that value.
    const std::vector<std::pair<std::string, int>>& saved() const { return saved_; }

private:
    std::vector<std::pair<std::string, int>> saved_;
};

}  // namespace mcproxy::kernel
