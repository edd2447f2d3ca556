// SPDX-License-Identifier: GPL-2.0-or-later
// Private helpers of the kernel layer: setsockopt wrappers and interface names.
#pragma once

#include "mcproxy/kernel/error.hpp"

#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <string>

namespace mcproxy::kernel::detail {

/// @brief setsockopt with an error that names the option and a hint.
template <class T>
status set_option(int fd, int level, int name, const T& value, std::string_view what,
                  std::string_view hint = {}) {
    if (::setsockopt(fd, level, name, &value, sizeof value) < 0) return make_error(errno, what, hint);
    return {};
}

/// @brief "eth0 (ifindex 3)" or "ifindex 3" for messages.
inline std::string describe_ifindex(unsigned ifindex) {
    char name[IF_NAMESIZE] = {};
    std::string s = "ifindex " + std::to_string(ifindex);
    if (::if_indextoname(ifindex, name) != nullptr) return std::string(name) + " (" + s + ")";
    return s;
}

/// @brief "table N" or "the default table".
inline std::string describe_table(const std::optional<std::uint32_t>& table) {
    return table ? "table " + std::to_string(*table) : std::string("the default table");
}

/// @brief The hint for permission errors.
inline constexpr std::string_view need_root = "run as root or with CAP_NET_ADMIN and CAP_NET_RAW";

}  // namespace mcproxy::kernel::detail
