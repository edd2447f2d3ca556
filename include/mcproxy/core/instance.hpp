// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief One proxy instance of the core: routers on the downstreams, hosts
/// on the upstreams, the RFC 4605 merge between them, and forwarding.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mcproxy/core/events.hpp"
#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief A downstream interface as configured.
struct downstream_settings {
    std::string name;
    timer_settings timers;
    bool fastleave = false;
    std::size_t max_groups = 4096;
    std::size_t max_sources = 1024;
    std::size_t max_hosts = 1024;
};

/// @brief An upstream interface as configured (order matters).
struct upstream_settings {
    std::string name;
};

/// @brief Everything a core instance needs to know from the configuration.
struct instance_settings {
    std::string name;
    wire::version ver = wire::version::igmpv3;
    std::vector<upstream_settings> upstreams;
    std::vector<downstream_settings> downstreams;
    /// Unused (S,G) forwarding entries are removed after this.
    duration route_idle_timeout = std::chrono::seconds(300);
    /// Seed of the report/query delay randomness.
    std::uint64_t seed = 1;
};

/// @brief A proxy instance without I/O: events in, actions out.
class instance {
public:
    instance(instance_settings settings, time_point now);
    ~instance();
    instance(instance&&) noexcept;
    instance& operator=(instance&&) noexcept;

    /// @brief Handles one event at `now`, appending what to do to `out`.
    void handle(const event& ev, time_point now, actions& out);
    /// @brief Runs every timer due at `now`.
    void advance(time_point now, actions& out);
    /// @brief When advance() has work next.
    std::optional<time_point> next_deadline() const;
    /// @brief Removes every forwarding entry and reports leaving upstream.
    void shutdown(time_point now, actions& out);

    /// @brief Human-readable state for `mcproxy -s`: interfaces, querier
    /// role, groups with filter mode, sources and timers, routes.
    std::string status(time_point now) const;

    const instance_settings& settings() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace mcproxy::core
