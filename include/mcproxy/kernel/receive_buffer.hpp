// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Socket receive buffers large enough for report bursts: a host
/// joining thousands of groups, or a flood, must not lose reports in the
/// kernel before the daemon reads them.
#pragma once

#include "mcproxy/kernel/error.hpp"

namespace mcproxy::kernel {

/// @brief The receive buffer mcproxy asks for on its IGMP/MLD sockets.
inline constexpr int report_receive_buffer = 8 * 1024 * 1024;

/// @brief Sets the receive buffer of `fd` to `bytes`: SO_RCVBUFFORCE
/// (CAP_NET_ADMIN, above net.core.rmem_max), else SO_RCVBUF (capped by
/// rmem_max). Returns the size the kernel granted (it doubles the request
/// for its bookkeeping), or an error.
result<int> set_receive_buffer(int fd, int bytes);

}  // namespace mcproxy::kernel
