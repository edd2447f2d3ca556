// SPDX-License-Identifier: GPL-2.0-or-later
// Peering meshes (doc/peering.md): three proxies, each peering with both others
// over its own link (a triangle), or all three on one shared peering LAN.
// Split horizon keeps every packet to one peering hop, delivers it at most
// once per listener, and keeps memberships from circling between peers.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>

#include "core/filter_test_util.hpp"

namespace mcproxy::core {
namespace {

using namespace filter_test;
using T = wire::record_type;

constexpr if_index lan = 9;

/// N proxies; each lists its peering interfaces as upstreams and
/// downstreams, plus one lan with a listener and local sources.
class mesh {
public:
    /// `links[k]` = {{proxy, iface}, ...}: the interfaces on one shared link.
    using end = std::pair<std::size_t, if_index>;

    mesh(std::size_t n, std::vector<std::vector<end>> links) : links_(std::move(links)) {
        std::vector<std::vector<if_index>> peers(n);
        for (const auto& l : links_)
            for (const auto& [p, i] : l) peers[p].push_back(i);
        for (std::size_t p = 0; p < n; ++p) {
            instance_settings s;
            s.ver = wire::version::igmpv3;
            s.upstreams = peers[p];
            s.downstreams = peers[p];
            s.downstreams.push_back(lan);
            s.filters.in_matching = upstream_in_matching::first;
            nodes_.push_back(std::make_unique<instance>(s, now_));
        }
        for (std::size_t p = 0; p < n; ++p) {
            actions out;
            for (if_index i : peers[p]) nodes_[p]->handle(address_event{i, address(p, i)}, now_, out);
            nodes_[p]->handle(address_event{lan, net::address::v4(0xC6336400u + static_cast<std::uint32_t>(p))}, now_,
                              out);
            process(p, out);
        }
    }

    instance& node(std::size_t p) { return *nodes_[p]; }
    time_point now() const { return now_; }

    /// Source address `k` on the lan of proxy `p`.
    static net::address source(std::size_t p, unsigned k) {
        return net::address::v4(0xCB007100u + static_cast<std::uint32_t>(p) * 16 + k);
    }

    void listen(std::size_t p, const net::address& g, const membership& m) {
        wire::group_record r{m.mode == filter_mode::exclude ? T::change_to_exclude : T::change_to_include, g, {}, {}};
        r.sources.assign(m.sources.begin(), m.sources.end());
        if (m.empty())
            wish_[p].erase(g);
        else
            wish_[p][g] = m;
        actions out;
        nodes_[p]->handle(message_event{lan, listener(p), ip("224.0.0.22"), wire::report_v3{wire::version::igmpv3, {r}}},
                          now_, out);
        process(p, out);
    }

    void run_until(time_point until) {
        for (int i = 0; i < 100000; ++i) {
            std::optional<time_point> d;
            for (const auto& n : nodes_) d = earliest(d, n->next_deadline());
            if (!d || *d > until) break;
            now_ = std::max(now_, *d);
            for (std::size_t p = 0; p < nodes_.size(); ++p) {
                auto pd = nodes_[p]->next_deadline();
                if (pd && *pd <= now_) {
                    actions out;
                    nodes_[p]->advance(now_, out);
                    process(p, out);
                }
            }
        }
        now_ = std::max(now_, until);
    }

    /// One packet from a source on the lan of `p`; returns the copies each
    /// lan got, or nullopt if a packet crossed two peering links.
    std::optional<std::vector<unsigned>> send(std::size_t p, const net::address& s, const net::address& g) {
        std::vector<unsigned> got(nodes_.size(), 0);
        if (!forward(p, lan, s, g, 0, got)) return std::nullopt;
        return got;
    }

private:
    static net::address address(std::size_t p, if_index i) {
        return net::address::v4(0xC0000200u + static_cast<std::uint32_t>(i) * 16 + static_cast<std::uint32_t>(p) + 1);
    }
    static net::address listener(std::size_t p) {
        return net::address::v4(0xC6336480u + static_cast<std::uint32_t>(p));
    }

    const std::vector<end>* link_of(std::size_t p, if_index i) const {
        for (const auto& l : links_)
            for (const auto& e : l)
                if (e == end{p, i}) return &l;
        return nullptr;
    }

    void process(std::size_t first, actions& first_out) {
        std::deque<std::pair<std::size_t, actions>> queue;
        queue.emplace_back(first, std::move(first_out));
        int guard = 0;
        for (; !queue.empty() && guard < 20000; ++guard) {
            auto [p, acts] = std::move(queue.front());
            queue.pop_front();
            for (const auto& a : acts) {
                const auto* s = std::get_if<send_action>(&a);
                if (!s) continue;
                if (s->iface == lan) {
                    if (!std::holds_alternative<wire::query>(s->msg) || wish_[p].empty()) continue;
                    std::vector<wire::group_record> recs;
                    for (const auto& [g, m] : wish_[p]) {
                        wire::group_record r{m.mode == filter_mode::exclude ? T::mode_is_exclude : T::mode_is_include,
                                             g, {}, {}};
                        r.sources.assign(m.sources.begin(), m.sources.end());
                        recs.push_back(r);
                    }
                    actions out;
                    nodes_[p]->handle(message_event{lan, listener(p), ip("224.0.0.22"),
                                                    wire::report_v3{wire::version::igmpv3, recs}},
                                      now_, out);
                    queue.emplace_back(p, std::move(out));
                    continue;
                }
                const auto* l = link_of(p, s->iface);
                if (!l) continue;
                // Everyone on the link, the sender included (loopback).
                for (const auto& [q, qi] : *l) {
                    actions out;
                    nodes_[q]->handle(message_event{qi, address(p, s->iface), s->destination, s->msg}, now_, out);
                    queue.emplace_back(q, std::move(out));
                }
            }
        }
        ASSERT_LT(guard, 20000) << "message storm";
    }

    bool forward(std::size_t p, if_index iface, const net::address& s, const net::address& g, int hops,
                 std::vector<unsigned>& got) {
        if (hops > 1) return false;
        auto r = nodes_[p]->routes().route({s, g});
        if (!r || r->input != iface) {
            actions out;
            nodes_[p]->handle(upcall_event{r ? upcall_kind::wrongvif : upcall_kind::nocache, iface, s, g}, now_, out);
            process(p, out);
            if (r) return true;
            r = nodes_[p]->routes().route({s, g});
            if (!r || r->input != iface) return true;
        }
        bool ok = true;
        for (if_index o : r->outputs) {
            if (o == lan) {
                ++got[p];
                continue;
            }
            // One copy on the link reaches every other proxy on it.
            if (const auto* l = link_of(p, o))
                for (const auto& [q, qi] : *l)
                    if (q != p) ok = forward(q, qi, s, g, hops + 1, got) && ok;
        }
        return ok;
    }

    std::vector<std::vector<end>> links_;
    std::vector<std::unique_ptr<instance>> nodes_;
    std::map<std::size_t, std::map<net::address, membership>> wish_;
    time_point now_ = at(0s);
};

/// Triangle: 0-1 over iface 1, 0-2 over iface 2 of 0 / 1 of 2, 1-2 over 2.
mesh triangle() { return mesh(3, {{{0, 1}, {1, 1}}, {{0, 2}, {2, 1}}, {{1, 2}, {2, 2}}}); }
/// One shared peering LAN, iface 1 on every proxy.
mesh shared_lan() { return mesh(3, {{{0, 1}, {1, 1}, {2, 1}}}); }

// In a triangle a listener's wish reaches both neighbours but is never
// passed on to the third link, and dies when the listener leaves.
TEST(PeeringMesh, TriangleMembershipDoesNotCircle) {
    mesh m = triangle();
    m.run_until(at(5s));
    const net::address g = ip("239.4.4.4");
    m.listen(1, g, exc({}));
    m.run_until(at(10s));
    // Proxy 1 asks only on its first peering interface (rule matching first).
    EXPECT_EQ(m.node(1).reported(1, g), exc({}));
    EXPECT_TRUE(m.node(1).reported(2, g).empty());
    // Proxy 0 learnt it on its link to 1 and does not pass it on to 2.
    EXPECT_EQ(m.node(0).downstream(1)->membership(g), exc({}));
    EXPECT_TRUE(m.node(0).reported(2, g).empty());
    EXPECT_TRUE(m.node(2).downstream(1)->membership(g).empty());
    EXPECT_TRUE(m.node(2).downstream(2)->membership(g).empty());
    // Leave: after the last member queries nothing is left anywhere.
    m.listen(1, g, inc({}));
    m.run_until(at(40s));
    for (std::size_t p = 0; p < 3; ++p)
        for (if_index i : {1u, 2u}) {
            EXPECT_TRUE(m.node(p).reported(i, g).empty()) << p << " " << i;
            EXPECT_TRUE(m.node(p).downstream(i)->membership(g).empty()) << p << " " << i;
        }
}

// Random listeners, data from every site and time, in a triangle and on a
// shared peering LAN: every packet reaches every lan at most once, never
// its own, and never crosses two peering links.
TEST(PeeringMeshRandom, NoLoopsNoDuplicates) {
    for (int topo = 0; topo < 2; ++topo) {
        std::mt19937 rng(topo == 0 ? 31 : 32);
        mesh m = topo == 0 ? triangle() : shared_lan();
        m.run_until(at(5s));
        const std::vector<net::address> groups{ip("239.4.0.1"), ip("239.4.0.2"), ip("232.4.0.3")};
        unsigned delivered = 0;
        for (int step = 0; step < 1500; ++step) {
            const std::size_t p = rng() % 3;
            const net::address& g = groups[rng() % groups.size()];
            switch (rng() % 4) {
                case 0: {
                    membership w{rng() % 3 == 0 ? filter_mode::exclude : filter_mode::include, {}};
                    for (std::size_t q = 0; q < 3; ++q)
                        if (rng() % 2) w.sources.insert(mesh::source(q, rng() % 2));
                    if (g.is_ssm() && w.mode == filter_mode::exclude) w = {};
                    m.listen(p, g, w);
                    break;
                }
                case 1:
                case 2: {
                    auto got = m.send(p, mesh::source(p, rng() % 2), g);
                    ASSERT_TRUE(got) << "a packet crossed two peering links, step " << step;
                    for (std::size_t q = 0; q < 3; ++q) {
                        ASSERT_LE((*got)[q], 1u) << "duplicate at " << q << " step " << step;
                        delivered += (*got)[q];
                    }
                    ASSERT_EQ((*got)[p], 0u) << "step " << step;
                    break;
                }
                default: m.run_until(m.now() + duration{static_cast<duration::rep>(rng() % 20'000'000)});
            }
            // Split horizon: nothing a peer asked for is reported on a peering link.
            for (std::size_t q = 0; q < 3; ++q)
                for (if_index i : {1u, 2u}) {
                    if (!m.node(q).upstream(i)) continue;
                    const membership own = m.node(q).downstream(lan)->membership(g);
                    const membership rep = m.node(q).reported(i, g);
                    for (std::size_t r = 0; r < 3; ++r)
                        for (unsigned k = 0; k < 2; ++k)
                            if (rep.wants(mesh::source(r, k))) {
                                ASSERT_TRUE(own.wants(mesh::source(r, k))) << "step " << step;
                            }
                }
        }
        EXPECT_GT(delivered, 50u);  // the run really exchanged data
    }
}

}  // namespace
}  // namespace mcproxy::core
