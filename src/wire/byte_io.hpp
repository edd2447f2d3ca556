// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Private big-endian read/write helpers for the codecs.
///
/// Readers take an offset the caller has already bounds-checked; every
/// codec checks `off + n <= size` before calling them.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "mcproxy/net/address.hpp"

namespace mcproxy::wire::detail {

inline std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t off) {
    return static_cast<std::uint16_t>((b[off] << 8) | b[off + 1]);
}

inline net::address get_v4(std::span<const std::uint8_t> b, std::size_t off) {
    return net::address::v4(std::array<std::uint8_t, 4>{b[off], b[off + 1], b[off + 2], b[off + 3]});
}

inline net::address get_v6(std::span<const std::uint8_t> b, std::size_t off) {
    std::array<std::uint8_t, 16> a{};
    for (std::size_t i = 0; i < 16; ++i) a[i] = b[off + i];
    return net::address::v6(a);
}

inline void put8(std::vector<std::uint8_t>& out, std::uint8_t v) { out.push_back(v); }

inline void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

inline void set16(std::vector<std::uint8_t>& out, std::size_t off, std::uint16_t v) {
    out[off] = static_cast<std::uint8_t>(v >> 8);
    out[off + 1] = static_cast<std::uint8_t>(v & 0xFF);
}

inline void put_addr(std::vector<std::uint8_t>& out, const net::address& a) {
    out.insert(out.end(), a.data(), a.data() + a.size());
}

}  // namespace mcproxy::wire::detail
