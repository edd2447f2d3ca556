// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Internet checksum (RFC 1071) and the ICMPv6 checksum over the
/// IPv6 pseudo-header (RFC 8200 8.1).
#pragma once

#include <cstdint>
#include <span>

#include "mcproxy/net/address.hpp"

namespace mcproxy::wire {

/// @brief Adds 16-bit big-endian words of `data` to a running 32-bit sum.
///
/// An odd trailing byte is padded with zero (RFC 1071 4.1), so only the
/// last chunk of a chained computation may have odd length.
std::uint32_t checksum_add(std::span<const std::uint8_t> data, std::uint32_t sum = 0);

/// @brief Folds the carries of a running sum and returns its one's complement.
std::uint16_t checksum_finish(std::uint32_t sum);

/// @brief RFC 1071 checksum of `data`. Over data that contains a correct
/// checksum field the result is 0.
std::uint16_t internet_checksum(std::span<const std::uint8_t> data);

/// @brief ICMPv6 checksum of `icmp` with the pseudo-header of src, dst,
/// upper-layer length and next header 58. Over a message with a correct
/// checksum field the result is 0. Addresses must be IPv6.
std::uint16_t icmpv6_checksum(const net::address& src, const net::address& dst,
                              std::span<const std::uint8_t> icmp);

}  // namespace mcproxy::wire
