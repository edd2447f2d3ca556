// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief What the daemon hands to a proxy instance of the core.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief A decoded IGMP/MLD message received on an interface.
struct message_event {
    if_index iface = 0;
    net::address source;       ///< IP source of the packet (the host)
    net::address destination;  ///< IP destination
    wire::message msg;
};

/// @brief The kernel saw data from `source` to `group` on `iface` that no
/// forwarding entry covers (NOCACHE), or that arrived on an interface other
/// than the entry's input (WRONGVIF).
struct upcall_event {
    enum class kind : std::uint8_t { no_route, wrong_interface };
    kind what = kind::no_route;
    if_index iface = 0;
    net::address source;
    net::address group;
};

/// @brief An interface of the instance became usable (exists, is up and has
/// the address the protocol needs), changed, or stopped being usable.
struct interface_event {
    std::string name;       ///< the name in the configuration
    if_index iface = 0;     ///< kernel ifindex
    bool usable = false;
    net::address address;   ///< IPv4: primary address (0.0.0.0 if none); IPv6: link-local
    std::size_t mtu = 1500;
};

/// @brief Packet counter of a forwarding entry, answering read_counters_action.
struct counters_event {
    route_key key;
    std::uint64_t packets = 0;
    bool exists = true;  ///< false if the kernel has no such entry any more
};

using event = std::variant<message_event, upcall_event, interface_event, counters_event>;

}  // namespace mcproxy::core
