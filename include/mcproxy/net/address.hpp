// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief IPv4/IPv6 address value type shared by every layer.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mcproxy::net {

/// @brief Address family of an address, a protocol or an instance.
enum class family : std::uint8_t { ipv4, ipv6 };

/// @brief "IPv4" or "IPv6".
std::string_view to_string(family f);

/// @brief An IPv4 or IPv6 address held by value (16 bytes + family).
///
/// IPv4 addresses use the first four bytes of `bytes_`; the rest are zero,
/// so comparison and hashing work on the whole array. Ordering is IPv4
/// before IPv6, then numeric (network byte order), which makes it the
/// "lowest address" ordering querier election needs (RFC 3376 6.6.2).
class address {
public:
    /// @brief The unspecified IPv4 address 0.0.0.0.
    constexpr address() = default;

    /// @brief From 4 bytes in network order.
    static address v4(std::array<std::uint8_t, 4> b);
    /// @brief From a host-order 32-bit value (0xC0000201 is 192.0.2.1).
    static address v4(std::uint32_t host_order);
    /// @brief From 16 bytes in network order.
    static address v6(const std::array<std::uint8_t, 16>& b);
    /// @brief The unspecified address of a family (0.0.0.0 or ::).
    static address any(family f);

    /// @brief Parses dotted-quad IPv4 or RFC 4291 IPv6 text; nullopt if invalid.
    static std::optional<address> parse(std::string_view text);

    family fam() const { return family_; }  ///< IPv4 or IPv6
    bool is_v4() const { return family_ == family::ipv4; }  ///< whether it is IPv4
    bool is_v6() const { return family_ == family::ipv6; }  ///< whether it is IPv6

    /// @brief Raw bytes in network order: 4 for IPv4, 16 for IPv6.
    const std::uint8_t* data() const { return bytes_.data(); }
    /// @brief Number of bytes: 4 for IPv4, 16 for IPv6.
    std::size_t size() const { return is_v4() ? 4 : 16; }
    /// @brief IPv4 as host-order integer (0 for IPv6).
    std::uint32_t v4_host_order() const;

    /// @brief 0.0.0.0 or ::.
    bool is_unspecified() const;
    /// @brief 224.0.0.0/4 or ff00::/8.
    bool is_multicast() const;
    /// @brief Link-local multicast scope that is never proxied:
    /// 224.0.0.0/24, and IPv6 multicast of scope 0, 1 or 2 (RFC 4291 2.7).
    bool is_link_local_multicast() const;
    /// @brief Source-specific multicast range: 232.0.0.0/8, ff3x::/32
    /// (RFC 4607 1, RFC 4604 2).
    bool is_ssm() const;
    /// @brief fe80::/10.
    bool is_v6_link_local_unicast() const;

    /// @brief This address with all bits after the first `len` cleared.
    address masked(unsigned len) const;
    /// @brief Address + 1 (wraps within the family); used for ranges.
    address next() const;
    /// @brief Address - 1 (wraps within the family).
    address prev() const;
    /// @brief 32 or 128.
    unsigned max_prefix() const { return is_v4() ? 32 : 128; }

    /// @brief Canonical text (inet_ntop form).
    std::string to_string() const;

    /// @brief Family first (IPv4 before IPv6), then the bytes in network order.
    friend std::strong_ordering operator<=>(const address& a, const address& b) {
        if (a.family_ != b.family_)
            return a.family_ < b.family_ ? std::strong_ordering::less : std::strong_ordering::greater;
        for (std::size_t i = 0; i < a.bytes_.size(); ++i)
            if (a.bytes_[i] != b.bytes_[i])
                return a.bytes_[i] < b.bytes_[i] ? std::strong_ordering::less
                                                 : std::strong_ordering::greater;
        return std::strong_ordering::equal;
    }
    friend bool operator==(const address& a, const address& b) = default;

    /// @brief A hash of family and bytes (for std::hash).
    std::size_t hash() const;

private:
    family family_ = family::ipv4;
    std::array<std::uint8_t, 16> bytes_{};
};

/// @brief Well-known protocol addresses.
namespace well_known {
address all_systems_v4();     ///< 224.0.0.1: IGMP general queries
address all_routers_v4();     ///< 224.0.0.2: IGMPv2 leaves
address igmpv3_routers();     ///< 224.0.0.22: IGMPv3 reports
address all_nodes_v6();       ///< ff02::1: MLD general queries
address all_routers_v6();     ///< ff02::2: MLDv1 done
address mldv2_routers();      ///< ff02::16: MLDv2 reports
}  // namespace well_known

}  // namespace mcproxy::net

/// @cond
// std::hash, so addresses can key unordered containers (not documented:
// doxygen 1.9 cannot place a specialization written as std::hash<...>).
template <>
struct std::hash<mcproxy::net::address> {
    std::size_t operator()(const mcproxy::net::address& a) const noexcept { return a.hash(); }
};
/// @endcond
