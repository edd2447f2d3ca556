// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/mroute4.hpp"

#include "mcproxy/kernel/igmp_socket.hpp"
#include "mcproxy/kernel/upcall.hpp"
#include "sys_util.hpp"

#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
// linux/mroute.h after netinet/in.h so the libc-compat guards avoid redefinitions.
#include <linux/mroute.h>

#include <algorithm>
#include <cstring>

namespace mcproxy::kernel {

namespace {
constexpr int max_skipped_per_receive = 64;  // bounds the loop over malformed datagrams

in_addr to_in_addr(const net::address& a) {
    in_addr r{};
    std::memcpy(&r, a.data(), 4);
    return r;
}

std::string sg_text(const net::address& s, const net::address& g) {
    return "(" + s.to_string() + ", " + g.to_string() + ")";
}
}  // namespace

result<mroute4> mroute4::open(std::optional<std::uint32_t> table) {
    unique_fd fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IGMP));
    if (!fd.valid()) return make_error(errno, "opening the IPv4 multicast routing socket", detail::need_root);
    if (table) {
        // MRT_TABLE must come before MRT_INIT: it selects which table MRT_INIT claims.
        if (::setsockopt(fd.get(), IPPROTO_IP, MRT_TABLE, &*table, sizeof *table) < 0) {
            const int e = errno;
            return make_error(e, "selecting IPv4 multicast " + detail::describe_table(table),
                              e == ENOPROTOOPT
                                  ? "the kernel lacks CONFIG_IP_MROUTE_MULTIPLE_TABLES; drop the table "
                                    "number from the pinstance"
                                  : "");
        }
    }
    const int one = 1;
    if (::setsockopt(fd.get(), IPPROTO_IP, MRT_INIT, &one, sizeof one) < 0) {
        const int e = errno;
        std::string hint;
        if (e == EADDRINUSE)
            hint = "another multicast router (mrouted, pimd, smcroute, igmpproxy or another mcproxy) owns " +
                   detail::describe_table(table) + "; stop it or give this instance its own table";
        else if (e == ENOPROTOOPT || e == EOPNOTSUPP)
            hint = "the kernel lacks IPv4 multicast routing (CONFIG_IP_MROUTE)";
        else if (e == EACCES || e == EPERM)
            hint = std::string(detail::need_root);
        return make_error(e, "starting IPv4 multicast routing (MRT_INIT) on " + detail::describe_table(table),
                          hint);
    }
    // WRONGVIF upcalls are only sent with assert mode on.
    if (auto s = detail::set_option(fd.get(), IPPROTO_IP, MRT_ASSERT, one, "enabling MRT_ASSERT"); !s)
        return s.err();
    if (auto s = detail::set_option(fd.get(), IPPROTO_IP, IP_PKTINFO, one, "enabling IP_PKTINFO"); !s)
        return s.err();
    return mroute4(std::move(fd), table);
}

status mroute4::add_vif(unsigned ifindex) {
    if (vifs_.vif_of(ifindex)) return {};
    auto vif = vifs_.allocate(ifindex);
    if (!vif)
        return make_error(ENOBUFS, "adding " + detail::describe_ifindex(ifindex) + " to IPv4 multicast " +
                                       detail::describe_table(table_) + ": out of VIFs",
                          "the kernel allows 32 interfaces per table (MAXVIFS); split the interfaces "
                          "over instances with their own tables");
    vifctl vc{};
    vc.vifc_vifi = *vif;
    vc.vifc_flags = VIFF_USE_IFINDEX;
    vc.vifc_threshold = 1;
    vc.vifc_lcl_ifindex = static_cast<int>(ifindex);
    if (::setsockopt(fd_.get(), IPPROTO_IP, MRT_ADD_VIF, &vc, sizeof vc) < 0) {
        const int e = errno;
        vifs_.release(ifindex);
        return make_error(e, "adding " + detail::describe_ifindex(ifindex) + " as VIF " + std::to_string(*vif),
                          e == ENFILE   ? "out of VIFs: the kernel allows 32 per table (MAXVIFS)"
                          : e == ENODEV ? "the interface does not exist (any more)"
                          : e == EADDRINUSE ? "the VIF number is taken by someone else"
                                            : "");
    }
    return {};
}

status mroute4::remove_vif(unsigned ifindex) {
    auto vif = vifs_.vif_of(ifindex);
    if (!vif) return {};
    vifctl vc{};
    vc.vifc_vifi = *vif;
    vifs_.release(ifindex);
    // The kernel deletes the VIF itself when the interface unregisters; that is not an error.
    if (::setsockopt(fd_.get(), IPPROTO_IP, MRT_DEL_VIF, &vc, sizeof vc) < 0) {
        // Saved first: describe_ifindex() fails (ENXIO) for an interface that is gone.
        const int e = errno;
        if (e != EADDRNOTAVAIL)
            return make_error(
                e, "removing VIF " + std::to_string(*vif) + " of " + detail::describe_ifindex(ifindex));
    }
    return {};
}

status mroute4::set_route(const mfc_entry& entry) {
    if (!entry.source.is_v4() || !entry.group.is_v4())
        return make_error(EAFNOSUPPORT, "adding IPv4 cache entry", "source and group must be IPv4");
    mfcctl mc{};
    mc.mfcc_origin = to_in_addr(entry.source);
    mc.mfcc_mcastgrp = to_in_addr(entry.group);
    auto in = vifs_.vif_of(entry.input_ifindex);
    if (!in)
        return make_error(EINVAL, "adding cache entry " + sg_text(entry.source, entry.group),
                          "input " + detail::describe_ifindex(entry.input_ifindex) + " is not a VIF");
    mc.mfcc_parent = *in;
    // A threshold of 0 (or 255) means "do not forward" to the kernel.
    for (const auto& out : entry.outputs) {
        auto v = vifs_.vif_of(out.ifindex);
        if (!v)
            return make_error(EINVAL, "adding cache entry " + sg_text(entry.source, entry.group),
                              "output " + detail::describe_ifindex(out.ifindex) + " is not a VIF");
        mc.mfcc_ttls[*v] = out.ttl_threshold == 0 ? 1 : out.ttl_threshold;
    }
    if (::setsockopt(fd_.get(), IPPROTO_IP, MRT_ADD_MFC, &mc, sizeof mc) < 0) {
        const int e = errno;
        return make_error(e, "adding cache entry " + sg_text(entry.source, entry.group));
    }
    return {};
}

status mroute4::remove_route(const net::address& source, const net::address& group) {
    if (!source.is_v4() || !group.is_v4())
        return make_error(EAFNOSUPPORT, "removing IPv4 cache entry", "source and group must be IPv4");
    mfcctl mc{};
    mc.mfcc_origin = to_in_addr(source);
    mc.mfcc_mcastgrp = to_in_addr(group);
    if (::setsockopt(fd_.get(), IPPROTO_IP, MRT_DEL_MFC, &mc, sizeof mc) < 0) {
        const int e = errno;
        return make_error(e, "removing cache entry " + sg_text(source, group));
    }
    return {};
}

result<sg_counters> mroute4::counters(const net::address& source, const net::address& group) const {
    if (!source.is_v4() || !group.is_v4())
        return make_error(EAFNOSUPPORT, "reading IPv4 cache counters", "source and group must be IPv4");
    sioc_sg_req req{};
    req.src = to_in_addr(source);
    req.grp = to_in_addr(group);
    if (::ioctl(fd_.get(), SIOCGETSGCNT, &req) < 0) {
        const int e = errno;
        return make_error(e, "reading counters of " + sg_text(source, group));
    }
    return sg_counters{req.pktcnt, req.bytecnt, req.wrong_if};
}

status mroute4::membership(int option, unsigned ifindex, const net::address& group) {
    if (!group.is_v4() || !group.is_multicast())
        return make_error(EINVAL, "joining " + group.to_string(), "not an IPv4 multicast group");
    ip_mreqn m{};
    m.imr_multiaddr = to_in_addr(group);
    m.imr_ifindex = static_cast<int>(ifindex);
    if (::setsockopt(fd_.get(), IPPROTO_IP, option, &m, sizeof m) < 0) {
        const int e = errno;
        return make_error(e,
                          std::string(option == IP_ADD_MEMBERSHIP ? "joining " : "leaving ") + group.to_string() +
                              " on " + detail::describe_ifindex(ifindex),
                          e == ENOBUFS ? "raise net.ipv4.igmp_max_memberships" : "");
    }
    return {};
}

status mroute4::join(unsigned ifindex, const net::address& group) {
    return membership(IP_ADD_MEMBERSHIP, ifindex, group);
}

status mroute4::leave(unsigned ifindex, const net::address& group) {
    return membership(IP_DROP_MEMBERSHIP, ifindex, group);
}

std::optional<mroute4_message> mroute4::parse(std::size_t i) {
    if (batch_.truncated(i)) return std::nullopt;
    const std::span<const std::uint8_t> bytes = batch_.bytes(i);
    if (is_upcall4(bytes)) {
        if (auto u = parse_upcall4(bytes, vifs_)) return mroute4_message{*u};
        return std::nullopt;
    }
    unsigned ifindex = 0;
    msghdr& msg = batch_.header(i);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
            in_pktinfo info{};
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            ifindex = static_cast<unsigned>(info.ipi_ifindex);
        }
    }
    if (auto p = parse_ipv4_igmp(std::vector<std::uint8_t>(bytes.begin(), bytes.end()), ifindex))
        return mroute4_message{std::move(*p)};
    return std::nullopt;
}

result<bool> mroute4::receive_batch(std::size_t max, const std::function<void(mroute4_message&&)>& sink) {
    std::size_t read = 0;
    while (read < max) {
        const std::size_t asked = std::min(max - read, batch_.slots());
        auto n = batch_.read(fd_.get(), asked);
        if (!n) return make_error(n.err().code.value(), "reading the IPv4 multicast routing socket");
        for (std::size_t i = 0; i < n.value(); ++i)
            if (auto m = parse(i)) sink(std::move(*m));
        read += n.value();
        // A short read emptied the queue; what arrives later wakes the loop again.
        if (n.value() < asked) return true;
    }
    return false;
}

result<std::optional<mroute4_message>> mroute4::receive() {
    for (int i = 0; i < max_skipped_per_receive; ++i) {
        std::optional<mroute4_message> got;
        auto drained = receive_batch(1, [&](mroute4_message&& m) { got = std::move(m); });
        if (!drained) return drained.err();
        if (got) return got;
        if (drained.value()) return std::optional<mroute4_message>{};
    }
    return std::optional<mroute4_message>{};
}

status mroute4::close() {
    if (!fd_.valid()) return {};
    status s;
    if (::setsockopt(fd_.get(), IPPROTO_IP, MRT_DONE, nullptr, 0) < 0)
        s = make_error(errno, "stopping IPv4 multicast routing (MRT_DONE)");
    fd_.reset();
    vifs_ = vif_table{};
    return s;
}

}  // namespace mcproxy::kernel
