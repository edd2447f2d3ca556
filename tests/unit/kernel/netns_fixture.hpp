// SPDX-License-Identifier: GPL-2.0-or-later
// Test support for the kernel layer: every test runs in a fresh network
// namespace of its own (unshare in SetUp, so tests are isolated also when
// one process runs them all), builds veth pairs with `ip` and injects or
// captures frames with packet sockets on the far end of a pair.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace kt {

using bytes = std::vector<std::uint8_t>;

/// Runs a shell command (tests only; the product never runs commands).
inline bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

inline std::string read_file(const std::string& path) {
    std::ifstream f(path);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

inline unsigned ifindex(const std::string& name) { return if_nametoindex(name.c_str()); }

/// An ifindex that no interface of this namespace has.
inline unsigned unused_ifindex() {
    char name[IF_NAMESIZE] = {};
    unsigned i = 99999;
    while (if_indextoname(i, name) != nullptr) ++i;
    return i;
}

inline std::uint16_t checksum(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < n; i += 2) sum += (std::uint32_t{p[i]} << 8) | p[i + 1];
    if (n % 2 != 0) sum += std::uint32_t{p[n - 1]} << 8;
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

inline void put16(bytes& b, std::size_t at, std::uint16_t v) {
    b[at] = static_cast<std::uint8_t>(v >> 8);
    b[at + 1] = static_cast<std::uint8_t>(v);
}

inline std::array<std::uint8_t, 4> v4(const char* s) {
    std::array<std::uint8_t, 4> a{};
    inet_pton(AF_INET, s, a.data());
    return a;
}
inline std::array<std::uint8_t, 16> v6(const char* s) {
    std::array<std::uint8_t, 16> a{};
    inet_pton(AF_INET6, s, a.data());
    return a;
}

/// IPv4 datagram with a valid header checksum; `options` must be a multiple of 4.
inline bytes ipv4(const char* src, const char* dst, std::uint8_t proto, std::uint8_t ttl, const bytes& payload,
                  const bytes& options = {}) {
    const std::size_t ihl = 20 + options.size();
    bytes d(ihl + payload.size());
    d[0] = static_cast<std::uint8_t>(0x40 | (ihl / 4));
    put16(d, 2, static_cast<std::uint16_t>(d.size()));
    d[8] = ttl;
    d[9] = proto;
    auto s = v4(src), t = v4(dst);
    std::copy(s.begin(), s.end(), d.begin() + 12);
    std::copy(t.begin(), t.end(), d.begin() + 16);
    std::copy(options.begin(), options.end(), d.begin() + 20);
    put16(d, 10, checksum(d.data(), ihl));
    std::copy(payload.begin(), payload.end(), d.begin() + static_cast<long>(ihl));
    return d;
}

inline bytes udp_payload(std::size_t n) {
    bytes u(8 + n, 0xab);
    put16(u, 0, 5000);
    put16(u, 2, 5001);
    put16(u, 4, static_cast<std::uint16_t>(u.size()));
    put16(u, 6, 0);
    return u;
}

/// IGMPv2 message (type, max resp, checksum, group) with a valid checksum.
inline bytes igmpv2(std::uint8_t type, const char* group) {
    bytes m(8);
    m[0] = type;
    auto g = v4(group);
    std::copy(g.begin(), g.end(), m.begin() + 4);
    put16(m, 2, checksum(m.data(), m.size()));
    return m;
}

/// IPv6 packet; `ext` is inserted as-is (first byte of ext must be its next header).
inline bytes ipv6(const char* src, const char* dst, std::uint8_t next, std::uint8_t hops, const bytes& payload,
                  const bytes& ext = {}) {
    bytes p(40 + ext.size() + payload.size());
    p[0] = 0x60;
    put16(p, 4, static_cast<std::uint16_t>(ext.size() + payload.size()));
    p[6] = ext.empty() ? next : 0;  // 0 = hop-by-hop
    p[7] = hops;
    auto s = v6(src), d = v6(dst);
    std::copy(s.begin(), s.end(), p.begin() + 8);
    std::copy(d.begin(), d.end(), p.begin() + 24);
    std::copy(ext.begin(), ext.end(), p.begin() + 40);
    std::copy(payload.begin(), payload.end(), p.begin() + 40 + static_cast<long>(ext.size()));
    return p;
}

/// Upper-layer checksum with the IPv6 pseudo-header (RFC 8200 8.1).
inline std::uint16_t checksum6(const char* src, const char* dst, std::uint8_t next, const bytes& payload) {
    bytes pseudo(40 + payload.size());
    auto s = v6(src), d = v6(dst);
    std::copy(s.begin(), s.end(), pseudo.begin());
    std::copy(d.begin(), d.end(), pseudo.begin() + 16);
    pseudo[34] = static_cast<std::uint8_t>(payload.size() >> 8);
    pseudo[35] = static_cast<std::uint8_t>(payload.size());
    pseudo[39] = next;
    std::copy(payload.begin(), payload.end(), pseudo.begin() + 40);
    return checksum(pseudo.data(), pseudo.size());
}

/// Hop-by-hop header carrying the Router Alert option (value 0 = MLD), next header ICMPv6.
inline bytes hbh_router_alert() { return {58, 0, 5, 2, 0, 0, 1, 0}; }

/// MLDv1 report/done (type 131/132) for `group` with a valid checksum.
inline bytes mldv1(std::uint8_t type, const char* src, const char* dst, const char* group) {
    bytes m(24);
    m[0] = type;
    auto g = v6(group);
    std::copy(g.begin(), g.end(), m.begin() + 8);
    put16(m, 2, checksum6(src, dst, 58, m));
    return m;
}

/// Packet socket on one interface (cooked: no link header) for injecting and capturing.
class link_socket {
public:
    link_socket(const std::string& ifname, std::uint16_t ethertype) : ethertype_(ethertype) {
        ifindex_ = ifindex(ifname);
        fd_ = ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ethertype));
        sockaddr_ll a{};
        a.sll_family = AF_PACKET;
        a.sll_protocol = htons(ethertype);
        a.sll_ifindex = static_cast<int>(ifindex_);
        if (fd_ >= 0) ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    ~link_socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    link_socket(const link_socket&) = delete;
    link_socket& operator=(const link_socket&) = delete;
    bool ok() const { return fd_ >= 0 && ifindex_ != 0; }

    /// Sends an IP packet to the multicast MAC of its destination.
    bool send(const bytes& packet) {
        sockaddr_ll a{};
        a.sll_family = AF_PACKET;
        a.sll_protocol = htons(ethertype_);
        a.sll_ifindex = static_cast<int>(ifindex_);
        a.sll_halen = 6;
        if (ethertype_ == ETH_P_IP) {
            const std::uint8_t mac[6] = {0x01, 0x00, 0x5e, static_cast<std::uint8_t>(packet[17] & 0x7f), packet[18],
                                         packet[19]};
            std::memcpy(a.sll_addr, mac, 6);
        } else {
            const std::uint8_t mac[6] = {0x33, 0x33, packet[36], packet[37], packet[38], packet[39]};
            std::memcpy(a.sll_addr, mac, 6);
        }
        return ::sendto(fd_, packet.data(), packet.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) ==
               static_cast<ssize_t>(packet.size());
    }

    /// Waits (at most timeout) for an outgoing or incoming frame matching pred.
    std::optional<bytes> capture(const std::function<bool(const bytes&)>& pred,
                                 std::chrono::milliseconds timeout = std::chrono::milliseconds(2000)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (int i = 0; i < 10000; ++i) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
            bytes b(65536);
            const ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
            if (n <= 0) continue;
            b.resize(static_cast<std::size_t>(n));
            if (pred(b)) return b;
        }
        return std::nullopt;
    }

private:
    int fd_ = -1;
    unsigned ifindex_ = 0;
    std::uint16_t ethertype_;
};

/// Waits until fd is readable (bounded), so tests never sleep blindly.
inline bool wait_readable(int fd, int timeout_ms = 2000) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) > 0;
}

/// Calls f until it returns a value or the timeout passes (bounded polling on fd readiness).
template <class F>
auto poll_for(int fd, F f, int timeout_ms = 2000) -> decltype(f()) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (int i = 0; i < 1000; ++i) {
        if (auto v = f()) return v;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        wait_readable(fd, static_cast<int>(left.count()));
    }
    return f();
}

/// The first fe80:: address of an interface, as text ("" if none).
inline std::string link_local(const std::string& ifname) {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return {};
    std::string result;
    for (ifaddrs* i = list; i != nullptr && result.empty(); i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET6 || ifname != i->ifa_name) continue;
        const auto* s6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
        if (!IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr)) continue;
        char buf[INET6_ADDRSTRLEN] = {};
        inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof buf);
        result = buf;
    }
    ::freeifaddrs(list);
    return result;
}

/// Waits (bounded) until the interface is operationally up (IFF_RUNNING).
/// The kernel turns the carrier on asynchronously (linkwatch) and until then
/// transmits through a no-op qdisc that drops frames.
inline bool wait_running(const std::string& ifname, int timeout_ms = 3000) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    bool running = false;
    for (int i = 0; i < 10000 && !running; ++i) {
        ifreq ifr{};
        std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
        running = ::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_RUNNING) != 0;
        if (running || std::chrono::steady_clock::now() > deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::close(fd);
    return running;
}

/// Waits (bounded) until the kernel has configured a link-local address on
/// the interface: addrconf does that asynchronously once the carrier is up.
inline std::string wait_link_local(const std::string& ifname, int timeout_ms = 3000) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (int i = 0; i < 10000; ++i) {
        auto ll = link_local(ifname);
        if (!ll.empty() || std::chrono::steady_clock::now() > deadline) return ll;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return {};
}

/// %pI6 form used by /proc/net/ip6_mr_*: eight 4-digit groups with colons.
inline std::string proc_v6(const char* addr) {
    auto b = v6(addr);
    std::string out;
    char buf[8];
    for (int i = 0; i < 16; i += 2) {
        std::snprintf(buf, sizeof buf, "%02x%02x", b[static_cast<std::size_t>(i)], b[static_cast<std::size_t>(i + 1)]);
        if (!out.empty()) out += ':';
        out += buf;
    }
    return out;
}

/// Fresh network namespace per test; skips when not root.
class netns_test : public ::testing::Test {
protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, multicast routing)";
        if (::unshare(CLONE_NEWNET) != 0) GTEST_SKIP() << "unshare(CLONE_NEWNET) failed: " << std::strerror(errno);
        ASSERT_TRUE(sh("ip link set lo up"));
        // Link-local addresses usable at once (no DAD delay) on every interface made below.
        ASSERT_TRUE(sh("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0"));
    }

    /// Creates veth pair a<->b, both up.
    static void veth(const std::string& a, const std::string& b) {
        ASSERT_TRUE(sh("ip link add " + a + " type veth peer name " + b));
        ASSERT_TRUE(sh("ip link set " + a + " up"));
        ASSERT_TRUE(sh("ip link set " + b + " up"));
        ASSERT_TRUE(wait_running(a)) << a << " not running";
        ASSERT_TRUE(wait_running(b)) << b << " not running";
    }
};

}  // namespace kt
