// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/route_book.hpp"

namespace mcproxy::daemon {

route_change route_book::apply(const core::action& a) {
    if (const auto* set = std::get_if<core::set_route_action>(&a)) {
        auto [it, inserted] = routes_.try_emplace(set->key);
        kernel_route& r = it->second;
        if (!inserted && r.input == set->input && r.outputs == set->outputs) return route_change::none;
        // A replaced entry is a new kernel entry: its counters start again.
        r = kernel_route{set->key, set->input, set->outputs, std::nullopt, std::nullopt, std::nullopt};
        return inserted ? route_change::added : route_change::updated;
    }
    if (const auto* rm = std::get_if<core::remove_route_action>(&a))
        return routes_.erase(rm->key) > 0 ? route_change::removed : route_change::none;
    return route_change::none;
}

void route_book::set_counters(const core::route_key& key, std::uint64_t packets, std::uint64_t bytes,
                              std::uint64_t wrong_interface) {
    auto it = routes_.find(key);
    if (it == routes_.end()) return;
    it->second.packets = packets;
    it->second.bytes = bytes;
    it->second.wrong_interface = wrong_interface;
}

const kernel_route* route_book::find(const core::route_key& key) const {
    auto it = routes_.find(key);
    return it == routes_.end() ? nullptr : &it->second;
}

std::vector<kernel_route> route_book::routes() const {
    std::vector<kernel_route> out;
    out.reserve(routes_.size());
    for (const auto& [key, r] : routes_) out.push_back(r);
    return out;
}

}  // namespace mcproxy::daemon
