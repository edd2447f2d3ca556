// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/model.hpp"

#include <set>

namespace mcproxy::config {

std::string_view to_string(protocol_version p) {
    switch (p) {
    case protocol_version::igmpv1: return "IGMPv1";
    case protocol_version::igmpv2: return "IGMPv2";
    case protocol_version::igmpv3: return "IGMPv3";
    case protocol_version::mldv1: return "MLDv1";
    case protocol_version::mldv2: return "MLDv2";
    }
    return "?";
}

net::family family_of(protocol_version p) {
    return p == protocol_version::mldv1 || p == protocol_version::mldv2 ? net::family::ipv6 : net::family::ipv4;
}

std::string_view to_string(matching m) {
    switch (m) {
    case matching::all: return "all";
    case matching::first: return "first";
    case matching::mutex: return "mutex";
    }
    return "?";
}

std::size_t instance::interface_count() const {
    std::set<std::string_view> names;
    for (const auto& u : upstreams) names.insert(u.name);
    for (const auto& d : downstreams) names.insert(d.name);
    return names.size();
}

const upstream* instance::find_upstream(std::string_view n) const {
    for (const auto& u : upstreams)
        if (u.name == n) return &u;
    return nullptr;
}

const downstream* instance::find_downstream(std::string_view n) const {
    for (const auto& d : downstreams)
        if (d.name == n) return &d;
    return nullptr;
}

const instance* model::find_instance(std::string_view n) const {
    for (const auto& i : instances)
        if (i.name == n) return &i;
    return nullptr;
}

}  // namespace mcproxy::config
