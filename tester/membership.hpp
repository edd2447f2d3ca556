// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief A group membership held on a socket through the kernel's own
/// IGMP/MLD host stack (RFC 3678 socket interface).
#pragma once

#include <string>
#include <vector>

#include "mcproxy/net/address.hpp"

namespace mcproxy::tester {

/// @brief Joins on construction, leaves on leave() or destruction.
///
/// - no sources: any-source join (IP_ADD_MEMBERSHIP / IPV6_JOIN_GROUP),
///   the kernel reports EXCLUDE {} (IGMPv3/MLDv2) or a v1/v2 report;
/// - sources, include: one MCAST_JOIN_SOURCE_GROUP per source, INCLUDE {S};
/// - sources, exclude: any-source join, then setsourcefilter(MCAST_EXCLUDE)
///   with the sources, EXCLUDE {S}.
class membership {
public:
    /// @brief Joins `group` on interface `ifindex` with socket `fd` (not
    /// owned). Throws tester_error with the kernel's reason on failure.
    membership(int fd, unsigned ifindex, const net::address& group,
               const std::vector<net::address>& sources, bool exclude);
    membership(const membership&) = delete;
    membership& operator=(const membership&) = delete;
    ~membership();

    /// @brief Drops the membership (the kernel sends the leave / state
    /// change); errors are returned as text, empty when fine.
    std::string leave();

    /// @brief "ASM", "INCLUDE {a, b}" or "EXCLUDE {a}" for messages.
    std::string describe() const;

private:
    int fd_;
    unsigned ifindex_;
    net::address group_;
    std::vector<net::address> sources_;
    bool exclude_;
    bool joined_ = false;
};

}  // namespace mcproxy::tester
