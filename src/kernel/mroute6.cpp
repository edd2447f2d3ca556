// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/mroute6.hpp"

#include "mcproxy/kernel/upcall.hpp"
#include "sys_util.hpp"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/mroute6.h>

#include <array>
#include <cstring>

namespace mcproxy::kernel {

namespace {
constexpr int max_skipped_per_receive = 64;

sockaddr_in6 to_sockaddr(const net::address& a) {
    sockaddr_in6 s{};
    s.sin6_family = AF_INET6;
    std::memcpy(&s.sin6_addr, a.data(), 16);
    return s;
}

std::string sg_text(const net::address& s, const net::address& g) {
    return "(" + s.to_string() + ", " + g.to_string() + ")";
}
}  // namespace

result<mroute6> mroute6::open(std::optional<std::uint32_t> table) {
    unique_fd fd(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6));
    if (!fd.valid()) {
        const int e = errno;
        return make_error(e, "opening the IPv6 multicast routing socket",
                          e == EAFNOSUPPORT ? "IPv6 is disabled in this kernel" : detail::need_root);
    }
    if (table) {
        if (::setsockopt(fd.get(), IPPROTO_IPV6, MRT6_TABLE, &*table, sizeof *table) < 0) {
            const int e = errno;
            return make_error(e, "selecting IPv6 multicast " + detail::describe_table(table),
                              e == ENOPROTOOPT
                                  ? "the kernel lacks CONFIG_IPV6_MROUTE_MULTIPLE_TABLES; drop the table "
                                    "number from the pinstance"
                                  : "");
        }
    }
    const int one = 1;
    if (::setsockopt(fd.get(), IPPROTO_IPV6, MRT6_INIT, &one, sizeof one) < 0) {
        const int e = errno;
        std::string hint;
        if (e == EADDRINUSE)
            hint = "another multicast router (pim6sd, smcroute, another mcproxy) owns " +
                   detail::describe_table(table) + "; stop it or give this instance its own table";
        else if (e == ENOPROTOOPT || e == EOPNOTSUPP)
            hint = "the kernel lacks IPv6 multicast routing (CONFIG_IPV6_MROUTE)";
        else if (e == EACCES || e == EPERM)
            hint = std::string(detail::need_root);
        return make_error(e, "starting IPv6 multicast routing (MRT6_INIT) on " + detail::describe_table(table),
                          hint);
    }
    if (auto s = detail::set_option(fd.get(), IPPROTO_IPV6, MRT6_ASSERT, one, "enabling MRT6_ASSERT"); !s)
        return s.err();
    // Upcalls are queued to this socket directly, past the ICMPv6 filter, so
    // blocking every type leaves exactly the upcalls (verified by test).
    icmp6_filter block{};
    ICMP6_FILTER_SETBLOCKALL(&block);
    if (auto s = detail::set_option(fd.get(), IPPROTO_ICMPV6, ICMP6_FILTER, block, "setting ICMP6_FILTER"); !s)
        return s.err();
    return mroute6(std::move(fd), table);
}

status mroute6::add_mif(unsigned ifindex) {
    if (mifs_.vif_of(ifindex)) return {};
    auto mif = mifs_.allocate(ifindex);
    if (!mif)
        return make_error(ENOBUFS, "adding " + detail::describe_ifindex(ifindex) + " to IPv6 multicast " +
                                       detail::describe_table(table_) + ": out of VIFs",
                          "the kernel allows 32 interfaces per table (MAXMIFS); split the interfaces "
                          "over instances with their own tables");
    mif6ctl mc{};
    mc.mif6c_mifi = *mif;
    mc.mif6c_flags = 0;
    mc.vifc_threshold = 1;
    mc.mif6c_pifi = static_cast<std::uint16_t>(ifindex);
    if (ifindex > 0xFFFF) {
        mifs_.release(ifindex);
        return make_error(ERANGE, "adding " + detail::describe_ifindex(ifindex) + " as MIF",
                          "the MRT6 interface takes 16-bit interface indexes");
    }
    if (::setsockopt(fd_.get(), IPPROTO_IPV6, MRT6_ADD_MIF, &mc, sizeof mc) < 0) {
        const int e = errno;
        mifs_.release(ifindex);
        return make_error(e, "adding " + detail::describe_ifindex(ifindex) + " as MIF " + std::to_string(*mif),
                          e == ENFILE                          ? "out of VIFs: the kernel allows 32 per table"
                          : e == EADDRNOTAVAIL || e == ENODEV ? "the interface does not exist (any more)"
                                                               : "");
    }
    return {};
}

status mroute6::remove_mif(unsigned ifindex) {
    auto mif = mifs_.vif_of(ifindex);
    if (!mif) return {};
    mifi_t m = *mif;
    mifs_.release(ifindex);
    if (::setsockopt(fd_.get(), IPPROTO_IPV6, MRT6_DEL_MIF, &m, sizeof m) < 0) {
        // Saved first: describe_ifindex() fails (ENXIO) for an interface that is gone.
        const int e = errno;
        if (e != EADDRNOTAVAIL)
            return make_error(
                e, "removing MIF " + std::to_string(m) + " of " + detail::describe_ifindex(ifindex));
    }
    return {};
}

status mroute6::set_route(const mfc_entry& entry) {
    if (!entry.source.is_v6() || !entry.group.is_v6())
        return make_error(EAFNOSUPPORT, "adding IPv6 cache entry", "source and group must be IPv6");
    mf6cctl mc{};
    mc.mf6cc_origin = to_sockaddr(entry.source);
    mc.mf6cc_mcastgrp = to_sockaddr(entry.group);
    auto in = mifs_.vif_of(entry.input_ifindex);
    if (!in)
        return make_error(EINVAL, "adding cache entry " + sg_text(entry.source, entry.group),
                          "input " + detail::describe_ifindex(entry.input_ifindex) + " is not a MIF");
    mc.mf6cc_parent = *in;
    for (const auto& out : entry.outputs) {
        auto m = mifs_.vif_of(out.ifindex);
        if (!m)
            return make_error(EINVAL, "adding cache entry " + sg_text(entry.source, entry.group),
                              "output " + detail::describe_ifindex(out.ifindex) + " is not a MIF");
        IF_SET(*m, &mc.mf6cc_ifset);
    }
    if (::setsockopt(fd_.get(), IPPROTO_IPV6, MRT6_ADD_MFC, &mc, sizeof mc) < 0) {
        const int e = errno;
        return make_error(e, "adding cache entry " + sg_text(entry.source, entry.group));
    }
    return {};
}

status mroute6::remove_route(const net::address& source, const net::address& group) {
    if (!source.is_v6() || !group.is_v6())
        return make_error(EAFNOSUPPORT, "removing IPv6 cache entry", "source and group must be IPv6");
    mf6cctl mc{};
    mc.mf6cc_origin = to_sockaddr(source);
    mc.mf6cc_mcastgrp = to_sockaddr(group);
    if (::setsockopt(fd_.get(), IPPROTO_IPV6, MRT6_DEL_MFC, &mc, sizeof mc) < 0) {
        const int e = errno;
        return make_error(e, "removing cache entry " + sg_text(source, group));
    }
    return {};
}

result<sg_counters> mroute6::counters(const net::address& source, const net::address& group) const {
    if (!source.is_v6() || !group.is_v6())
        return make_error(EAFNOSUPPORT, "reading IPv6 cache counters", "source and group must be IPv6");
    sioc_sg_req6 req{};
    req.src = to_sockaddr(source);
    req.grp = to_sockaddr(group);
    if (::ioctl(fd_.get(), SIOCGETSGCNT_IN6, &req) < 0) {
        const int e = errno;
        return make_error(e, "reading counters of " + sg_text(source, group));
    }
    return sg_counters{req.pktcnt, req.bytecnt, req.wrong_if};
}

result<std::optional<upcall>> mroute6::receive() {
    std::array<std::uint8_t, 2048> buf{};
    for (int i = 0; i < max_skipped_per_receive; ++i) {
        const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return std::optional<upcall>{};
            if (errno == EINTR) continue;
            return make_error(errno, "reading the IPv6 multicast routing socket");
        }
        const std::span<const std::uint8_t> bytes(buf.data(), static_cast<std::size_t>(n));
        if (auto u = parse_upcall6(bytes, mifs_)) return std::optional<upcall>{*u};
    }
    return std::optional<upcall>{};
}

status mroute6::close() {
    if (!fd_.valid()) return {};
    status s;
    if (::setsockopt(fd_.get(), IPPROTO_IPV6, MRT6_DONE, nullptr, 0) < 0)
        s = make_error(errno, "stopping IPv6 multicast routing (MRT6_DONE)");
    fd_.reset();
    mifs_ = vif_table{};
    return s;
}

}  // namespace mcproxy::kernel
