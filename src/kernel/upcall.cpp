// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/upcall.hpp"

#include <linux/mroute.h>
#include <linux/mroute6.h>

#include <array>
#include <cstddef>
#include <cstring>

namespace mcproxy::kernel {

namespace {

std::optional<upcall_kind> kind4(std::uint8_t t) {
    switch (t) {
        case IGMPMSG_NOCACHE: return upcall_kind::nocache;
        case IGMPMSG_WRONGVIF: return upcall_kind::wrong_vif;
        case IGMPMSG_WHOLEPKT: return upcall_kind::whole_packet;
        case IGMPMSG_WRVIFWHOLE: return upcall_kind::wrong_vif_whole;
        default: return std::nullopt;
    }
}

std::optional<upcall_kind> kind6(std::uint8_t t) {
    switch (t) {
        case MRT6MSG_NOCACHE: return upcall_kind::nocache;
        case MRT6MSG_WRONGMIF: return upcall_kind::wrong_vif;
        case MRT6MSG_WHOLEPKT: return upcall_kind::whole_packet;
        default: return std::nullopt;
    }
}

}  // namespace

bool is_upcall4(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= sizeof(igmpmsg) && bytes[offsetof(igmpmsg, im_mbz)] == 0;
}

bool is_upcall6(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= sizeof(mrt6msg) && bytes[offsetof(mrt6msg, im6_mbz)] == 0;
}

std::optional<upcall> parse_upcall4(std::span<const std::uint8_t> bytes, const vif_table& vifs) {
    if (!is_upcall4(bytes)) return std::nullopt;
    igmpmsg m{};
    std::memcpy(&m, bytes.data(), sizeof m);
    auto k = kind4(m.im_msgtype);
    if (!k) return std::nullopt;
    upcall u;
    u.kind = *k;
    // im_vif_hi carries bits 8..15 of the VIF number since Linux 5.9; older
    // kernels leave it 0, which is also correct below 256 VIFs.
    const auto vif = static_cast<std::uint16_t>(m.im_vif | (m.im_vif_hi << 8));
    u.ifindex = vifs.ifindex_of(vif).value_or(0);
    std::array<std::uint8_t, 4> s{}, g{};
    std::memcpy(s.data(), &m.im_src, 4);
    std::memcpy(g.data(), &m.im_dst, 4);
    u.source = net::address::v4(s);
    u.group = net::address::v4(g);
    return u;
}

std::optional<upcall> parse_upcall6(std::span<const std::uint8_t> bytes, const vif_table& mifs) {
    if (!is_upcall6(bytes)) return std::nullopt;
    mrt6msg m{};
    std::memcpy(&m, bytes.data(), sizeof m);
    auto k = kind6(m.im6_msgtype);
    if (!k) return std::nullopt;
    upcall u;
    u.kind = *k;
    u.ifindex = mifs.ifindex_of(m.im6_mif).value_or(0);
    std::array<std::uint8_t, 16> s{}, g{};
    std::memcpy(s.data(), &m.im6_src, 16);
    std::memcpy(g.data(), &m.im6_dst, 16);
    u.source = net::address::v6(s);
    u.group = net::address::v6(g);
    return u;
}

}  // namespace mcproxy::kernel
