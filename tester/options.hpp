// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Command line of mcproxy-tester: subcommand, interface, group and
/// the options each subcommand takes.
///
/// Header-only so the unit tests can compile it without the tester's main.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "mcproxy/net/address.hpp"
#include "payload.hpp"

namespace mcproxy::tester {

/// @brief The three things the tester does.
enum class command { join, send, receive };

/// @brief Longest time any subcommand may run (one week); every wait loop
/// is bounded by it even when the user asked for "until killed".
inline constexpr double max_duration_s = 7.0 * 24 * 3600;
/// @brief Highest send rate accepted, packets per second.
inline constexpr double max_rate_pps = 1000000.0;
/// @brief Most packets one run may send or wait for.
inline constexpr std::uint64_t max_count = 1000000000000ULL;
/// @brief Source addresses one join may list.
inline constexpr std::size_t max_sources = 64;

/// @brief A parsed, validated command line.
struct tester_options {
    command cmd = command::join;             ///< subcommand
    std::string iface;                       ///< interface name
    net::address group;                      ///< multicast group
    std::vector<net::address> sources;       ///< --source (join, receive)
    bool exclude = false;                    ///< --exclude: sources are blocked
    double duration_s = 0;                   ///< --duration; 0: command default
    std::uint64_t count = 0;                 ///< --count; 0: no count limit
    unsigned port = 5001;                    ///< --port (send, receive)
    double rate_pps = 10;                    ///< --rate (send)
    unsigned ttl = 16;                       ///< --ttl: IPv4 TTL / IPv6 hop limit (send)
    std::size_t size = 64;                   ///< --size: UDP payload bytes (send)
    std::optional<net::address> source_address;  ///< --source-address (send)
    bool json = false;                       ///< --json (receive)
};

/// @brief `--help` or `help`: print the usage and exit 0.
struct help_request {};

/// @brief A command line that cannot be understood: exit status 2.
struct usage_error {
    std::string message;  ///< one line, e.g. "unknown option '--foo'"
};

/// @brief Result of parse_arguments.
using parse_result = std::variant<tester_options, help_request, usage_error>;

/// @brief "join", "send", "receive".
inline std::string_view to_string(command c) {
    switch (c) {
        case command::join: return "join";
        case command::send: return "send";
        case command::receive: return "receive";
    }
    return "?";
}

namespace detail {

/// @brief Whole-string unsigned integer; nullopt on junk or overflow.
inline std::optional<std::uint64_t> parse_uint(std::string_view s) {
    std::uint64_t v = 0;
    if (s.empty()) return std::nullopt;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

/// @brief Whole-string non-negative decimal number ("10", "0.5").
inline std::optional<double> parse_decimal(std::string_view s) {
    double v = 0;
    if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v,
                                           std::chars_format::fixed);
    if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
    if (!(v == v)) return std::nullopt;  // NaN
    return v;
}

}  // namespace detail

/// @brief Parses the arguments after the program name: SUBCOMMAND IFACE
/// GROUP [options]. Options may come anywhere after the subcommand, as
/// `--name value` or `--name=value`.
inline parse_result parse_arguments(const std::vector<std::string>& args) {
    if (args.empty()) return usage_error{"missing subcommand (join, send or receive)"};
    const std::string& sub = args[0];
    if (sub == "help" || sub == "--help" || sub == "-h") return help_request{};
    tester_options o;
    if (sub == "join") {
        o.cmd = command::join;
    } else if (sub == "send") {
        o.cmd = command::send;
    } else if (sub == "receive") {
        o.cmd = command::receive;
    } else {
        return usage_error{"unknown subcommand '" + sub + "' (join, send or receive)"};
    }

    // Which options each subcommand accepts; anything else is an error, so
    // a typo never silently changes a test.
    const std::set<std::string_view> allowed = [&]() -> std::set<std::string_view> {
        switch (o.cmd) {
            case command::join: return {"--source", "--exclude", "--duration"};
            case command::send:
                return {"--port", "--rate", "--count", "--ttl", "--size", "--source-address",
                        "--duration"};
            case command::receive:
                return {"--source", "--exclude", "--port", "--duration", "--count", "--json"};
        }
        return {};
    }();
    const std::set<std::string_view> flags = {"--exclude", "--json"};

    std::vector<std::string> positional;
    std::set<std::string> seen;
    bool duration_given = false;
    bool count_given = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--help" || a == "-h") return help_request{};
        if (a.size() < 2 || a[0] != '-') {
            positional.push_back(a);
            continue;
        }
        std::string name = a;
        std::optional<std::string> value;
        if (const auto eq = a.find('='); eq != std::string::npos) {
            name = a.substr(0, eq);
            value = a.substr(eq + 1);
        }
        if (!allowed.count(name)) {
            static const std::set<std::string_view> known = {
                "--source", "--exclude", "--duration", "--port", "--rate", "--count",
                "--ttl",    "--size",    "--source-address", "--json"};
            if (known.count(name))
                return usage_error{"option '" + name + "' does not apply to '" + sub + "'"};
            return usage_error{"unknown option '" + name + "'"};
        }
        if (flags.count(name)) {
            if (value) return usage_error{"option '" + name + "' takes no value"};
            if (name == "--exclude") o.exclude = true;
            if (name == "--json") o.json = true;
            continue;
        }
        if (!value) {
            if (i + 1 >= args.size()) return usage_error{"option '" + name + "' needs a value"};
            value = args[++i];
        }
        if (name != "--source" && !seen.insert(name).second)
            return usage_error{"option '" + name + "' given twice"};
        const std::string& v = *value;
        auto bad = [&](const std::string& why) {
            return usage_error{"bad value '" + v + "' for " + name + ": " + why};
        };
        if (name == "--source") {
            const auto s = net::address::parse(v);
            if (!s) return bad("not an IPv4 or IPv6 address");
            if (s->is_multicast() || s->is_unspecified())
                return bad("a source must be a unicast address");
            if (o.sources.size() >= max_sources)
                return bad("at most " + std::to_string(max_sources) + " sources");
            o.sources.push_back(*s);
        } else if (name == "--source-address") {
            const auto s = net::address::parse(v);
            if (!s) return bad("not an IPv4 or IPv6 address");
            if (s->is_multicast() || s->is_unspecified()) return bad("must be a unicast address");
            o.source_address = *s;
        } else if (name == "--duration") {
            const auto d = detail::parse_decimal(v);
            if (!d || *d <= 0 || *d > max_duration_s)
                return bad("seconds, more than 0 and at most 604800");
            o.duration_s = *d;
            duration_given = true;
        } else if (name == "--rate") {
            const auto r = detail::parse_decimal(v);
            if (!r || *r <= 0 || *r > max_rate_pps)
                return bad("packets per second, more than 0 and at most 1000000");
            o.rate_pps = *r;
        } else if (name == "--count") {
            const auto c = detail::parse_uint(v);
            if (!c || *c == 0 || *c > max_count) return bad("a whole number of at least 1");
            o.count = *c;
            count_given = true;
        } else if (name == "--port") {
            const auto p = detail::parse_uint(v);
            if (!p || *p == 0 || *p > 65535) return bad("a port number 1-65535");
            o.port = static_cast<unsigned>(*p);
        } else if (name == "--ttl") {
            const auto t = detail::parse_uint(v);
            if (!t || *t == 0 || *t > 255) return bad("1-255");
            o.ttl = static_cast<unsigned>(*t);
        } else if (name == "--size") {
            const auto s = detail::parse_uint(v);
            if (!s || *s < payload_header_size || *s > payload_max_size)
                return bad("payload bytes, " + std::to_string(payload_header_size) + "-" +
                           std::to_string(payload_max_size));
            o.size = static_cast<std::size_t>(*s);
        }
    }

    if (positional.size() < 2) return usage_error{"'" + sub + "' needs IFACE and GROUP"};
    if (positional.size() > 2) return usage_error{"unexpected argument '" + positional[2] + "'"};
    o.iface = positional[0];
    if (o.iface.size() >= 16) return usage_error{"interface name '" + o.iface + "' is too long"};
    const auto g = net::address::parse(positional[1]);
    if (!g) return usage_error{"group '" + positional[1] + "' is not an IPv4 or IPv6 address"};
    if (!g->is_multicast())
        return usage_error{"group '" + positional[1] + "' is not a multicast address"};
    o.group = *g;
    for (const auto& s : o.sources)
        if (s.fam() != o.group.fam())
            return usage_error{"source " + s.to_string() + " and group " + o.group.to_string() +
                               " are of different address families"};
    if (o.source_address && o.source_address->fam() != o.group.fam())
        return usage_error{"--source-address " + o.source_address->to_string() + " and group " +
                           o.group.to_string() + " are of different address families"};

    // Defaults that keep every run bounded: a sender without --count or
    // --duration sends 100 packets; a receiver without --duration listens
    // for 10 seconds. join without --duration holds until a signal.
    if (o.cmd == command::send && !count_given && !duration_given) o.count = 100;
    if (o.cmd == command::receive && !duration_given) o.duration_s = 10;
    return o;
}

/// @brief The text of `mcproxy-tester --help`.
inline std::string help_text() {
    return "usage: mcproxy-tester join IFACE GROUP [--source S]... [--exclude] [--duration SEC]\n"
           "       mcproxy-tester send IFACE GROUP [--port P] [--rate PPS] [--count N]\n"
           "                           [--duration SEC] [--ttl T] [--size BYTES]\n"
           "                           [--source-address A]\n"
           "       mcproxy-tester receive IFACE GROUP [--source S]... [--exclude] [--port P]\n"
           "                           [--duration SEC] [--count N] [--json]\n"
           "\n"
           "join     joins GROUP on IFACE through the kernel's IGMP/MLD stack, holds the\n"
           "         membership until SIGINT/SIGTERM or --duration ends, then leaves.\n"
           "         --source S: source-specific (INCLUDE) join; with --exclude the\n"
           "         sources are blocked instead (EXCLUDE mode).\n"
           "send     sends a numbered, timestamped UDP stream to GROUP out of IFACE\n"
           "         (defaults: port 5001, 10 packets/s, 100 packets, TTL 16, 64 bytes).\n"
           "receive  joins like 'join' and receives the stream: loss, duplicates,\n"
           "         reordering and one-way delay (default: 10 s). --json prints one\n"
           "         line of JSON instead of text.\n"
           "\n"
           "Exit status: 0 success, 1 failure (receive: nothing received), 2 bad usage.\n";
}

}  // namespace mcproxy::tester
