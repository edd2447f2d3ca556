// SPDX-License-Identifier: GPL-2.0-or-later
// Per-downstream protocol timers, fast leave, limits and the intake's
// off-link check:
//   pinstance N downstream IF|* KEY VALUE ... [fastleave] [accept-off-link-reports];
// A '*' statement sets defaults for every downstream of the instance; a
// statement naming the interface overrides them key by key (no-fastleave
// and no-accept-off-link-reports turn a '*' flag off for one interface).
#include <array>

#include "semantic_support.hpp"

namespace mcproxy::config::detail {
namespace {

using std::chrono::milliseconds;

struct parsed {
    std::optional<milliseconds> qi, qri, sqi, lmqi;
    std::optional<unsigned> robustness, sqc, lmqc;
    std::optional<std::uint32_t> max_groups, max_sources, max_hosts;
    std::optional<bool> fastleave;
    std::optional<bool> accept_off_link;
    std::map<std::string, location> where;  // key -> location of its value (or of the key for flags)

    void merge(const parsed& o) {
        auto take = [](auto& mine, const auto& theirs) {
            if (theirs) mine = theirs;
        };
        take(qi, o.qi);
        take(qri, o.qri);
        take(sqi, o.sqi);
        take(lmqi, o.lmqi);
        take(robustness, o.robustness);
        take(sqc, o.sqc);
        take(lmqc, o.lmqc);
        take(max_groups, o.max_groups);
        take(max_sources, o.max_sources);
        take(max_hosts, o.max_hosts);
        take(fastleave, o.fastleave);
        take(accept_off_link, o.accept_off_link);
        for (const auto& [k, l] : o.where) where[k] = l;
    }
};

// Largest time each protocol's Max Resp field can carry.
//   IGMPv2 (RFC 2236 2.2): 8 bits in 1/10 s -> 25.5 s.
//   IGMPv3 (RFC 3376 4.1.1): Max Resp Code, largest (0x0F|0x10) << (7+3) = 31744 tenths.
//   MLDv1 (RFC 2710 3.4): 16 bits in ms -> 65.535 s.
//   MLDv2 (RFC 3810 5.1.3): Maximum Response Code, largest (0xFFF|0x1000) << (7+3) = 8387584 ms.
struct response_limits {
    milliseconds min;
    milliseconds max;
};
std::optional<response_limits> response_range(protocol_version p) {
    switch (p) {
    case protocol_version::igmpv1: return std::nullopt;  // fixed 10 s, no field (RFC 1112 appendix I)
    case protocol_version::igmpv2: return response_limits{milliseconds(100), milliseconds(25'500)};
    case protocol_version::igmpv3: return response_limits{milliseconds(100), milliseconds(3'174'400)};
    case protocol_version::mldv1: return response_limits{milliseconds(1), milliseconds(65'535)};
    case protocol_version::mldv2: return response_limits{milliseconds(1), milliseconds(8'387'584)};
    }
    return std::nullopt;
}

// Query interval: QQIC (RFC 3376 4.1.7, RFC 3810 5.1.9) carries at most 31744 s.
constexpr milliseconds max_query_interval{31'744'000};

// A flag and its "no-" form, which turns a '*' flag off for one interface.
struct flag_pair {
    const char* on;
    const char* off;
    std::optional<bool> parsed::*field;
};
constexpr std::array<flag_pair, 2> flags = {{
    {"fastleave", "no-fastleave", &parsed::fastleave},
    {"accept-off-link-reports", "no-accept-off-link-reports", &parsed::accept_off_link},
}};
const flag_pair* flag_of(const std::string& key) {
    for (const auto& f : flags)
        if (key == f.on || key == f.off) return &f;
    return nullptr;
}

parsed parse_settings(const ast::tuning_stmt& t, std::map<std::string, location>& seen, const std::string& target,
                      diag_sink& sink) {
    parsed p;
    for (const auto& s : t.settings) {
        auto [it, fresh] = seen.emplace(target + "\n" + s.key, s.loc);
        if (!fresh) {
            sink.error(s.loc, "'" + s.key + "' is already set for downstream " + target + " at " + to_string(it->second),
                       s.key, "each setting once per interface");
            continue;
        }
        if (const auto* f = flag_of(s.key)) {
            // One of the pair per interface: the second is "already set".
            const bool on = s.key == f->on;
            const std::string other = on ? f->off : f->on;
            if (auto o = seen.find(target + "\n" + other); o != seen.end()) {
                sink.error(s.loc, "'" + s.key + "' contradicts '" + other + "' for downstream " + target + " at " +
                                      to_string(o->second),
                           s.key, "either '" + std::string(f->on) + "' or '" + f->off + "'");
                continue;
            }
            p.*(f->field) = on;
            p.where[f->on] = s.loc;
            continue;
        }
        const std::string& v = *s.value;
        const location vl = s.value_loc;
        auto time = [&](std::optional<milliseconds>& out) {
            auto r = parse_time(v, vl, s.key, false, sink);
            if (r && r->count() == 0) {
                sink.error(vl, s.key + " must be greater than 0", v, "a positive time");
                return;
            }
            if (r) out = r;
        };
        auto count = [&](auto& out, std::uint64_t lo, std::uint64_t hi) {
            if (auto r = parse_count(v, vl, s.key, lo, hi, sink))
                out = static_cast<typename std::remove_reference_t<decltype(out)>::value_type>(*r);
        };
        if (s.key == "query-interval") time(p.qi);
        else if (s.key == "query-response-interval") time(p.qri);
        else if (s.key == "startup-query-interval") time(p.sqi);
        else if (s.key == "last-member-query-interval") time(p.lmqi);
        else if (s.key == "robustness") {
            // RFC 3376 8.1: MUST NOT be zero and SHOULD NOT be one; the QRV field has 3 bits.
            count(p.robustness, 1, 7);
            if (p.robustness == 1u)
                sink.warn(vl, "robustness 1 gives no protection against a lost packet (RFC 3376 8.1: SHOULD NOT be one)");
        } else if (s.key == "startup-query-count") count(p.sqc, 1, 255);
        else if (s.key == "last-member-query-count") count(p.lmqc, 1, 255);
        else if (s.key == "max-groups") count(p.max_groups, 1, 1'000'000);
        else if (s.key == "max-sources") count(p.max_sources, 1, 1'000'000);
        else if (s.key == "max-hosts") count(p.max_hosts, 1, 1'000'000);
        p.where[s.key] = vl;
    }
    return p;
}

std::string name_of(protocol_version p) { return std::string(to_string(p)); }

void validate(const parsed& p, const downstream_tuning& t, protocol_version proto, diag_sink& sink) {
    auto at = [&](const char* key) { return p.where.at(key); };
    if (p.qi && (*p.qi < std::chrono::seconds(1) || *p.qi > max_query_interval))
        sink.error(at("query-interval"),
                   "query-interval " + format_time(*p.qi) + " is out of range, expected 1 s .. 31744 s",
                   format_time(*p.qi), "1 s .. 31744 s");
    const auto range = response_range(proto);
    auto check_response = [&](const std::optional<milliseconds>& v, const char* key) {
        if (!v) return;
        if (!range) {
            sink.warn(at(key), std::string(key) + " is ignored: IGMPv1 queries carry no response time (hosts use 10 s)");
            return;
        }
        if (*v < range->min || *v > range->max)
            sink.error(at(key),
                       std::string(key) + " " + format_time(*v) + " does not fit " + name_of(proto) +
                           ", expected " + format_time(range->min) + " .. " + format_time(range->max),
                       format_time(*v), format_time(range->min) + " .. " + format_time(range->max));
        else if (range->min.count() == 100 && v->count() % 100 != 0)
            sink.warn(at(key), std::string(key) + " " + format_time(*v) + " is sent in tenths of a second by " +
                                   name_of(proto) + " and is rounded down");
    };
    check_response(p.qri, "query-response-interval");
    check_response(p.lmqi, "last-member-query-interval");
    // RFC 3376 8.3 / RFC 3810 9.3: the response interval must be less than the query interval.
    if ((p.qri || p.qi) && range && t.query_response_interval >= t.query_interval)
        sink.error(at(p.qri ? "query-response-interval" : "query-interval"),
                   "query-response-interval " + format_time(t.query_response_interval) +
                       " must be less than query-interval " + format_time(t.query_interval),
                   format_time(t.query_response_interval), "less than " + format_time(t.query_interval));
    if (p.sqi && t.startup_query_interval > t.query_interval)
        sink.error(at("startup-query-interval"),
                   "startup-query-interval " + format_time(t.startup_query_interval) +
                       " must not be greater than query-interval " + format_time(t.query_interval),
                   format_time(t.startup_query_interval), "at most " + format_time(t.query_interval));
    if (proto == protocol_version::igmpv1) {
        if (p.lmqc) sink.warn(at("last-member-query-count"), "last-member-query-count is ignored: IGMPv1 has no leave messages");
        if (p.fastleave.value_or(false))
            sink.warn(at("fastleave"), "fastleave has no effect with IGMPv1: hosts send no leave messages");
    }
    // RFC 3810 5.2.13, RFC 2710 3: MLD messages come from link-local
    // addresses, which are on the link by definition (RFC 4291 2.5.6); the
    // intake has no off-link check to switch off there.
    if (family_of(proto) == net::family::ipv6 && p.accept_off_link.value_or(false))
        sink.warn(at("accept-off-link-reports"),
                  "accept-off-link-reports has no effect with " + name_of(proto) +
                      ": MLD reports must come from a link-local address");
}

}  // namespace

void apply_tuning(instance& inst, const std::vector<const ast::tuning_stmt*>& stmts, diag_sink& sink) {
    std::map<std::string, location> seen;
    parsed defaults;
    std::map<std::string, parsed> per_iface;
    for (const auto* t : stmts) {
        const std::string target = t->iface ? "'" + t->iface->text + "'" : "'*'";
        parsed p = parse_settings(*t, seen, target, sink);
        if (t->iface)
            per_iface[t->iface->text].merge(p);
        else
            defaults.merge(p);
    }
    for (auto& d : inst.downstreams) {
        parsed p = defaults;
        if (auto it = per_iface.find(d.name); it != per_iface.end()) p.merge(it->second);
        downstream_tuning t;
        t.robustness = p.robustness.value_or(t.robustness);
        t.query_interval = p.qi.value_or(t.query_interval);
        t.query_response_interval = p.qri.value_or(t.query_response_interval);
        if (inst.protocol == protocol_version::igmpv1) t.query_response_interval = std::chrono::seconds(10);
        t.startup_query_interval = p.sqi.value_or(t.query_interval / 4);  // RFC 3376 8.6
        t.startup_query_count = p.sqc.value_or(t.robustness);              // RFC 3376 8.7
        t.last_member_query_interval = p.lmqi.value_or(t.last_member_query_interval);
        t.last_member_query_count = p.lmqc.value_or(t.robustness);         // RFC 3376 8.9
        t.fastleave = p.fastleave.value_or(false);
        t.accept_off_link_reports = p.accept_off_link.value_or(false);
        t.max_groups = p.max_groups.value_or(t.max_groups);
        t.max_sources = p.max_sources.value_or(t.max_sources);
        t.max_hosts = p.max_hosts.value_or(t.max_hosts);
        validate(p, t, inst.protocol, sink);
        d.tuning = t;
    }
}

}  // namespace mcproxy::config::detail
