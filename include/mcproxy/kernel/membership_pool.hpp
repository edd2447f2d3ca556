// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief IPv4 group memberships held on as many sockets as needed, since
/// the kernel limits memberships per socket (net.ipv4.igmp_max_memberships,
/// 20 by default) and a proxy joins two groups on every downstream.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "mcproxy/kernel/error.hpp"
#include "mcproxy/kernel/unique_fd.hpp"
#include "mcproxy/net/address.hpp"

namespace mcproxy::kernel {

/// @brief Joins IPv4 groups on interfaces so the interface accepts them.
/// The packets themselves are read elsewhere (the mroute socket gets them
/// through the Router Alert chain); these sockets never read anything.
class membership_pool {
public:
    /// @brief Joins `group` on the interface (ok if already joined here).
    status join(unsigned ifindex, const net::address& group);
    /// @brief Leaves it again (ok if not joined).
    status leave(unsigned ifindex, const net::address& group);
    /// @brief How many sockets are in use (for tests and status).
    std::size_t sockets() const { return sockets_.size(); }
    /// @brief How many memberships are held.
    std::size_t memberships() const { return held_.size(); }

private:
    result<std::size_t> socket_with_room(std::size_t start);
    std::vector<unique_fd> sockets_;
    std::vector<std::size_t> used_;  ///< memberships per socket
    std::vector<bool> full_;         ///< the socket hit the kernel's limit
    std::map<std::pair<unsigned, net::address>, std::size_t> held_;  ///< membership -> socket
};

}  // namespace mcproxy::kernel
