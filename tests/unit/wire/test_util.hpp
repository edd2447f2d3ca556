// SPDX-License-Identifier: GPL-2.0-or-later
// Small helpers shared by the wire tests.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mcproxy/net/address.hpp"
#include "mcproxy/wire/checksum.hpp"

namespace wire_test {

inline mcproxy::net::address A(const char* s) { return *mcproxy::net::address::parse(s); }

template <class C>
std::vector<std::uint8_t> vec(const C& c) { return {c.begin(), c.end()}; }

/// Rewrites the Internet checksum at `off` so a hand-edited message verifies again.
inline void fix_checksum(std::vector<std::uint8_t>& m, std::size_t off = 2) {
    m[off] = 0;
    m[off + 1] = 0;
    const auto c = mcproxy::wire::internet_checksum(m);
    m[off] = static_cast<std::uint8_t>(c >> 8);
    m[off + 1] = static_cast<std::uint8_t>(c & 0xFF);
}

/// Same for an ICMPv6 message with its pseudo-header.
inline void fix_icmpv6_checksum(std::vector<std::uint8_t>& m, const mcproxy::net::address& src,
                                const mcproxy::net::address& dst) {
    m[2] = 0;
    m[3] = 0;
    const auto c = mcproxy::wire::icmpv6_checksum(src, dst, m);
    m[2] = static_cast<std::uint8_t>(c >> 8);
    m[3] = static_cast<std::uint8_t>(c & 0xFF);
}

}  // namespace wire_test
