// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/config_diff.hpp"

namespace mcproxy::daemon {

namespace {

bool has_filters(const config::interface_filters& f) { return f.in.has_value() || f.out.has_value(); }

/// Everything but the downstream interfaces.
config::instance_settings frame(const config::instance& inst) {
    config::instance_settings s = inst;
    s.downstreams.clear();
    return s;
}

/// No filters and no peering interface anywhere.
bool plain(const config::instance& i) {
    if (!i.peering.empty() || has_filters(i.upstream_defaults) || has_filters(i.downstream_defaults)) return false;
    for (const auto& u : i.upstreams)
        if (u.peering || has_filters(u.filters)) return false;
    for (const auto& d : i.downstreams)
        if (d.peering || has_filters(d.filters)) return false;
    return true;
}

}  // namespace

bool same_settings(const config::instance& a, const config::instance& b) {
    return static_cast<const config::instance_settings&>(a) == static_cast<const config::instance_settings&>(b);
}

bool same_settings(const config::downstream& a, const config::downstream& b) {
    return static_cast<const config::downstream_settings&>(a) == static_cast<const config::downstream_settings&>(b);
}

bool reconfigurable_in_place(const config::instance& before, const config::instance& after) {
    return frame(before) == frame(after) && plain(before) && plain(after);
}

}  // namespace mcproxy::daemon
