// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/igmp_socket.hpp"

#include "sys_util.hpp"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
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
    // Header checksum (RFC 791): we send through a packet socket, so nobody else fills it in.
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < header; i += 2) sum += (std::uint32_t{d[i]} << 8) | d[i + 1];
    while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
    const auto check = static_cast<std::uint16_t>(~sum);
    d[10] = static_cast<std::uint8_t>(check >> 8);
    d[11] = static_cast<std::uint8_t>(check);
    std::copy(igmp.begin(), igmp.end(), d.begin() + header);
    return d;
}

result<igmp_socket> igmp_socket::open() {
    // A packet socket with protocol 0 sends only. A raw IP socket would not
    // do: with IP_HDRINCL the kernel replaces a 0.0.0.0 source with an
    // address of another interface (verified in tests/unit/kernel/igmp_test.cpp),
    // and its loopback copy would reach our own mroute socket.
    unique_fd fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return make_error(errno, "opening the packet socket for sending IGMP", detail::need_root);
    return igmp_socket(std::move(fd));
}

status igmp_socket::send(unsigned ifindex, const net::address& source, const net::address& destination,
                         std::span<const std::uint8_t> igmp) {
    if (!source.is_v4() || !destination.is_v4() || !destination.is_multicast())
        return make_error(EINVAL, "sending IGMP", "source must be IPv4, destination IPv4 multicast");
    if (igmp.size() + 24 > max_datagram) return make_error(EMSGSIZE, "sending IGMP");
    const auto datagram = build_ipv4_igmp(source, destination, igmp);
    // The link type decides the link-layer destination.
    ifreq ifr{};
    ifr.ifr_ifindex = static_cast<int>(ifindex);
    if (::ioctl(fd_.get(), SIOCGIFNAME, &ifr) < 0 || ::ioctl(fd_.get(), SIOCGIFHWADDR, &ifr) < 0) {
        // Saved first: describe_ifindex() fails (ENXIO) for an interface that is gone.
        const int e = errno;
        return make_error(e, "sending IGMP on " + detail::describe_ifindex(ifindex),
                          e == ENODEV ? "the interface does not exist (any more)" : "");
    }
    const auto link_type = ifr.ifr_hwaddr.sa_family;
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_IP);
    to.sll_ifindex = static_cast<int>(ifindex);
    if (link_type == ARPHRD_ETHER || link_type == ARPHRD_IEEE802) {
        // RFC 1112 6.4: 01-00-5E plus the low 23 bits of the group.
        const std::uint8_t* g = destination.data();
        const std::uint8_t mac[6] = {0x01, 0x00, 0x5e, static_cast<std::uint8_t>(g[1] & 0x7f), g[2], g[3]};
        to.sll_halen = sizeof mac;
        std::memcpy(to.sll_addr, mac, sizeof mac);
    }
    // Otherwise (tun, ppp, tunnels) no address: the device's own header
    // code fills in what it needs (e.g. a tunnel's configured remote).
    if (::sendto(fd_.get(), datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) <
        0) {
        const int e = errno;
        return make_error(e, "sending IGMP to " + destination.to_string() + " on " + detail::describe_ifindex(ifindex),
                          e == ENETDOWN || e == ENXIO ? "is the interface up?"
                          : e == EMSGSIZE         ? "message larger than the interface MTU"
                                                  : "");
    }
    return {};
}

}  // namespace mcproxy::kernel
