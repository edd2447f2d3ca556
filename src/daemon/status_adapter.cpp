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


}  // namespace mcproxy::daemon
