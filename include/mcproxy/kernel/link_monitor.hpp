// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Interface monitor: rtnetlink link and address events as value types.
#pragma once

#include "mcproxy/kernel/error.hpp"
#include "mcproxy/kernel/netlink_socket.hpp"
#include "mcproxy/net/address.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

struct nlmsghdr;

namespace mcproxy::kernel {

/// @brief A link appeared or changed (RTM_NEWLINK) or disappeared (RTM_DELLINK).
struct link_event {
    /// @brief What happened.
    enum class kind : std::uint8_t { new_link, del_link };
    kind what = kind::new_link;   ///< new/changed or removed
    unsigned ifindex = 0;         ///< interface index
    std::string name;             ///< IFLA_IFNAME
    bool up = false;              ///< IFF_UP (administratively up)
    bool running = false;         ///< IFF_RUNNING (carrier, operationally up)
    bool multicast = false;       ///< IFF_MULTICAST
    unsigned mtu = 0;             ///< IFLA_MTU
    unsigned flags = 0;           ///< all IFF_* flags
    friend bool operator==(const link_event&, const link_event&) = default;
};

/// @brief An address was added (RTM_NEWADDR) or removed (RTM_DELADDR).
struct address_event {
    /// @brief What happened.
    enum class kind : std::uint8_t { added, removed };
    kind what = kind::added;      ///< added or removed
    unsigned ifindex = 0;         ///< interface index
    net::address address;         ///< IFA_LOCAL (IPv4) or IFA_ADDRESS
    unsigned prefix_len = 0;      ///< prefix length
    std::uint8_t scope = 0;       ///< RT_SCOPE_* (253 link, 0 universe)
    bool tentative = false;       ///< IPv6 DAD not finished: not usable as a source yet
    friend bool operator==(const address_event&, const address_event&) = default;
};

/// @brief One interface event.
using interface_event = std::variant<link_event, address_event>;

/// @brief Parses one rtnetlink message into an event; nullopt for other types or bad input.
std::optional<interface_event> parse_interface_event(const nlmsghdr& m);

/// @brief Subscribed rtnetlink socket (links, IPv4 and IPv6 addresses).
class link_monitor {
public:
    /// @brief Opens the subscription first, so nothing between dump and events is lost.
    static result<link_monitor> open();
    /// @brief Non-blocking descriptor for the event loop (readable: read()).
    int native_handle() const { return events_.native_handle(); }
    /// @brief The current links and addresses, as new_link / added events.
    result<std::vector<interface_event>> dump();
    /// @brief Every queued event. On ENOBUFS (events lost) call dump() again.
    result<std::vector<interface_event>> read();

private:
    link_monitor(netlink_socket events, netlink_socket requests)
        : events_(std::move(events)), requests_(std::move(requests)) {}
    netlink_socket events_;
    netlink_socket requests_;
};

}  // namespace mcproxy::kernel
