// SPDX-License-Identifier: GPL-2.0-or-later
// Wire codec throughput: decode and encode of typical IGMP/MLD messages.
#include <benchmark/benchmark.h>

#include "mcproxy/wire/igmp_codec.hpp"
#include "mcproxy/wire/ipv4_header.hpp"
#include "mcproxy/wire/mld_codec.hpp"
#include "mcproxy/wire/record_packing.hpp"

using namespace mcproxy::wire;
using mcproxy::net::address;

namespace {

report_v3 igmp_report(std::size_t records, std::size_t sources) {
    report_v3 r{version::igmpv3, {}};
    for (std::uint32_t g = 0; g < records; ++g) {
        group_record rec{record_type::mode_is_include, address::v4(0xE8000000u + g), {}, {}};
        for (std::uint32_t s = 0; s < sources; ++s) rec.sources.push_back(address::v4(0xC6120000u + s));
        r.records.push_back(std::move(rec));
    }
    return r;
}

report_v3 mld_report(std::size_t records, std::size_t sources) {
    report_v3 r{version::mldv2, {}};
    for (std::uint32_t g = 0; g < records; ++g) {
        std::array<std::uint8_t, 16> grp{0xff, 0x3e};
        grp[15] = static_cast<std::uint8_t>(g);
        group_record rec{record_type::mode_is_include, address::v6(grp), {}, {}};
        for (std::uint32_t s = 0; s < sources; ++s) {
            std::array<std::uint8_t, 16> src{0x20, 0x01, 0x0d, 0xb8};
            src[15] = static_cast<std::uint8_t>(s);
            rec.sources.push_back(address::v6(src));
        }
        r.records.push_back(std::move(rec));
    }
    return r;
}

void BM_igmp_decode_v2_report(benchmark::State& st) {
    const auto bytes = *encode_igmp(report_v1v2{version::igmpv2, address::v4(0xEF010203u)});
    for (auto _ : st) benchmark::DoNotOptimize(decode_igmp(bytes));
}
BENCHMARK(BM_igmp_decode_v2_report);

void BM_igmp_decode_v3_report(benchmark::State& st) {
    const auto bytes = *encode_igmp(igmp_report(static_cast<std::size_t>(st.range(0)),
                                                static_cast<std::size_t>(st.range(1))));
    for (auto _ : st) benchmark::DoNotOptimize(decode_igmp(bytes));
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * bytes.size()));
}
BENCHMARK(BM_igmp_decode_v3_report)->Args({1, 0})->Args({10, 4})->Args({100, 2});

void BM_ipv4_parse_and_igmp_decode(benchmark::State& st) {
    const auto msg = *encode_igmp(igmp_report(1, 0));
    ipv4_build h;
    h.src = address::v4(0xC0000201u);
    h.dst = address::v4(0xE0000016u);
    std::vector<std::uint8_t> pkt;
    build_ipv4(h, msg, pkt);
    for (auto _ : st) {
        auto ip = parse_ipv4(pkt);
        benchmark::DoNotOptimize(decode_igmp(ip->payload));
    }
}
BENCHMARK(BM_ipv4_parse_and_igmp_decode);

void BM_igmp_encode_v3_report(benchmark::State& st) {
    const message m = igmp_report(static_cast<std::size_t>(st.range(0)), static_cast<std::size_t>(st.range(1)));
    std::vector<std::uint8_t> out;
    for (auto _ : st) {
        encode_igmp(m, out);
        benchmark::DoNotOptimize(out.data());
    }
}
BENCHMARK(BM_igmp_encode_v3_report)->Args({1, 0})->Args({100, 2});

void BM_mld_decode_v2_report(benchmark::State& st) {
    const address src = *address::parse("fe80::1");
    const address dst = *address::parse("ff02::16");
    const auto bytes = *encode_mld(mld_report(static_cast<std::size_t>(st.range(0)),
                                              static_cast<std::size_t>(st.range(1))), src, dst);
    const auto check = st.range(2) ? checksum_check::verify : checksum_check::skip;
    for (auto _ : st) benchmark::DoNotOptimize(decode_mld(bytes, src, dst, check));
}
BENCHMARK(BM_mld_decode_v2_report)->Args({1, 0, 1})->Args({1, 0, 0})->Args({10, 4, 1})->Args({10, 4, 0});

void BM_pack_records_ipv4(benchmark::State& st) {
    const auto r = igmp_report(static_cast<std::size_t>(st.range(0)), 3);
    for (auto _ : st) benchmark::DoNotOptimize(pack_records(version::igmpv3, r.records, 1500));
}
BENCHMARK(BM_pack_records_ipv4)->Arg(100)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
