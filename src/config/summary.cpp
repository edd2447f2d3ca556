// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/summary.hpp"

#include "semantic_support.hpp"

namespace mcproxy::config {
namespace {

using detail::format_time;

std::string join(const std::vector<std::string>& v) {
    if (v.empty()) return "none";
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

std::string describe(const filter& f) {
    std::string s = f.type == filter_type::whitelist ? "whitelist " : "blacklist ";
    s += f.table_name.empty() ? "anonymous table" : "table '" + f.table_name + "'";
    s += " (" + std::to_string(f.rules.size()) + (f.rules.size() == 1 ? " rule)" : " rules)");
    return s;
}

void filters(std::string& out, const char* side, const std::string& name, const interface_filters& fs) {
    if (fs.in) out += std::string("  filter ") + side + " " + name + " in: " + describe(*fs.in) + "\n";
    if (fs.out) out += std::string("  filter ") + side + " " + name + " out: " + describe(*fs.out) + "\n";
}

// Only what differs from the RFC defaults, so the summary stays short.
std::string tuning(const downstream_tuning& t) {
    const downstream_tuning d;
    std::vector<std::string> parts;
    if (t.robustness != d.robustness) parts.push_back("robustness " + std::to_string(t.robustness));
    if (t.query_interval != d.query_interval) parts.push_back("query-interval " + format_time(t.query_interval));
    if (t.query_response_interval != d.query_response_interval)
        parts.push_back("query-response-interval " + format_time(t.query_response_interval));
    if (t.startup_query_interval != t.query_interval / 4)
        parts.push_back("startup-query-interval " + format_time(t.startup_query_interval));
    if (t.startup_query_count != t.robustness)
        parts.push_back("startup-query-count " + std::to_string(t.startup_query_count));
    if (t.last_member_query_interval != d.last_member_query_interval)
        parts.push_back("last-member-query-interval " + format_time(t.last_member_query_interval));
    if (t.last_member_query_count != t.robustness)
        parts.push_back("last-member-query-count " + std::to_string(t.last_member_query_count));
    if (t.max_groups != d.max_groups) parts.push_back("max-groups " + std::to_string(t.max_groups));
    if (t.max_sources != d.max_sources) parts.push_back("max-sources " + std::to_string(t.max_sources));
    if (t.max_hosts != d.max_hosts) parts.push_back("max-hosts " + std::to_string(t.max_hosts));
    if (t.fastleave) parts.emplace_back("fastleave");
    if (t.accept_off_link_reports) parts.emplace_back("accept-off-link-reports");
    return parts.empty() ? std::string() : join(parts);
}

std::string matching_text(const rule_matching& r) {
    std::string s(to_string(r.kind));
    if (r.kind == matching::mutex) s += " " + std::to_string(r.timeout.count()) + " ms";
    return s;
}

}  // namespace

std::string summarize(const model& m) {
    std::string out;
    const std::size_t n = m.instances.size();
    out += "configuration " + (m.file.empty() ? std::string("(text)") : m.file) + ": " + std::to_string(n) +
           (n == 1 ? " instance" : " instances") + ", " + std::to_string(m.tables.size()) +
           (m.tables.size() == 1 ? " named table\n" : " named tables\n");
    if (m.disabled) out += "DISABLED: the file contains 'disable;', mcproxy will not start\n";
    for (const auto& inst : m.instances) {
        out += "instance '" + inst.name + "': " + std::string(to_string(inst.protocol)) + " (" +
               std::string(net::to_string(inst.family)) + "), kernel table " +
               (inst.table == 0 ? std::string("default") : std::to_string(inst.table)) +
               (inst.table_explicit || inst.table == 0 ? "\n" : " (assigned)\n");
        std::vector<std::string> ups;
        for (const auto& u : inst.upstreams) ups.push_back(u.name);
        std::vector<std::string> downs;
        for (const auto& d : inst.downstreams) downs.push_back(d.name);
        out += "  upstreams:   " + (ups.empty() ? std::string("none (querier only)") : join(ups)) + "\n";
        out += "  downstreams: " + join(downs) + "\n";
        if (!inst.peering.empty()) out += "  peering:     " + join(inst.peering) + "\n";
        if (inst.upstreams.size() > 1)
            out += "  rulematching: in " + matching_text(inst.upstream_in) + ", out " + matching_text(inst.upstream_out) +
                   "\n";
        out += "  route-idle-timeout: " + format_time(inst.route_idle_timeout) + "\n";
        for (const auto& d : inst.downstreams) {
            const std::string t = tuning(d.tuning);
            if (!t.empty()) out += "  downstream " + d.name + ": " + t + "\n";
        }
        for (const auto& u : inst.upstreams) filters(out, "upstream", u.name, u.filters);
        for (const auto& d : inst.downstreams) filters(out, "downstream", d.name, d.filters);
    }
    return out;
}

}  // namespace mcproxy::config
