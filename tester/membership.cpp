// SPDX-License-Identifier: GPL-2.0-or-later
// Joining and leaving through the RFC 3678 socket options.
#include "membership.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "socket_util.hpp"

namespace mcproxy::tester {

namespace {

int level_of(const net::address& a) { return a.is_v4() ? IPPROTO_IP : IPPROTO_IPV6; }

group_source_req source_request(unsigned ifindex, const net::address& group,
                                const net::address& source) {
    group_source_req r{};
    r.gsr_interface = ifindex;
    r.gsr_group = to_sockaddr(group, 0);
    r.gsr_source = to_sockaddr(source, 0);
    return r;
}

// Any-source join or leave with the family's classic option.
int any_source(int fd, unsigned ifindex, const net::address& group, bool join) {
    if (group.is_v4()) {
        ip_mreqn m{};
        std::memcpy(&m.imr_multiaddr, group.data(), 4);
        m.imr_ifindex = static_cast<int>(ifindex);
        return ::setsockopt(fd, IPPROTO_IP, join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &m,
                            sizeof m);
    }
    ipv6_mreq m{};
    std::memcpy(&m.ipv6mr_multiaddr, group.data(), 16);
    m.ipv6mr_interface = ifindex;
    return ::setsockopt(fd, IPPROTO_IPV6, join ? IPV6_JOIN_GROUP : IPV6_LEAVE_GROUP, &m, sizeof m);
}

}  // namespace

membership::membership(int fd, unsigned ifindex, const net::address& group,
                       const std::vector<net::address>& sources, bool exclude)
    : fd_(fd), ifindex_(ifindex), group_(group), sources_(sources), exclude_(exclude) {
    if (sources_.empty() || exclude_) {
        if (any_source(fd_, ifindex_, group_, true) != 0)
            throw tester_error{errno_text("joining " + group_.to_string())};
        joined_ = true;
        if (!sources_.empty()) {
            // EXCLUDE {sources}: the full-state API replaces the filter in
            // one call, so the kernel sends one state-change report.
            std::vector<sockaddr_storage> list;
            list.reserve(sources_.size());
            for (const auto& s : sources_) list.push_back(to_sockaddr(s, 0));
            const sockaddr_storage g = to_sockaddr(group_, 0);
            if (::setsourcefilter(fd_, ifindex_, reinterpret_cast<const sockaddr*>(&g),
                                  sockaddr_len(group_), MCAST_EXCLUDE,
                                  static_cast<std::uint32_t>(list.size()), list.data()) != 0) {
                const std::string err = errno_text("setting EXCLUDE source filter");
                leave();
                throw tester_error{err};
            }
        }
        return;
    }
    for (const auto& s : sources_) {
        const group_source_req r = source_request(ifindex_, group_, s);
        if (::setsockopt(fd_, level_of(group_), MCAST_JOIN_SOURCE_GROUP, &r, sizeof r) != 0) {
            const std::string err =
                errno_text("joining (" + s.to_string() + ", " + group_.to_string() + ")");
            leave();
            throw tester_error{err};
        }
        joined_ = true;
    }
}

membership::~membership() { leave(); }

std::string membership::leave() {
    if (!joined_) return {};
    joined_ = false;
    if (sources_.empty() || exclude_) {
        if (any_source(fd_, ifindex_, group_, false) != 0)
            return errno_text("leaving " + group_.to_string());
        return {};
    }
    std::string err;
    for (const auto& s : sources_) {
        const group_source_req r = source_request(ifindex_, group_, s);
        // EADDRNOTAVAIL: this source was never joined (a failed join).
        if (::setsockopt(fd_, level_of(group_), MCAST_LEAVE_SOURCE_GROUP, &r, sizeof r) != 0 &&
            errno != EADDRNOTAVAIL && err.empty())
            err = errno_text("leaving (" + s.to_string() + ", " + group_.to_string() + ")");
    }
    return err;
}

std::string membership::describe() const {
    if (sources_.empty()) return "any source";
    std::string s = exclude_ ? "EXCLUDE {" : "INCLUDE {";
    for (std::size_t i = 0; i < sources_.size(); ++i) {
        if (i) s += ", ";
        s += sources_[i].to_string();
    }
    return s + "}";
}

}  // namespace mcproxy::tester
