// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The ifindex <-> VIF/MIF number map of one multicast routing table.
#pragma once

#include "mcproxy/kernel/mroute_types.hpp"

#include <array>
#include <cstdint>
#include <optional>

namespace mcproxy::kernel {

/// @brief Assigns the lowest free VIF number (0..31) to an interface index.
///
/// The kernel addresses VIFs by a small number; the rest of mcproxy speaks
/// ifindex. This table is the one place that translates.
class vif_table {
public:
    /// @brief The VIF of ifindex, or nullopt.
    std::optional<std::uint16_t> vif_of(unsigned ifindex) const;
    /// @brief The ifindex of a VIF, or nullopt.
    std::optional<unsigned> ifindex_of(std::uint16_t vif) const;
    /// @brief Reserves the lowest free VIF for ifindex; nullopt when all 32 are used.
    /// Returns the existing VIF if ifindex already has one.
    std::optional<std::uint16_t> allocate(unsigned ifindex);
    /// @brief Frees the VIF of ifindex; false if it had none.
    bool release(unsigned ifindex);
    /// @brief Number of VIFs in use.
    unsigned size() const;

private:
    std::array<unsigned, max_vifs> ifindex_{};  // 0 = free (ifindex 0 is never a real interface)
};

}  // namespace mcproxy::kernel
