// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/checksum.hpp"

namespace mcproxy::wire {

std::uint32_t checksum_add(std::span<const std::uint8_t> data, std::uint32_t sum) {
    // RFC 1071 4.1: sum 16-bit words in 64 bits (no overflow for any span a
    // packet can have), then fold to 16 bits so callers may add more words.
    std::uint64_t s = sum;
    std::size_t i = 0;
    const std::size_t n = data.size();
    for (; i + 1 < n; i += 2) s += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
    if (i < n) s += static_cast<std::uint32_t>(data[i] << 8);
    while (s >> 16) s = (s & 0xFFFFu) + (s >> 16);
    return static_cast<std::uint32_t>(s);
}

std::uint16_t checksum_finish(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFFu) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xFFFFu);
}

std::uint16_t internet_checksum(std::span<const std::uint8_t> data) {
    return checksum_finish(checksum_add(data));
}

std::uint16_t icmpv6_checksum(const net::address& src, const net::address& dst,
                              std::span<const std::uint8_t> icmp) {
    // RFC 8200 8.1 pseudo-header: source, destination, 32-bit upper-layer
    // length, 3 zero bytes, next header (58 = ICMPv6).
    std::uint32_t sum = checksum_add({src.data(), src.size()});
    sum = checksum_add({dst.data(), dst.size()}, sum);
    const auto len = static_cast<std::uint32_t>(icmp.size());
    sum += (len >> 16) + (len & 0xFFFFu);
    sum += 58;
    return checksum_finish(checksum_add(icmp, sum));
}

}  // namespace mcproxy::wire
