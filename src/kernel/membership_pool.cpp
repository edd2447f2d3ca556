// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/membership_pool.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include "sys_util.hpp"

namespace mcproxy::kernel {

namespace {

/// Bound on sockets: with the default limit of 20 this is 20,000 memberships.
constexpr std::size_t max_sockets = 1000;

int membership(int fd, int option, unsigned ifindex, const net::address& group) {
    ip_mreqn m{};
    m.imr_multiaddr.s_addr = htonl(group.v4_host_order());
    m.imr_ifindex = static_cast<int>(ifindex);
    return ::setsockopt(fd, IPPROTO_IP, option, &m, sizeof m) < 0 ? errno : 0;
}

}  // namespace

result<std::size_t> membership_pool::socket_with_room(std::size_t start) {
    for (std::size_t i = start; i < sockets_.size(); ++i)
        if (!full_[i]) return i;
    if (sockets_.size() >= max_sockets)
        return make_error(ENOBUFS, "joining groups", "raise net.ipv4.igmp_max_memberships");
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) return make_error(errno, "opening a socket for group memberships", detail::need_root);
    sockets_.emplace_back(fd);
    used_.push_back(0);
    full_.push_back(false);
    return sockets_.size() - 1;
}

status membership_pool::join(unsigned ifindex, const net::address& group) {
    if (!group.is_v4() || !group.is_multicast())
        return make_error(EINVAL, "joining " + group.to_string(), "not an IPv4 multicast group");
    const auto key = std::make_pair(ifindex, group);
    if (held_.count(key)) return {};
    for (std::size_t start = 0;;) {
        auto i = socket_with_room(start);
        if (!i) return i.err();
        const int e = membership(sockets_[*i].get(), IP_ADD_MEMBERSHIP, ifindex, group);
        if (e == 0) {
            ++used_[*i];
            held_.emplace(key, *i);
            return {};
        }
        if (e != ENOBUFS)
            return make_error(e, "joining " + group.to_string() + " on " + detail::describe_ifindex(ifindex));
        full_[*i] = true;  // this socket is at igmp_max_memberships: use the next
        start = *i + 1;
    }
}

status membership_pool::leave(unsigned ifindex, const net::address& group) {
    auto it = held_.find(std::make_pair(ifindex, group));
    if (it == held_.end()) return {};
    const std::size_t i = it->second;
    held_.erase(it);
    --used_[i];
    full_[i] = false;
    // ENODEV/EADDRNOTAVAIL: the interface is gone and took the membership with it.
    if (int e = membership(sockets_[i].get(), IP_DROP_MEMBERSHIP, ifindex, group); e != 0 && e != ENODEV &&
                                                                                   e != EADDRNOTAVAIL)
        return make_error(e, "leaving " + group.to_string() + " on " + detail::describe_ifindex(ifindex));
    return {};
}

}  // namespace mcproxy::kernel
