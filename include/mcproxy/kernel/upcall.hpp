// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Parsing of kernel upcalls (struct igmpmsg / struct mrt6msg).
#pragma once

#include "mcproxy/kernel/mroute_types.hpp"
#include "mcproxy/kernel/vif_table.hpp"

#include <cstdint>
#include <optional>
#include <span>

namespace mcproxy::kernel {

/// @brief True if a datagram read from the IPv4 mroute socket is an upcall
/// (struct igmpmsg: im_mbz, where an IP header has its protocol, is 0).
bool is_upcall4(std::span<const std::uint8_t> bytes);
/// @brief True if a message read from the IPv6 mroute socket is an upcall
/// (struct mrt6msg: im6_mbz, where ICMPv6 has its type, is 0).
bool is_upcall6(std::span<const std::uint8_t> bytes);

/// @brief Parses struct igmpmsg; the VIF is translated to an ifindex with vifs.
/// nullopt if too short or of an unknown type.
std::optional<upcall> parse_upcall4(std::span<const std::uint8_t> bytes, const vif_table& vifs);
/// @brief Parses struct mrt6msg; nullopt if too short or of an unknown type.
std::optional<upcall> parse_upcall6(std::span<const std::uint8_t> bytes, const vif_table& mifs);

}  // namespace mcproxy::kernel
