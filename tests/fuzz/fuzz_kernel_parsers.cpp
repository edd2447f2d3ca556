// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target for the kernel layer's parsers of bytes from the wire or the
// kernel: IPv4 IGMP datagrams, IPv6 hop-by-hop options, upcalls and
// rtnetlink messages. The first byte selects the parser.
#include "mcproxy/kernel/igmp_socket.hpp"
#include "mcproxy/kernel/link_monitor.hpp"
#include "mcproxy/kernel/mld_socket.hpp"
#include "mcproxy/kernel/netlink_socket.hpp"
#include "mcproxy/kernel/upcall.hpp"

#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace mcproxy::kernel;
    if (size == 0) return 0;
    const std::uint8_t selector = data[0];
    const std::span<const std::uint8_t> in(data + 1, size - 1);
    vif_table vifs;
    vifs.allocate(3);
    switch (selector % 5) {
        case 0: {
            auto p = parse_ipv4_igmp(std::vector<std::uint8_t>(in.begin(), in.end()), 1);
            if (p) (void)p->payload().size();
            break;
        }
        case 1: (void)hop_by_hop_has_router_alert(in); break;
        case 2: (void)parse_upcall4(in, vifs); break;
        case 3: (void)parse_upcall6(in, vifs); break;
        default: {
            // As netlink_socket hands them over: aligned, nlmsg_len within the buffer.
            std::vector<std::uint32_t> aligned((in.size() + 3) / 4 + sizeof(nlmsghdr) / 4, 0);
            std::memcpy(aligned.data(), in.data(), in.size());
            auto* h = reinterpret_cast<nlmsghdr*>(aligned.data());
            const auto max_len = static_cast<std::uint32_t>(std::max(in.size(), sizeof(nlmsghdr)));
            if (h->nlmsg_len > max_len || h->nlmsg_len < sizeof(nlmsghdr)) h->nlmsg_len = max_len;
            (void)parse_interface_event(*h);
            for_each_attr(in, [](const netlink_attr& a) { (void)a.payload.size(); });
            break;
        }
    }
    return 0;
}
