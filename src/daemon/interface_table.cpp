// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/interface_table.hpp"

#include <algorithm>

namespace mcproxy::daemon {

net::address interface_state::address() const {
    return addresses.empty() ? net::address::any(fam) : addresses.front();
}

interface_table::interface_table(net::family fam, std::vector<configured_interface> interfaces) : family_(fam) {
    for (auto& c : interfaces) {
        interface_state st;
        st.conf = std::move(c);
        st.fam = fam;
        interfaces_.push_back(std::move(st));
    }
}

void interface_table::add(configured_interface c) {
    interface_state st;
    st.conf = std::move(c);
    st.fam = family_;
    interfaces_.push_back(std::move(st));
}

void interface_table::remove(core::if_index id) {
    std::erase_if(interfaces_, [id](const interface_state& i) { return i.conf.id == id; });
}

const interface_state* interface_table::by_id(core::if_index id) const {
    for (const auto& i : interfaces_)
        if (i.conf.id == id) return &i;
    return nullptr;
}

const interface_state* interface_table::by_ifindex(unsigned ifindex) const {
    if (ifindex == 0) return nullptr;
    for (const auto& i : interfaces_)
        if (i.ifindex == ifindex) return &i;
    return nullptr;
}

const interface_state* interface_table::by_name(std::string_view name) const {
    for (const auto& i : interfaces_)
        if (i.conf.name == name) return &i;
    return nullptr;
}

interface_state* interface_table::find_ifindex(unsigned ifindex) {
    return const_cast<interface_state*>(std::as_const(*this).by_ifindex(ifindex));
}

std::vector<core::if_index> interface_table::apply(const kernel::interface_event& ev) {
    if (const auto* l = std::get_if<kernel::link_event>(&ev)) return on_link(*l);
    return on_address(std::get<kernel::address_event>(ev));
}

std::vector<core::if_index> interface_table::resync(const std::vector<kernel::interface_event>& snapshot) {
    std::vector<core::if_index> changed;
    auto note = [&changed](const std::vector<core::if_index>& ids) {
        changed.insert(changed.end(), ids.begin(), ids.end());
    };
    auto listed = [&snapshot](auto&& matches) {
        return std::any_of(snapshot.begin(), snapshot.end(), matches);
    };
    // A dump lists only what exists: a link or address it lacks was deleted
    // while the events were lost, and goes the way its deletion event would
    // have taken it (the instance then drops the VIF and tells the core).
    for (auto& i : interfaces_) {
        if (i.ifindex == 0) continue;
        const unsigned ifindex = i.ifindex;
        const bool link_listed = listed([ifindex](const kernel::interface_event& ev) {
            const auto* l = std::get_if<kernel::link_event>(&ev);
            return l && l->what == kernel::link_event::kind::new_link && l->ifindex == ifindex;
        });
        if (!link_listed) {
            kernel::link_event gone;
            gone.what = kernel::link_event::kind::del_link;
            gone.ifindex = ifindex;
            gone.name = i.conf.name;
            note(on_link(gone));
            continue;
        }
        std::vector<net::address> known = i.addresses;
        for (const auto& s : i.subnets) known.push_back(s.address);
        for (const auto& address : known) {
            const bool address_listed = listed([&](const kernel::interface_event& ev) {
                const auto* a = std::get_if<kernel::address_event>(&ev);
                return a && a->what == kernel::address_event::kind::added && a->ifindex == ifindex &&
                       a->address == address;
            });
            if (address_listed) continue;
            kernel::address_event gone;
            gone.what = kernel::address_event::kind::removed;
            gone.ifindex = ifindex;
            gone.address = address;
            note(on_address(gone));
        }
    }
    for (const auto& ev : snapshot) note(apply(ev));
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    return changed;
}

std::vector<core::if_index> interface_table::on_link(const kernel::link_event& l) {
    std::vector<core::if_index> changed;
    // The interface that had this ifindex: deleted, or renamed away from its configured name.
    if (interface_state* old = find_ifindex(l.ifindex);
        old && (l.what == kernel::link_event::kind::del_link || old->conf.name != l.name)) {
        old->ifindex = 0;
        old->admin_up = old->running = false;
        old->addresses.clear();
        old->subnets.clear();
        changed.push_back(old->conf.id);
    }
    if (l.what == kernel::link_event::kind::del_link) return changed;
    for (auto& i : interfaces_) {
        if (i.conf.name != l.name) continue;
        const interface_state before = i;
        if (i.ifindex != l.ifindex) {  // a new interface with the old name
            i.addresses.clear();
            i.subnets.clear();
        }
        i.ifindex = l.ifindex;
        i.admin_up = l.up;
        i.running = l.running;
        i.mtu = l.mtu;
        if (before.ifindex != i.ifindex || before.admin_up != i.admin_up || before.running != i.running ||
            before.mtu != i.mtu)
            changed.push_back(i.conf.id);
    }
    return changed;
}

std::vector<core::if_index> interface_table::on_address(const kernel::address_event& a) {
    interface_state* i = find_ifindex(a.ifindex);
    if (!i || a.address.fam() != family_) return {};
    if (family_ == net::family::ipv4) {
        auto s = std::find_if(i->subnets.begin(), i->subnets.end(),
                              [&](const subnet& x) { return x.address == a.address; });
        if (s != i->subnets.end()) i->subnets.erase(s);
        if (a.what == kernel::address_event::kind::added) i->subnets.push_back(subnet{a.address, a.prefix_len});
    }
    // RFC 3810 5: MLD is sent from the link-local address; others are not ours to use.
    if (family_ == net::family::ipv6 && !a.address.is_v6_link_local_unicast()) return {};
    auto it = std::find(i->addresses.begin(), i->addresses.end(), a.address);
    const bool usable = a.what == kernel::address_event::kind::added && !a.tentative;
    if (usable && it == i->addresses.end()) {
        i->addresses.push_back(a.address);
        return {i->conf.id};
    }
    if (!usable && it != i->addresses.end()) {
        i->addresses.erase(it);
        return {i->conf.id};
    }
    return {};
}

}  // namespace mcproxy::daemon
