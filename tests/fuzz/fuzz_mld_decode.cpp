// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: IPv6 / hop-by-hop parsing + MLD decoding. Anything that
// decodes must re-encode (checksum over the pseudo-header), decode again
// to the same message, and fit back into an IPv6 packet with Router Alert;
// decoded reports must pack into packets that fit the MTU.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "mcproxy/wire/ipv6_header.hpp"
#include "mcproxy/wire/mld_codec.hpp"
#include "mcproxy/wire/record_packing.hpp"

using namespace mcproxy::wire;
using mcproxy::net::address;

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

address v6(std::uint8_t first, std::uint8_t last) {
    std::array<std::uint8_t, 16> b{};
    b[0] = first;
    b[1] = first == 0xfe ? 0x80 : 0x02;
    b[15] = last;
    return address::v6(b);
}

void check_packing(const report_v3& r, std::size_t mtu) {
    for (const auto& packed : pack_records(r.ver, r.records, mtu)) {
        std::vector<std::uint8_t> msg;
        require(!encode_mld(packed, v6(0xfe, 1), v6(0xff, 0x16), msg));
        require(msg.size() + 48 <= std::max<std::size_t>(mtu, 1280));
        require(!packed.records.empty());
    }
}

void check_round_trip(const message& m, std::size_t in_size, const address& src, const address& dst,
                      std::size_t mtu) {
    std::vector<std::uint8_t> enc;
    require(!encode_mld(m, src, dst, enc));
    require(enc.size() <= in_size);
    const auto again = decode_mld(enc, src, dst, checksum_check::verify);
    require(again.ok() && *again == m);

    ipv6_build h;
    h.src = src;
    h.dst = dst;
    std::vector<std::uint8_t> pkt;
    require(!build_ipv6(h, enc, pkt));
    const auto ip = parse_ipv6(pkt);
    require(ip.ok() && ip->router_alert == router_alert_mld && ip->payload.size() == enc.size());
    require(ip->src == src && ip->dst == dst);
    if (const auto* rep = std::get_if<report_v3>(&m)) check_packing(*rep, mtu);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > mld_max_message) return 0;
    const std::span<const std::uint8_t> in(data, size);
    const std::size_t mtu = size >= 2 ? 1200 + 4 * std::size_t{data[size - 1]} * data[size - 2] : 1500;

    // A whole IPv6 packet: checksum verified with its own addresses.
    if (const auto ip = parse_ipv6(in)) {
        require(ip->payload.data() >= data && ip->payload.data() + ip->payload.size() <= data + size);
        const auto m = decode_mld(ip->payload, ip->src, ip->dst, checksum_check::verify);
        if (m) check_round_trip(*m, ip->payload.size(), ip->src, ip->dst, mtu);
    }
    // A bare ICMPv6 message as a raw socket delivers it (kernel checked the checksum).
    const address src = v6(0xfe, size > 0 ? data[0] : 1);
    const address dst = v6(0xff, 0x16);
    if (const auto m = decode_mld(in, src, dst, checksum_check::skip))
        check_round_trip(*m, size, src, dst, mtu);
    // A hop-by-hop header as IPV6_HOPOPTS ancillary data delivers it.
    if (const auto h = parse_hop_by_hop(in)) require(h->length >= 8 && h->length <= size);
    return 0;
}
