// SPDX-License-Identifier: GPL-2.0-or-later
// How long reading a configuration takes, and what one filter lookup costs
// (rule_set::matches scans the rules in order).
#include <benchmark/benchmark.h>

#include <string>

#include "mcproxy/config/parse.hpp"

namespace {

// A typical file: two instances, tables, bindings, tuning.
const char* const typical = R"(
protocol IGMPv3;
table iptv {
    (239.1.1.1 | *)
    (239.2.0.0/16 | 198.51.100.0/24)
    (239.3.1.1 - 239.3.1.9 | 203.0.113.5)
};
table outer { (table iptv) (table { eth1(232.0.0.0/8 | *) }) };
pinstance myProxy: eth0 eth3 ==> eth1 eth2 br-lan eth0.100;
pinstance myProxy upstream eth0 in whitelist table outer;
pinstance myProxy downstream eth2 out blacklist table { (239.1.1.1 | *) };
pinstance myProxy upstream * in rulematching mutex 5000;
pinstance myProxy downstream * max-groups 1024 fastleave;
pinstance myProxy downstream eth1 query-interval 60 query-response-interval 5;
protocol MLDv2;
pinstance v6: eth0 ==> eth1 eth2;
pinstance v6 downstream * out whitelist table { (ff05::/16 | *) (ff3e::/16 | 2001:db8::/32) };
)";

void parse_typical_file(benchmark::State& state) {
    const std::string text = typical;
    for (auto _ : state) {
        auto r = mcproxy::config::parse_text(text, "mcproxy.conf");
        benchmark::DoNotOptimize(r);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(parse_typical_file);

// A whitelist of N single-group rules; the looked-up group matches none, so
// every rule is tried (the worst case).
void match_miss(benchmark::State& state) {
    std::string text = "protocol IGMPv3;\npinstance a: u ==> d;\npinstance a downstream d out whitelist table {";
    for (int i = 0; i < state.range(0); ++i)
        text += " (239.1." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1) + " | *)";
    text += " };\n";
    auto r = mcproxy::config::parse_text(text, "bench.conf");
    if (!r.ok()) {
        state.SkipWithError("configuration did not parse");
        return;
    }
    const auto& f = *r.config->instances[0].downstreams[0].filters.out;
    const auto src = *mcproxy::net::address::parse("198.51.100.1");
    const auto grp = *mcproxy::net::address::parse("239.200.0.1");
    for (auto _ : state) benchmark::DoNotOptimize(f.allows("u", src, grp));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(match_miss)->Arg(1)->Arg(10)->Arg(100)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
