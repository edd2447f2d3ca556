// SPDX-License-Identifier: GPL-2.0-or-later
// `mcproxy-tester receive`: join, receive the stream, measure it.
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "commands.hpp"
#include "membership.hpp"
#include "socket_util.hpp"
#include "stream_stats.hpp"

namespace mcproxy::tester {

namespace {

void set_int(int fd, int level, int name, int value, const char* what) {
    if (::setsockopt(fd, level, name, &value, sizeof value) != 0)
        throw tester_error{errno_text(std::string("setting ") + what)};
}

unique_fd open_receiver(const tester_options& o, unsigned ifindex) {
    const bool v4 = o.group.is_v4();
    unique_fd fd(::socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0));
    if (!fd) throw tester_error{errno_text("creating socket")};
    // Several receivers on one host may listen to the same group and port.
    set_int(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
    // Only this socket's own membership and source filter deliver packets,
    // not every group some other socket of the host joined.
    if (v4) {
        set_int(fd.get(), IPPROTO_IP, IP_MULTICAST_ALL, 0, "IP_MULTICAST_ALL");
    } else {
        set_int(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY");
        set_int(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0, "IPV6_MULTICAST_ALL");
    }
    // Kernel receive timestamps make the delay independent of our wakeups.
    set_int(fd.get(), SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
    // Binding to the group keeps other groups on the same port out.
    const sockaddr_storage ss = to_sockaddr(o.group, o.port, ifindex);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&ss), sockaddr_len(o.group)) != 0)
        throw tester_error{errno_text("binding to " + o.group.to_string() + " port " +
                                      std::to_string(o.port))};
    // Packets of the group arriving on another interface are not ours.
    // Needs CAP_NET_RAW on older kernels; without it the group bind suffices.
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, o.iface.c_str(),
                     static_cast<socklen_t>(o.iface.size())) != 0 &&
        errno != EPERM)
        throw tester_error{errno_text("binding to device " + o.iface)};
    return fd;
}

void print_text(const receiver_stats& st, const receive_context& ctx) {
    const std::uint64_t expected = st.unique() + st.lost();
    const double loss_pct =
        expected ? 100.0 * static_cast<double>(st.lost()) / static_cast<double>(expected) : 0.0;
    std::printf("received %llu packets (%llu streams) on %s for %s port %u in %.3f s\n",
                static_cast<unsigned long long>(st.received()),
                static_cast<unsigned long long>(st.streams().size()), ctx.iface.c_str(),
                ctx.group.c_str(), ctx.port, ctx.elapsed_s);
    std::printf("lost %llu (%.2f%%), duplicates %llu, reordered %llu, foreign %llu\n",
                static_cast<unsigned long long>(st.lost()), loss_pct,
                static_cast<unsigned long long>(st.duplicates()),
                static_cast<unsigned long long>(st.reordered()),
                static_cast<unsigned long long>(st.foreign()));
    if (const auto first = st.first_seq())
        std::printf("first packet: seq %llu at %s\n", static_cast<unsigned long long>(*first),
                    json_time(st.first_recv_ns()).c_str());
    if (const auto d = st.delay())
        std::printf("one-way delay: min %.1f us, median %.1f us, max %.1f us\n", d->min_us,
                    d->median_us, d->max_us);
    for (const auto& [addr, n] : st.sources())
        std::printf("source %s: %llu packets\n", addr.c_str(), static_cast<unsigned long long>(n));
}

}  // namespace

int run_receive(const tester_options& o) {
    const unsigned ifindex = interface_index(o.iface);
    unique_fd fd = open_receiver(o, ifindex);
    install_stop_signals();
    membership m(fd.get(), ifindex, o.group, o.sources, o.exclude);
    // Said once the group is joined, so a caller can start the stream then
    // instead of guessing how long the start takes. With --json it goes to
    // standard error: standard output holds the JSON summary alone.
    std::fprintf(o.json ? stderr : stdout, "receiving %s port %u on %s (%s) for %.3g s\n",
                 o.group.to_string().c_str(), o.port, o.iface.c_str(), m.describe().c_str(),
                 o.duration_s);
    std::fflush(o.json ? stderr : stdout);

    receiver_stats st;
    std::vector<std::uint8_t> buf(65536);
    alignas(cmsghdr) std::array<char, 256> control{};
    const std::int64_t start = monotonic_ns();
    const std::int64_t deadline = start + static_cast<std::int64_t>(o.duration_s * 1e9);
    const std::uint64_t limit = o.count > 0 ? o.count : max_count;
    // --count N: the stream is packets 0 to N-1 (send numbers them so);
    // once its last one is here, nothing more will come, even if some of
    // the first were lost before a route existed.
    auto stream_done = [&] {
        if (st.unique() >= limit) return true;
        const auto last = st.max_seq();
        return o.count > 0 && last && *last + 1 >= o.count;
    };
    while (!stop_requested() && !stream_done()) {
        const std::int64_t left_ms = (deadline - monotonic_ns() + 999999) / 1000000;
        if (left_ms <= 0) break;
        pollfd pfd{fd.get(), POLLIN, 0};
        const int r = ::poll(&pfd, 1, static_cast<int>(std::min<std::int64_t>(left_ms, 1000)));
        if (r < 0) {
            if (errno == EINTR) continue;
            throw tester_error{errno_text("waiting for packets")};
        }
        if (r == 0) continue;
        // Drain what is queued, a bounded batch per wakeup.
        for (int batch = 0; batch < 1024 && !stream_done(); ++batch) {
            sockaddr_storage from{};
            iovec iov{buf.data(), buf.size()};
            msghdr msg{};
            msg.msg_name = &from;
            msg.msg_namelen = sizeof from;
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.data();
            msg.msg_controllen = control.size();
            const ssize_t n = ::recvmsg(fd.get(), &msg, MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
                throw tester_error{errno_text("receiving")};
            }
            std::int64_t recv_ns = 0;
            for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    timespec ts{};
                    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                    recv_ns = static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
                }
            }
            if (recv_ns == 0) recv_ns = realtime_ns();
            const auto p = decode_payload(
                std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
            if (!p) {
                st.add_foreign();
                continue;
            }
            st.add(*p, from_sockaddr(from).to_string(), recv_ns);
        }
    }
    const double elapsed = static_cast<double>(monotonic_ns() - start) / 1e9;
    const std::string leave_err = m.leave();

    receive_context ctx{o.iface, o.group.to_string(), o.port, elapsed};
    if (o.json)
        std::printf("%s\n", summary_json(st, ctx).c_str());
    else
        print_text(st, ctx);
    std::fflush(stdout);  // the summary before any error line, also into files
    if (!leave_err.empty()) {
        std::fprintf(stderr, "mcproxy-tester: %s\n", leave_err.c_str());
        return 1;
    }
    if (st.received() == 0) {
        std::fprintf(stderr, "mcproxy-tester: no packet received\n");
        return 1;
    }
    return 0;
}

}  // namespace mcproxy::tester
