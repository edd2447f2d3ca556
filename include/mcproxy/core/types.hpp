// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Value types of the I/O-free protocol core: time, membership, actions.
///
/// The core never reads a clock: every entry point takes `now`, and every
/// object reports its next deadline so the event loop knows when to call
/// `advance(now)`. The core never touches a socket: it returns actions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "mcproxy/net/address.hpp"
#include "mcproxy/net/address_set.hpp"
#include "mcproxy/wire/message.hpp"

namespace mcproxy::core {

/// @brief Time spans of the core, in microseconds.
using duration = std::chrono::microseconds;
/// @brief A point on the monotonic clock, in microseconds. Tests start at
/// `time_point{}` and step it; the daemon converts steady_clock::now().
using time_point = std::chrono::time_point<std::chrono::steady_clock, duration>;

/// @brief Kernel interface index (ifindex).
using if_index = std::uint32_t;

/// @brief Router filter mode, RFC 3376 6.2.1 / RFC 3810 7.2.1.
enum class filter_mode : std::uint8_t { include, exclude };
/// @brief "INCLUDE" or "EXCLUDE".
const char* to_string(filter_mode m);

/// @brief A set of source addresses.
using source_set = net::address_set;

/// @brief Interface-level membership of one group: INCLUDE{sources} or
/// EXCLUDE{sources}. INCLUDE{} means "no membership".
///
/// For a router-side record in EXCLUDE mode, `sources` is the Exclude List
/// (sources whose timer is 0, RFC 3376 6.2.1): traffic from every other
/// source is wanted. This is the per-interface state RFC 4605 4.1 merges.
struct membership {
    filter_mode mode = filter_mode::include;  ///< INCLUDE or EXCLUDE
    source_set sources;  ///< the INCLUDE list, or the Exclude List

    /// @brief Whether this is INCLUDE{}, i.e. no membership.
    bool empty() const { return mode == filter_mode::include && sources.empty(); }
    /// @brief Whether traffic from `source` is wanted (RFC 3376 6.3).
    bool wants(const net::address& source) const {
        return mode == filter_mode::include ? sources.contains(source) : !sources.contains(source);
    }
    /// @brief "INCLUDE{a, b}" or "EXCLUDE{...}", for logs and tests.
    std::string to_string() const;
    friend bool operator==(const membership&, const membership&) = default;
};

/// @brief Protocol timer settings of one interface, RFC 3376 8 / RFC 3810 9.
/// The defaults are the RFC defaults; the derived values are computed.
struct timer_settings {
    unsigned robustness = 2;                              ///< RFC 3376 8.1
    duration query_interval = std::chrono::seconds(125);  ///< 8.2
    duration query_response_interval = std::chrono::seconds(10);  /**< 8.3 */
    /// 8.6; unset means query_interval / 4.
    std::optional<duration> startup_query_interval;
    /// 8.7; unset means robustness.
    std::optional<unsigned> startup_query_count;
    duration last_member_query_interval = std::chrono::seconds(1);  /**< 8.8 */
    /// 8.9; unset means robustness.
    std::optional<unsigned> last_member_query_count;
    /// 8.11 (IGMPv3 / MLDv2: 1 s; IGMPv2: 10 s, RFC 2236 8.10).
    duration unsolicited_report_interval = std::chrono::seconds(1);

    /// @brief RFC 3376 8.6: Startup Query Interval in use.
    duration startup_interval() const { return startup_query_interval.value_or(query_interval / 4); }
    /// @brief RFC 3376 8.7: Startup Query Count in use.
    unsigned startup_count() const { return startup_query_count.value_or(robustness); }
    /// @brief RFC 3376 8.9: Last Member Query Count in use.
    unsigned last_member_count() const { return last_member_query_count.value_or(robustness); }
    /// RFC 3376 8.4: Group Membership Interval.
    duration group_membership_interval() const { return robustness * query_interval + query_response_interval; }
    /// RFC 3376 8.5: Other Querier Present Interval.
    duration other_querier_present_interval() const {
        return robustness * query_interval + query_response_interval / 2;
    }
    /// RFC 3376 8.13: Older Host Present Interval (same value as 8.4).
    duration older_host_present_interval() const { return group_membership_interval(); }
    /// RFC 3376 8.12: Older Version Querier Present Timeout.
    duration older_querier_present_timeout() const { return robustness * query_interval + query_response_interval; }
    /// RFC 3376 8.10: Last Member Query Time.
    duration last_member_query_time() const { return last_member_count() * last_member_query_interval; }
};

// ---- actions: what the core asks the daemon to do ------------------------

/// @brief Send `msg` on `iface` to `destination` (TTL/hop limit 1, Router Alert).
struct send_action {
    if_index iface = 0;  ///< the interface to send on
    net::address destination;  ///< the IP destination address
    wire::message msg;  ///< the message to encode
};

/// @brief Identifies a kernel forwarding entry.
struct route_key {
    net::address source;  ///< the source address (S)
    net::address group;  ///< the group address (G)
    friend auto operator<=>(const route_key&, const route_key&) = default;
};

/// @brief Add or replace the kernel entry (S,G): arrives on `input`,
/// forwarded to `outputs` (sorted, never containing `input`).
struct set_route_action {
    route_key key;  ///< the entry
    if_index input = 0;  ///< the interface data must arrive on
    std::vector<if_index> outputs;  ///< sorted interfaces to forward to
};

/// @brief Remove the kernel entry (S,G).
struct remove_route_action {
    route_key key;  ///< the entry
};

/// @brief Read the packet counters of these entries and report them back
/// (for idle expiry of unused routes).
struct read_counters_action {
    std::vector<route_key> keys;  ///< the entries to read
};

/// @brief Severity of a log line, most severe first.
enum class log_level : std::uint8_t { error, warning, notice, debug, trace };

/// @brief A log line the core wants written.
struct log_action {
    log_level level = log_level::debug;  ///< how severe
    std::string text;  ///< the line, without a newline
};

/// @brief Anything the core asks the daemon to do.
using action = std::variant<send_action, set_route_action, remove_route_action, read_counters_action, log_action>;
using actions = std::vector<action>;  ///< the actions of one event, in order

/// @brief Deterministic randomness for report and query delays.
/// Tests seed it; the daemon seeds it from std::random_device.
class jitter {
public:
    /// @brief Seeded with `seed` (the same seed gives the same delays).
    explicit jitter(std::uint64_t seed = 1) : engine_(seed) {}
    /// @brief Uniform in [0, max].
    duration up_to(duration max) {
        if (max.count() <= 0) return duration{0};
        return duration{std::uniform_int_distribution<duration::rep>(0, max.count())(engine_)};
    }

private:
    std::mt19937_64 engine_;
};

/// @brief Earliest of two optional deadlines.
inline std::optional<time_point> earliest(std::optional<time_point> a, std::optional<time_point> b) {
    if (!a) return b;
    if (!b) return a;
    return *a < *b ? a : b;
}

}  // namespace mcproxy::core
