// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/mld_socket.hpp"

#include "sys_util.hpp"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip6.h>
#include <sys/socket.h>

#include <array>
#include <cstring>

namespace mcproxy::kernel {

namespace {
constexpr std::size_t receive_buffer = 65536;
constexpr int max_skipped_per_receive = 64;
constexpr std::uint8_t opt_pad1 = 0;
constexpr std::uint8_t opt_router_alert = 5;  // RFC 2711

// ICMPv6 types of MLD (RFC 2710 3, RFC 3810 5).
constexpr std::array<std::uint8_t, 4> mld_types{130, 131, 132, 143};

std::array<std::uint8_t, 16> bytes16(const net::address& a) {
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), a.data(), 16);
    return b;
}
}  // namespace

bool hop_by_hop_has_router_alert(std::span<const std::uint8_t> hbh) {
    if (hbh.size() < 2) return false;
    const std::size_t len = (std::size_t{hbh[1]} + 1) * 8;
    if (len > hbh.size()) return false;
    std::size_t i = 2;
    while (i < len) {  // RFC 8200 4.2: TLV-encoded options
        const std::uint8_t type = hbh[i];
        if (type == opt_pad1) { ++i; continue; }
        if (i + 1 >= len) return false;
        const std::size_t olen = hbh[i + 1];
        if (i + 2 + olen > len) return false;
        if (type == opt_router_alert && olen == 2) return true;
        i += 2 + olen;
    }
    return false;
}

result<mld_socket> mld_socket::open() {
    unique_fd fd(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6));
    if (!fd.valid()) {
        const int e = errno;
        return make_error(e, "opening the ICMPv6 socket for MLD",
                          e == EAFNOSUPPORT ? "IPv6 is disabled in this kernel" : detail::need_root);
    }
    const int fdn = fd.get();
    icmp6_filter filter{};
    ICMP6_FILTER_SETBLOCKALL(&filter);
    for (auto t : mld_types) ICMP6_FILTER_SETPASS(t, &filter);
    const int one = 1, zero = 0;
    // RFC 2710 3 / RFC 3810 5: hop limit 1 and the Router Alert hop-by-hop option.
    // Option header: next header (set by the kernel), length 0 (8 bytes),
    // Router Alert type 5 length 2 value 0 (MLD), PadN of 2 bytes.
    const std::array<std::uint8_t, 8> hbh{0, 0, opt_router_alert, 2, 0, 0, 1, 0};
    for (const auto& s : {detail::set_option(fdn, IPPROTO_ICMPV6, ICMP6_FILTER, filter, "setting ICMP6_FILTER"),
                   detail::set_option(fdn, IPPROTO_IPV6, IPV6_RECVPKTINFO, one, "enabling IPV6_RECVPKTINFO"),
                   detail::set_option(fdn, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, one, "enabling IPV6_RECVHOPLIMIT"),
                   detail::set_option(fdn, IPPROTO_IPV6, IPV6_RECVHOPOPTS, one, "enabling IPV6_RECVHOPOPTS"),
                   detail::set_option(fdn, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, one, "setting hop limit 1"),
                   detail::set_option(fdn, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, zero, "disabling multicast loopback")})
        if (!s) return s.err();
    if (::setsockopt(fdn, IPPROTO_IPV6, IPV6_HOPOPTS, hbh.data(), hbh.size()) < 0)
        return make_error(errno, "setting the Router Alert hop-by-hop option (IPV6_HOPOPTS)", detail::need_root);
    return mld_socket(std::move(fd));
}

status mld_socket::membership(int option, unsigned ifindex, const net::address& group) {
    if (!group.is_v6() || !group.is_multicast())
        return make_error(EINVAL, "joining " + group.to_string(), "not an IPv6 multicast group");
    ipv6_mreq m{};
    std::memcpy(&m.ipv6mr_multiaddr, group.data(), 16);
    m.ipv6mr_interface = ifindex;
    if (::setsockopt(fd_.get(), IPPROTO_IPV6, option, &m, sizeof m) < 0) {
        // Saved first: describe_ifindex() fails (ENXIO) for an interface that is gone.
        const int e = errno;
        return make_error(e, std::string(option == IPV6_JOIN_GROUP ? "joining " : "leaving ") +
                                 group.to_string() + " on " + detail::describe_ifindex(ifindex));
    }
    return {};
}

status mld_socket::join(unsigned ifindex, const net::address& group) {
    return membership(IPV6_JOIN_GROUP, ifindex, group);
}

status mld_socket::leave(unsigned ifindex, const net::address& group) {
    return membership(IPV6_LEAVE_GROUP, ifindex, group);
}

result<std::optional<received_packet>> mld_socket::receive() {
    buffer_.resize(receive_buffer);
    for (int i = 0; i < max_skipped_per_receive; ++i) {
        sockaddr_in6 from{};
        iovec iov{buffer_.data(), buffer_.size()};
        alignas(cmsghdr) std::array<char, 512> control{};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.data();
        msg.msg_controllen = control.size();
        const ssize_t n = ::recvmsg(fd_.get(), &msg, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<received_packet>{};
            if (errno == EINTR) continue;
            return make_error(errno, "reading the MLD socket");
        }
        if ((msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || n < 4) continue;
        received_packet p;
        std::array<std::uint8_t, 16> s{};
        std::memcpy(s.data(), &from.sin6_addr, 16);
        p.source = net::address::v6(s);
        bool have_pktinfo = false;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != IPPROTO_IPV6) continue;
            const std::size_t data_len = c->cmsg_len - CMSG_LEN(0);
            if (c->cmsg_type == IPV6_PKTINFO && data_len >= sizeof(in6_pktinfo)) {
                in6_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(c), sizeof info);
                std::array<std::uint8_t, 16> d{};
                std::memcpy(d.data(), &info.ipi6_addr, 16);
                p.destination = net::address::v6(d);
                p.ifindex = info.ipi6_ifindex;
                have_pktinfo = true;
            } else if (c->cmsg_type == IPV6_HOPLIMIT && data_len >= sizeof(int)) {
                int hops = 0;
                std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
                p.ttl = hops;
            } else if (c->cmsg_type == IPV6_HOPOPTS) {
                p.router_alert = hop_by_hop_has_router_alert(
                    std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(CMSG_DATA(c)), data_len));
            }
        }
        if (!have_pktinfo) continue;
        p.bytes.assign(buffer_.begin(), buffer_.begin() + n);
        return std::optional<received_packet>{std::move(p)};
    }
    return std::optional<received_packet>{};
}

status mld_socket::send(unsigned ifindex, const net::address& source, const net::address& destination,
                        std::span<const std::uint8_t> mld) {
    if (!source.is_v6() || !destination.is_v6() || !destination.is_multicast())
        return make_error(EINVAL, "sending MLD", "source must be IPv6, destination IPv6 multicast");
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    std::memcpy(&to.sin6_addr, destination.data(), 16);
    to.sin6_scope_id = ifindex;
    iovec iov{const_cast<std::uint8_t*>(mld.data()), mld.size()};
    // IPV6_PKTINFO picks the interface and the source address per packet.
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
    msghdr msg{};
    msg.msg_name = &to;
    msg.msg_namelen = sizeof to;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo info{};
    const auto src = bytes16(source);
    std::memcpy(&info.ipi6_addr, src.data(), 16);
    info.ipi6_ifindex = ifindex;
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    if (::sendmsg(fd_.get(), &msg, 0) < 0) {
        const int e = errno;
        return make_error(e, "sending MLD to " + destination.to_string() + " from " + source.to_string() + " on " +
                                 detail::describe_ifindex(ifindex),
                          e == EINVAL || e == EADDRNOTAVAIL ? "is the source an address of this interface?"
                          : e == ENETDOWN || e == ENETUNREACH ? "is the interface up?"
                                                              : "");
    }
    return {};
}

}  // namespace mcproxy::kernel
