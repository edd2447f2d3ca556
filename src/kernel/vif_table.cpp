// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/vif_table.hpp"

namespace mcproxy::kernel {

std::optional<std::uint16_t> vif_table::vif_of(unsigned ifindex) const {
    if (ifindex == 0) return std::nullopt;
    for (std::size_t i = 0; i < ifindex_.size(); ++i)
        if (ifindex_[i] == ifindex) return static_cast<std::uint16_t>(i);
    return std::nullopt;
}

std::optional<unsigned> vif_table::ifindex_of(std::uint16_t vif) const {
    if (vif >= ifindex_.size() || ifindex_[vif] == 0) return std::nullopt;
    return ifindex_[vif];
}

std::optional<std::uint16_t> vif_table::allocate(unsigned ifindex) {
    if (ifindex == 0) return std::nullopt;
    if (auto v = vif_of(ifindex)) return v;
    for (std::size_t i = 0; i < ifindex_.size(); ++i) {
        if (ifindex_[i] == 0) {
            ifindex_[i] = ifindex;
            return static_cast<std::uint16_t>(i);
        }
    }
    return std::nullopt;
}

bool vif_table::release(unsigned ifindex) {
    auto v = vif_of(ifindex);
    if (!v) return false;
    ifindex_[*v] = 0;
    return true;
}

unsigned vif_table::size() const {
    unsigned n = 0;
    for (auto i : ifindex_) n += i != 0 ? 1u : 0u;
    return n;
}

}  // namespace mcproxy::kernel
