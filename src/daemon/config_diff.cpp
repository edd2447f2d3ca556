// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/config_diff.hpp"

namespace mcproxy::daemon {

namespace {

void add_filter(std::string& out, const char* dir, const std::optional<config::filter>& f) {
    if (!f) return;
    out += std::string(" ") + dir + (f->type == config::filter_type::whitelist ? " whitelist {" : " blacklist {");
    for (const auto& r : f->rules.rules()) out += r.to_string() + ";";
    out += "}";
}

void add_filters(std::string& out, const config::interface_filters& fs) {
    add_filter(out, "in", fs.in);
    add_filter(out, "out", fs.out);
}

void add_tuning(std::string& out, const config::downstream_tuning& t) {
    out += " rv " + std::to_string(t.robustness) + " qi " + std::to_string(t.query_interval.count()) + " qri " +
           std::to_string(t.query_response_interval.count()) + " sqi " +
           std::to_string(t.startup_query_interval.count()) + " sqc " + std::to_string(t.startup_query_count) +
           " lmqi " + std::to_string(t.last_member_query_interval.count()) + " lmqc " +
           std::to_string(t.last_member_query_count) + (t.fastleave ? " fastleave" : "") +
           (t.accept_off_link_reports ? " accept-off-link" : "") + " limits " +
           std::to_string(t.max_groups) + "/" + std::to_string(t.max_sources) + "/" + std::to_string(t.max_hosts);
}

/// Everything but the downstream interfaces.
std::string frame(const config::instance& inst) {
    std::string out = inst.name + " " + std::string(config::to_string(inst.protocol)) + " table " +
                      std::to_string(inst.table) + "\n";
    for (const auto& u : inst.upstreams) {
        out += "up " + u.name;
        add_filters(out, u.filters);
        out += "\n";
    }
    out += "defaults up";
    add_filters(out, inst.upstream_defaults);
    out += " down";
    add_filters(out, inst.downstream_defaults);
    out += "\nmatching in " + std::string(config::to_string(inst.upstream_in.kind)) + " " +
           std::to_string(inst.upstream_in.timeout.count()) + " out " +
           std::string(config::to_string(inst.upstream_out.kind)) + " " +
           std::to_string(inst.upstream_out.timeout.count()) + "\nidle " +
           std::to_string(inst.route_idle_timeout.count()) + "\n";
    return out;
}

bool has_filters(const config::interface_filters& f) { return f.in.has_value() || f.out.has_value(); }

}  // namespace

std::string downstream_fingerprint(const config::downstream& d) {
    std::string out = "down " + d.name;
    add_tuning(out, d.tuning);
    add_filters(out, d.filters);
    return out;
}

std::string fingerprint(const config::instance& inst) {
    std::string out = frame(inst);
    for (const auto& d : inst.downstreams) out += downstream_fingerprint(d) + "\n";
    return out;
}

bool reconfigurable_in_place(const config::instance& before, const config::instance& after) {
    auto plain = [](const config::instance& i) {
        if (!i.peering.empty() || has_filters(i.upstream_defaults) || has_filters(i.downstream_defaults)) return false;
        for (const auto& u : i.upstreams)
            if (u.peering || has_filters(u.filters)) return false;
        for (const auto& d : i.downstreams)
            if (d.peering || has_filters(d.filters)) return false;
        return true;
    };
    return before.family == after.family && frame(before) == frame(after) && plain(before) && plain(after);
}

}  // namespace mcproxy::daemon
