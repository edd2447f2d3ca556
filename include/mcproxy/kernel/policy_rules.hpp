// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Multicast policy rules (the `ip mrule` equivalent) through rtnetlink.
#pragma once

#include "mcproxy/kernel/error.hpp"
#include "mcproxy/kernel/netlink_socket.hpp"
#include "mcproxy/net/address.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace mcproxy::kernel {

/// @brief Protocol tag (FRA_PROTOCOL) on every rule mcproxy adds, so rules a
/// crashed earlier run left behind can be found. Not in /etc/iproute2/rt_protos.
inline constexpr std::uint8_t rule_protocol = 77;

/// @brief First priority mcproxy uses; rules must come before the kernel default rule at 32767.
inline constexpr std::uint32_t rule_priority_base = 20000;

/// @brief One multicast policy rule: traffic in on `iif` (or out on `oif`) uses `table`.
struct mroute_rule {
    net::family fam = net::family::ipv4;  ///< RTNL_FAMILY_IPMR or RTNL_FAMILY_IP6MR
    std::uint32_t table = 0;              ///< FRA_TABLE
    std::string iif;                      ///< FRA_IIFNAME selector (empty: any)
    std::string oif;                      ///< FRA_OIFNAME selector (empty: any)
    std::uint32_t priority = rule_priority_base;  ///< FRA_PRIORITY
    std::uint8_t protocol = rule_protocol;        ///< FRA_PROTOCOL
    friend bool operator==(const mroute_rule&, const mroute_rule&) = default;
};

/// @brief Adds, removes and lists multicast policy rules.
class policy_rules {
public:
    /// @brief Opens the rtnetlink socket.
    static result<policy_rules> open();

    /// @brief All multicast rules of a family (including the kernel's default rule).
    result<std::vector<mroute_rule>> dump(net::family fam);
    /// @brief Adds a rule; EEXIST if an identical one exists.
    status add(const mroute_rule& rule);
    /// @brief Removes a rule matching all fields; ENOENT if none.
    status remove(const mroute_rule& rule);
    /// @brief Removes every rule of the family carrying `protocol` (left by an
    /// earlier run); returns how many were removed.
    result<std::size_t> remove_stale(net::family fam, std::uint8_t protocol = rule_protocol);

private:
    explicit policy_rules(netlink_socket nl) : nl_(std::move(nl)) {}
    status change(std::uint16_t type, const mroute_rule& rule);
    netlink_socket nl_;
};

}  // namespace mcproxy::kernel
