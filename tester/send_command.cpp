// SPDX-License-Identifier: GPL-2.0-or-later
// `mcproxy-tester send`: a paced, numbered, timestamped UDP stream.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>

#include "commands.hpp"
#include "socket_util.hpp"

namespace mcproxy::tester {

namespace {

void set_int(int fd, int level, int name, int value, const char* what) {
    if (::setsockopt(fd, level, name, &value, sizeof value) != 0)
        throw tester_error{errno_text(std::string("setting ") + what)};
}

unique_fd open_sender(const tester_options& o, unsigned ifindex) {
    const bool v4 = o.group.is_v4();
    unique_fd fd(::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0));
    if (!fd) throw tester_error{errno_text("creating socket")};
    if (v4) {
        ip_mreqn m{};
        m.imr_ifindex = static_cast<int>(ifindex);
        if (::setsockopt(fd.get(), IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) != 0)
            throw tester_error{errno_text("selecting " + o.iface + " for multicast")};
        set_int(fd.get(), IPPROTO_IP, IP_MULTICAST_TTL, static_cast<int>(o.ttl), "the TTL");
        set_int(fd.get(), IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
    } else {
        set_int(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, static_cast<int>(ifindex),
                "the outgoing interface");
        set_int(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, static_cast<int>(o.ttl),
                "the hop limit");
        set_int(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
    }
    if (o.source_address) {
        const sockaddr_storage ss = to_sockaddr(*o.source_address, 0, ifindex);
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss),
                   sockaddr_len(*o.source_address)) != 0)
            throw tester_error{errno_text("using source address " +
                                          o.source_address->to_string())};
    }
    return fd;
}

}  // namespace

int run_send(const tester_options& o) {
    const unsigned ifindex = interface_index(o.iface);
    unique_fd fd = open_sender(o, ifindex);
    install_stop_signals();

    std::random_device rd;
    payload p;
    p.stream_id = static_cast<std::uint32_t>(rd());
    std::vector<std::uint8_t> buf(o.size);
    const sockaddr_storage dst = to_sockaddr(o.group, o.port, ifindex);
    const socklen_t dst_len = sockaddr_len(o.group);

    std::printf("sending to %s port %u on %s: stream %08x, %.6g packets/s, %zu bytes, TTL %u\n",
                o.group.to_string().c_str(), o.port, o.iface.c_str(), p.stream_id, o.rate_pps,
                o.size, o.ttl);
    std::fflush(stdout);

    const std::int64_t start = monotonic_ns();
    const std::int64_t interval_ns = static_cast<std::int64_t>(1e9 / o.rate_pps);
    // Without --duration the count bounds the run, and max_duration_s
    // bounds it in time even at a very low rate.
    const double limit_s = o.duration_s > 0 ? o.duration_s : max_duration_s;
    const std::int64_t end = start + static_cast<std::int64_t>(limit_s * 1e9);
    const std::uint64_t limit = o.count > 0 ? o.count : max_count;
    std::uint64_t sent = 0;
    std::uint64_t dropped = 0;  // ENOBUFS and the like: the queue was full
    for (std::uint64_t i = 0; i < limit && !stop_requested(); ++i) {
        // Absolute schedule: send i goes out at start + i * interval.
        const std::int64_t due = start + static_cast<std::int64_t>(i) * interval_ns;
        if (due >= end) break;
        timespec ts{};
        ts.tv_sec = static_cast<time_t>(due / 1000000000);
        ts.tv_nsec = static_cast<long>(due % 1000000000);
        while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR &&
               !stop_requested()) {
        }
        if (stop_requested()) break;
        p.seq = i;
        p.send_ns = realtime_ns();
        encode_payload(p, buf);
        const ssize_t n = ::sendto(fd.get(), buf.data(), buf.size(), 0,
                                   reinterpret_cast<const sockaddr*>(&dst), dst_len);
        if (n < 0) {
            if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
                ++dropped;
                continue;
            }
            throw tester_error{errno_text("sending to " + o.group.to_string() + " on " + o.iface)};
        }
        ++sent;
    }
    const double elapsed = static_cast<double>(monotonic_ns() - start) / 1e9;
    std::printf("sent %llu packets (%llu not sent: local queue full) in %.3f s\n",
                static_cast<unsigned long long>(sent), static_cast<unsigned long long>(dropped),
                elapsed);
    return sent > 0 ? 0 : 1;
}

}  // namespace mcproxy::tester
