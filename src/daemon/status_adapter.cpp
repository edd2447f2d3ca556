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
    switch (r) {
        case drop_reason::malformed: return drop_cause::malformed;
        case drop_reason::bad_checksum: return drop_cause::bad_checksum;
        case drop_reason::unknown_type: return drop_cause::unknown_type;
        case drop_reason::bad_ttl: return drop_cause::bad_ttl;
        case drop_reason::not_link_local_source: return drop_cause::not_link_local_source;
        case drop_reason::own_message: return drop_cause::own_message;
        case drop_reason::not_our_interface: return drop_cause::unknown_interface;
        case drop_reason::wrong_family: return drop_cause::wrong_version;
        case drop_reason::count_: break;
    }
    return drop_cause::malformed;
}

}  // namespace mcproxy::daemon
