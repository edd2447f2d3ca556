// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/igmp_socket.hpp"

#include "sys_util.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstring>

namespace mcproxy::kernel {

namespace {
constexpr std::uint8_t ipopt_router_alert = 148;  // RFC 2113: copied flag + option 20
constexpr std::uint8_t ipopt_end = 0;
constexpr std::uint8_t ipopt_nop = 1;
constexpr std::size_t max_datagram = 65535;

// Walks the IPv4 options (RFC 791 3.1) looking for Router Alert; bounded by the header length.
bool has_router_alert(std::span<const std::uint8_t> options) {
    std::size_t i = 0;
    while (i < options.size()) {
        const std::uint8_t type = options[i];
        if (type == ipopt_end) break;
        if (type == ipopt_nop) { ++i; continue; }
        if (i + 1 >= options.size()) break;
        const std::size_t len = options[i + 1];
        if (len < 2 || i + len > options.size()) break;
        if (type == ipopt_router_alert && len == 4) return true;
        i += len;
    }
    return false;
}
}  // namespace

std::optional<received_packet> parse_ipv4_igmp(std::vector<std::uint8_t> datagram, unsigned ifindex) {
    if (datagram.size() < 20 || (datagram[0] >> 4) != 4) return std::nullopt;
    const std::size_t ihl = std::size_t{datagram[0] & 0x0Fu} * 4;
    if (ihl < 20 || ihl > datagram.size()) return std::nullopt;
    const std::size_t total = (std::size_t{datagram[2]} << 8) | datagram[3];
    // Raw sockets see the total length as sent; trust it only when it fits.
    if (total < ihl || total > datagram.size()) return std::nullopt;
    if (datagram[9] != IPPROTO_IGMP) return std::nullopt;
    datagram.resize(total);
    received_packet p;
    p.ifindex = ifindex;
    p.ttl = datagram[8];
    p.source = net::address::v4({datagram[12], datagram[13], datagram[14], datagram[15]});
    p.destination = net::address::v4({datagram[16], datagram[17], datagram[18], datagram[19]});
    p.router_alert = has_router_alert(std::span<const std::uint8_t>(datagram).subspan(20, ihl - 20));
    p.payload_offset = ihl;
    p.bytes = std::move(datagram);
    return p;
}

std::vector<std::uint8_t> build_ipv4_igmp(const net::address& source, const net::address& destination,
                                          std::span<const std::uint8_t> igmp) {
    constexpr std::size_t header = 24;  // 20 + Router Alert
    std::vector<std::uint8_t> d(header + igmp.size());
    const std::size_t total = d.size();
    d[0] = 0x46;  // version 4, IHL 6 words
    d[1] = 0xc0;  // internetwork control, as the Linux IGMP stack sends
    d[2] = static_cast<std::uint8_t>(total >> 8);
    d[3] = static_cast<std::uint8_t>(total);
    d[6] = 0x40;  // DF
    d[8] = 1;     // RFC 3376 4: IP TTL 1 (RFC 2236 2 likewise)
    d[9] = IPPROTO_IGMP;
    std::memcpy(&d[12], source.data(), 4);
    std::memcpy(&d[16], destination.data(), 4);
    // RFC 3376 4 / RFC 2236 2: IP Router Alert option (RFC 2113), value 0.
    d[20] = ipopt_router_alert;
    d[21] = 4;
    std::copy(igmp.begin(), igmp.end(), d.begin() + header);
    return d;
}

result<igmp_socket> igmp_socket::open() {
    unique_fd fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW));
    if (!fd.valid()) return make_error(errno, "opening the raw IPv4 socket for sending IGMP", detail::need_root);
    // Our own queries and reports must not come back to our own mroute socket.
    if (auto s = detail::set_option(fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, std::uint8_t{0},
                                    "disabling multicast loopback on the IGMP send socket");
        !s)
        return s.err();
    return igmp_socket(std::move(fd));
}

status igmp_socket::send(unsigned ifindex, const net::address& source, const net::address& destination,
                         std::span<const std::uint8_t> igmp) {
    if (!source.is_v4() || !destination.is_v4())
        return make_error(EAFNOSUPPORT, "sending IGMP", "source and destination must be IPv4");
    if (igmp.size() + 24 > max_datagram) return make_error(EMSGSIZE, "sending IGMP");
    const auto datagram = build_ipv4_igmp(source, destination, igmp);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    std::memcpy(&to.sin_addr, destination.data(), 4);
    iovec iov{const_cast<std::uint8_t*>(datagram.data()), datagram.size()};
    // IP_PKTINFO selects the outgoing interface per packet, so one socket serves all.
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in_pktinfo))> control{};
    msghdr msg{};
    msg.msg_name = &to;
    msg.msg_namelen = sizeof to;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_ifindex = static_cast<int>(ifindex);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    if (::sendmsg(fd_.get(), &msg, 0) < 0)
        return make_error(errno, "sending IGMP to " + destination.to_string() + " on " +
                                     detail::describe_ifindex(ifindex),
                          errno == ENETDOWN || errno == ENETUNREACH ? "is the interface up?" : "");
    return {};
}

}  // namespace mcproxy::kernel
