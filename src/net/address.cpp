// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/net/address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace mcproxy::net {

std::string_view to_string(family f) { return f == family::ipv4 ? "IPv4" : "IPv6"; }

address address::v4(std::array<std::uint8_t, 4> b) {
    address a;
    a.family_ = family::ipv4;
    std::memcpy(a.bytes_.data(), b.data(), 4);
    return a;
}

address address::v4(std::uint32_t host_order) {
    return v4({static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
               static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order)});
}

address address::v6(const std::array<std::uint8_t, 16>& b) {
    address a;
    a.family_ = family::ipv6;
    a.bytes_ = b;
    return a;
}

address address::any(family f) {
    address a;
    a.family_ = f;
    return a;
}

std::optional<address> address::parse(std::string_view text) {
    if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
    const std::string s(text);
    std::array<std::uint8_t, 16> buf{};
    if (s.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, s.c_str(), buf.data()) != 1) return std::nullopt;
        return v4({buf[0], buf[1], buf[2], buf[3]});
    }
    if (inet_pton(AF_INET6, s.c_str(), buf.data()) != 1) return std::nullopt;
    return v6(buf);
}

std::uint32_t address::v4_host_order() const {
    if (!is_v4()) return 0;
    return (std::uint32_t{bytes_[0]} << 24) | (std::uint32_t{bytes_[1]} << 16) |
           (std::uint32_t{bytes_[2]} << 8) | std::uint32_t{bytes_[3]};
}

bool address::is_unspecified() const {
    for (auto b : bytes_)
        if (b != 0) return false;
    return true;
}

bool address::is_multicast() const {
    return is_v4() ? (bytes_[0] & 0xF0) == 0xE0 : bytes_[0] == 0xFF;
}

bool address::is_link_local_multicast() const {
    if (!is_multicast()) return false;
    if (is_v4()) return bytes_[0] == 224 && bytes_[1] == 0 && bytes_[2] == 0;
    return (bytes_[1] & 0x0F) <= 2;  // RFC 4291 2.7: scope 0 reserved, 1 interface, 2 link
}

bool address::is_ssm() const {
    if (is_v4()) return bytes_[0] == 232;
    // RFC 4607 1: FF3x::/32 (flags P=1, T=1, prefix length 0).
    return bytes_[0] == 0xFF && (bytes_[1] & 0xF0) == 0x30 && bytes_[2] == 0 && bytes_[3] == 0;
}

bool address::is_v6_link_local_unicast() const {
    return is_v6() && bytes_[0] == 0xFE && (bytes_[1] & 0xC0) == 0x80;
}

address address::masked(unsigned len) const {
    address r = *this;
    const unsigned bits = max_prefix();
    if (len >= bits) return r;
    for (unsigned i = 0; i < size(); ++i) {
        const unsigned first_bit = i * 8;
        if (first_bit >= len)
            r.bytes_[i] = 0;
        else if (first_bit + 8 > len)
            r.bytes_[i] &= static_cast<std::uint8_t>(0xFF << (8 - (len - first_bit)));
    }
    return r;
}

address address::next() const {
    address r = *this;
    for (std::size_t i = size(); i-- > 0;)
        if (++r.bytes_[i] != 0) break;
    return r;
}

address address::prev() const {
    address r = *this;
    for (std::size_t i = size(); i-- > 0;)
        if (r.bytes_[i]-- != 0) break;
    return r;
}

std::string address::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
    return buf;
}

std::size_t address::hash() const {
    // FNV-1a over the bytes in use; cheap and good enough for hash maps.
    std::size_t h = is_v4() ? 0xcbf29ce484222325ULL : 0x84222325cbf29ce4ULL;
    for (std::size_t i = 0; i < size(); ++i) {
        h ^= bytes_[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

namespace well_known {
address all_systems_v4() { return address::v4(0xE0000001); }
address all_routers_v4() { return address::v4(0xE0000002); }
address igmpv3_routers() { return address::v4(0xE0000016); }
address all_nodes_v6() { return *address::parse("ff02::1"); }
address all_routers_v6() { return *address::parse("ff02::2"); }
address mldv2_routers() { return *address::parse("ff02::16"); }
}  // namespace well_known

}  // namespace mcproxy::net
