// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: IPv4 packet parsing + IGMP decoding. Anything that decodes
// must re-encode, decode again to the same message, and fit back into an
// IPv4 packet; decoded reports must pack into packets that fit the MTU.
// Checksums are also repaired on a copy so the fuzzer reaches the parsers.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "mcproxy/wire/checksum.hpp"
#include "mcproxy/wire/igmp_codec.hpp"
#include "mcproxy/wire/ipv4_header.hpp"
#include "mcproxy/wire/record_packing.hpp"
#include "mcproxy/wire/resp_code.hpp"

using namespace mcproxy::wire;

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

void set_checksum(std::vector<std::uint8_t>& b, std::size_t begin, std::size_t end, std::size_t at) {
    b[at] = b[at + 1] = 0;
    const auto c = internet_checksum(std::span<const std::uint8_t>(b).subspan(begin, end - begin));
    b[at] = static_cast<std::uint8_t>(c >> 8);
    b[at + 1] = static_cast<std::uint8_t>(c & 0xFF);
}

void check_packing(const report_v3& r, std::size_t mtu) {
    for (const auto& packed : pack_records(r.ver, r.records, mtu)) {
        std::vector<std::uint8_t> msg;
        require(!encode_igmp(packed, msg));
        require(msg.size() + 24 <= std::max<std::size_t>(mtu, 68));
        require(!packed.records.empty());
    }
}

void check_igmp(std::span<const std::uint8_t> b, std::size_t mtu) {
    const auto r = decode_igmp(b);
    if (!r) return;
    std::vector<std::uint8_t> enc;
    require(!encode_igmp(*r, enc));
    require(enc.size() <= b.size());  // trailing data and unknown records are dropped, nothing added
    const auto again = decode_igmp(enc);
    require(again.ok() && *again == *r);
    std::vector<std::uint8_t> enc2;
    require(!encode_igmp(*again, enc2) && enc2 == enc);  // encoding is canonical

    ipv4_build h;
    h.src = mcproxy::net::address::v4(0xC0000201u);
    h.dst = mcproxy::net::address::v4(0xE0000016u);
    std::vector<std::uint8_t> pkt;
    require(!build_ipv4(h, enc, pkt));
    const auto ip = parse_ipv4(pkt);
    require(ip.ok() && ip->router_alert && ip->payload.size() == enc.size());
    if (const auto* rep = std::get_if<report_v3>(&*r)) check_packing(*rep, mtu);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > igmp_max_message) return 0;
    const std::span<const std::uint8_t> in(data, size);
    const std::size_t mtu = size >= 2 ? 64 + 8 * std::size_t{data[size - 1]} * data[size - 2] : 1500;

    // Response codes: decode/encode stable for any byte pair.
    if (size >= 2) {
        require(encode_code8(decode_code8(data[0])) == data[0]);
        const auto c16 = static_cast<std::uint16_t>((data[0] << 8) | data[1]);
        require(encode_code16(decode_code16(c16)) == c16);
    }

    // As delivered: a whole IPv4 packet, and a bare IGMP message.
    if (const auto ip = parse_ipv4(in)) {
        require(ip->payload.data() >= data && ip->payload.data() + ip->payload.size() <= data + size);
        check_igmp(ip->payload, mtu);
    }
    check_igmp(in, mtu);

    // With checksums repaired, so the structure behind them gets explored.
    std::vector<std::uint8_t> fixed(in.begin(), in.end());
    if (fixed.size() >= 8) {
        set_checksum(fixed, 0, fixed.size(), 2);
        check_igmp(fixed, mtu);
    }
    fixed.assign(in.begin(), in.end());
    if (fixed.size() >= 20) {
        const std::size_t ihl = 4u * (fixed[0] & 0x0F);
        const std::size_t total = (std::size_t{fixed[2]} << 8) | fixed[3];
        if (ihl >= 20 && ihl <= total && total <= fixed.size()) {
            if (total - ihl >= 4) set_checksum(fixed, ihl, total, ihl + 2);
            set_checksum(fixed, 0, ihl, 10);
            if (const auto ip = parse_ipv4(fixed)) check_igmp(ip->payload, mtu);
        }
    }
    return 0;
}
