// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The configured interfaces of one instance and what the kernel says
/// about them (exists, ifindex, up, addresses), fed by rtnetlink events.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mcproxy/core/types.hpp"
#include "mcproxy/daemon/intake.hpp"
#include "mcproxy/kernel/link_monitor.hpp"
#include "mcproxy/net/address.hpp"

namespace mcproxy::daemon {

/// @brief An interface named in the configuration. The core knows it by
/// `id`, which never changes, while the kernel ifindex may (an interface
/// deleted and created again gets a new one).
struct configured_interface {
    core::if_index id = 0;  ///< stable id given to the core (1..N)
    std::string name;       ///< interface name as configured
    bool upstream = false;  ///< listed as upstream
    bool downstream = false;  ///< listed as downstream (both: peering)
    /// Intake checks of packets arriving here (accept-off-link-reports of a
    /// downstream; the defaults on an upstream-only interface).
    intake_policy intake{};
};

/// @brief What is known about one configured interface right now.
struct interface_state {
    configured_interface conf;  ///< from the configuration
    net::family fam = net::family::ipv4;  ///< the instance's address family
    unsigned ifindex = 0;       ///< kernel ifindex; 0 while the interface does not exist
    bool admin_up = false;      ///< IFF_UP
    bool running = false;       ///< IFF_RUNNING (carrier)
    unsigned mtu = 0;           ///< link MTU
    /// Usable addresses of the instance family: IPv4 addresses, or IPv6
    /// link-local addresses whose DAD is done, in the order they appeared.
    std::vector<net::address> addresses;
    /// IPv4: every address with its prefix length, for the on-link source
    /// check of the intake (RFC 3376 9.2).
    std::vector<subnet> subnets;

    /// @brief Exists, is up and has carrier: the core may use it.
    bool usable() const { return ifindex != 0 && admin_up && running; }
    /// @brief The address mcproxy sends from (unspecified if none): RFC 3376
    /// 4 allows 0.0.0.0 for IGMP; MLD needs the link-local address (RFC 3810 5).
    net::address address() const;
};

/// @brief Follows the configured interfaces of one instance and family.
class interface_table {
public:
    /// @brief Table of `interfaces` (ids as given) for addresses of `fam`.
    interface_table(net::family fam, std::vector<configured_interface> interfaces);

    /// @brief Applies one rtnetlink event; returns the ids whose state changed.
    std::vector<core::if_index> apply(const kernel::interface_event& ev);
    /// @brief Makes the table match `snapshot`, a full dump taken after
    /// events were lost (ENOBUFS): links and addresses it lacks are removed
    /// as their RTM_DELLINK / RTM_DELADDR would have removed them, then the
    /// snapshot is applied. Returns the ids whose state changed, each once.
    std::vector<core::if_index> resync(const std::vector<kernel::interface_event>& snapshot);

    /// @brief Adds a configured interface (a reload); its kernel state comes
    /// with the next events (apply a fresh dump).
    void add(configured_interface c);
    /// @brief Forgets the interface with core id `id`.
    void remove(core::if_index id);
    /// @brief The interface with core id `id`, or nullptr.
    const interface_state* by_id(core::if_index id) const;
    /// @brief The configured interface that currently has `ifindex`, or nullptr.
    const interface_state* by_ifindex(unsigned ifindex) const;
    /// @brief The configured interface called `name`, or nullptr.
    const interface_state* by_name(std::string_view name) const;
    /// @brief Every configured interface in id order.
    const std::vector<interface_state>& all() const { return interfaces_; }

private:
    interface_state* find_ifindex(unsigned ifindex);
    std::vector<core::if_index> on_link(const kernel::link_event& l);
    std::vector<core::if_index> on_address(const kernel::address_event& a);

    net::family family_;
    std::vector<interface_state> interfaces_;
};

}  // namespace mcproxy::daemon
