// SPDX-License-Identifier: GPL-2.0-or-later
// Randomised filters in core::instance (doc/filters.md): after every step of a
// random run (reports, upcalls, link flaps, time) the reports equal a
// from-scratch computation (per-upstream merge of the routers through the
// downstream `out` filters, upstream `in` filter, rule matching) and every
// route's outputs equal what the memberships and filters allow.
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <set>

#include "core/filter_test_util.hpp"

namespace mcproxy::core {
namespace {

using namespace filter_test;

constexpr if_index u1 = 1, u2 = 2, d1 = 11, d2 = 12, d3 = 13;

filter_settings random_filters(std::mt19937& rng, const std::vector<net::address>& groups,
                               const std::vector<net::address>& pool) {
    auto random_filter = [&](bool qualified) {
        if (rng() % 3 == 0) return source_filter{};
        std::vector<filter_rule> rules;
        const auto n = static_cast<unsigned>(1 + rng() % 3);
        for (unsigned i = 0; i < n; ++i) {
            filter_rule r;
            const net::address& g = groups[rng() % groups.size()];
            r.group = rng() % 4 == 0 ? address_range::all(net::family::ipv4) : address_range::single(g);
            switch (rng() % 3) {
                case 0: r.source = address_range::all(net::family::ipv4); break;
                case 1: r.source = address_range::single(pool[rng() % pool.size()]); break;
                default: r.source = range("198.51.100.0/30");
            }
            if (qualified && rng() % 3 == 0) r.arrival = rng() % 2 ? u1 : u2;
            rules.push_back(r);
        }
        return source_filter(rng() % 2 ? filter_kind::whitelist : filter_kind::blacklist, std::move(rules));
    };
    filter_settings f;
    for (if_index u : {u1, u2}) f.upstream[u] = {random_filter(false), random_filter(true)};
    for (if_index d : {d1, d2, d3}) f.downstream[d] = {random_filter(false), random_filter(true)};
    f.in_matching = rng() % 2 ? upstream_in_matching::first : upstream_in_matching::all;
    f.out_matching = rng() % 2 ? upstream_out_matching::first : upstream_out_matching::all;
    return f;
}

TEST(FilterRandom, ReportsAndRoutesEqualAFromScratchComputation) {
    const std::vector<net::address> groups{ip("239.6.0.1"), ip("239.6.0.2"), ip("232.6.0.3")};
    const std::vector<net::address> pool{ip("198.51.100.1"), ip("198.51.100.2"), ip("198.51.100.9"),
                                         ip("203.0.113.4")};
    for (unsigned run = 0; run < 12; ++run) {
        std::mt19937 rng(500 + run);
        instance_settings s;
        s.ver = wire::version::igmpv3;
        s.upstreams = {u1, u2};
        s.downstreams = {d1, d2, d3};
        s.filters = random_filters(rng, groups, pool);
        const filter_policy policy(s.filters, s.upstreams, s.downstreams);
        instance inst(s, at(0s));
        time_point now = at(1s);
        actions out;
        std::set<if_index> down_links;
        for (int step = 0; step < 600; ++step) {
            out.clear();
            switch (rng() % 8) {
                case 0: {
                    now += duration{static_cast<duration::rep>(rng() % 20'000'000)};
                    for (int i = 0; i < 10000; ++i) {
                        auto d = inst.next_deadline();
                        if (!d || *d > now) break;
                        inst.advance(*d, out);
                    }
                    break;
                }
                case 1: {
                    const if_index i = std::array<if_index, 5>{u1, u2, d1, d2, d3}[rng() % 5];
                    const bool up = rng() % 3 != 0;
                    inst.handle(link_event{i, up}, now, out);
                    if (up)
                        down_links.erase(i);
                    else
                        down_links.insert(i);
                    break;
                }
                case 2:
                case 3: {
                    const if_index i = std::array<if_index, 5>{u1, u2, d1, d2, d3}[rng() % 5];
                    inst.handle(upcall_event{upcall_kind::nocache, i, pool[rng() % pool.size()],
                                             groups[rng() % groups.size()]},
                                now, out);
                    break;
                }
                default: {
                    const if_index d = std::array<if_index, 3>{d1, d2, d3}[rng() % 3];
                    wire::group_record r{static_cast<wire::record_type>(1 + rng() % 6),
                                         groups[rng() % groups.size()], {}, {}};
                    for (const auto& src : pool)
                        if (rng() % 3 == 0) r.sources.push_back(src);
                    inst.handle(v3_report(d, "192.0.2.10", {r}), now, out);
                }
            }
            for (const auto& g : groups) {
                // From scratch: each upstream's merge through the downstream
                // `out` filters (arrival = that upstream), its `in` filter, matching.
                std::vector<membership> candidates;
                for (if_index u : s.upstreams) {
                    aggregator fresh([&](if_index d, const net::address& grp, const membership& m) {
                        return policy.downstream_view(d, grp, m, u);
                    });
                    for (if_index d : s.downstreams)
                        if (const router* r = inst.downstream(d)) fresh.set(d, g, r->membership(g));
                    candidates.push_back(policy.upstream_view(u, g, fresh.merged(g)));
                }
                const upstream_selector sel(s.filters.in_matching, {}, s.upstreams);
                const std::vector<membership> expect = sel.select(g, candidates);
                for (std::size_t i = 0; i < s.upstreams.size(); ++i)
                    ASSERT_EQ(inst.reported(s.upstreams[i], g), expect[i])
                        << "run " << run << " step " << step << " upstream " << s.upstreams[i] << " " << g.to_string();
                // Routes: outputs are the live downstreams wanting S that the
                // filters allow, plus the allowed upstreams for local data.
                for (const auto& src : pool) {
                    auto rt = inst.routes().route({src, g});
                    if (!rt) continue;
                    const route_key key{src, g};
                    std::vector<if_index> want;
                    for (if_index d : s.downstreams) {
                        const router* r = inst.downstream(d);
                        if (d != rt->input && r && r->membership(g).wants(src) &&
                            policy.allow_output(key, rt->input, d))
                            want.push_back(d);
                    }
                    if (rt->input >= d1)
                        for (if_index u : s.upstreams) {
                            if (down_links.contains(u) || !policy.allow_output(key, rt->input, u)) continue;
                            want.push_back(u);
                            if (s.filters.out_matching == upstream_out_matching::first) break;
                        }
                    std::sort(want.begin(), want.end());
                    ASSERT_EQ(rt->outputs, want) << "run " << run << " step " << step;
                }
            }
        }
    }
}

}  // namespace
}  // namespace mcproxy::core
