// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/status_adapter.hpp"

#include "mcproxy/daemon/core_settings.hpp"

namespace mcproxy::daemon {

std::vector<interface_info> interface_infos(const interface_table& ifaces) {
    std::vector<interface_info> out;
    out.reserve(ifaces.all().size());
    for (const auto& st : ifaces.all()) {
        interface_info i;
        i.id = st.conf.id;
        i.name = st.conf.name;
        i.ifindex = st.ifindex;
        i.role = st.conf.upstream && st.conf.downstream ? interface_role::peering
                 : st.conf.upstream                     ? interface_role::upstream
                                                        : interface_role::downstream;
        i.state = st.ifindex == 0 ? link_state::missing : st.usable() ? link_state::up : link_state::down;
        i.address = st.address();
        out.push_back(std::move(i));
    }
    return out;
}

instance_info instance_info_of(const config::instance& conf, const interface_table& ifaces) {
    instance_info info;
    info.name = conf.name;
    info.protocol = to_wire(conf.protocol);
    // Table 0 is the kernel's default multicast table.
    if (conf.table != 0) info.table = conf.table;
    info.interfaces = interface_infos(ifaces);
    return info;
}

drop_cause cause_of(drop_reason r) {
    // The two enumerations list the same reasons in the same order (the
    // intake's names are the control socket's counter keys).
    static_assert(static_cast<std::size_t>(drop_reason::count_) == drop_cause_count);
    static_assert(static_cast<int>(drop_reason::malformed) == static_cast<int>(drop_cause::malformed));
    static_assert(static_cast<int>(drop_reason::unknown_interface) == static_cast<int>(drop_cause::unknown_interface));
    if (r == drop_reason::count_) return drop_cause::malformed;
    return static_cast<drop_cause>(r);
}

}  // namespace mcproxy::daemon
