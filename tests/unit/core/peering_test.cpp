// SPDX-License-Identifier: GPL-2.0-or-later
// Peering interfaces (doc/peering.md): two core::instances back to back over a
// simulated peering link exchange their local sources without loops and
// without duplicates, and never reflect what the peer asked for.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <set>

#include "core/filter_test_util.hpp"

namespace mcproxy::core {
namespace {

using namespace filter_test;
using T = wire::record_type;

constexpr if_index peer = 1, lan = 2, isp = 3;

/// One proxy: an instance whose interface `peer` is upstream and downstream.
struct proxy {
    std::string name;
    net::address on_peer;  ///< our address on the peering link
    net::address on_lan;
    std::unique_ptr<instance> inst;
    /// Groups (and INCLUDE sources, empty = any source) the listener on our lan wants.
    std::map<net::address, membership> listener;
};

/// The two proxies, the link between them, the listeners and the data.
class peering_net {
public:
    explicit peering_net(bool isp_on_a = false, filter_settings fa = {}, filter_settings fb = {}) {
        a_.name = "A";
        a_.on_peer = ip("192.0.2.1");
        a_.on_lan = ip("198.51.100.254");
        b_.name = "B";
        b_.on_peer = ip("192.0.2.2");
        b_.on_lan = ip("203.0.113.254");
        a_.inst = std::make_unique<instance>(settings(isp_on_a, std::move(fa)), now_);
        b_.inst = std::make_unique<instance>(settings(false, std::move(fb)), now_);
        for (proxy* p : {&a_, &b_}) {
            actions out;
            p->inst->handle(address_event{peer, p->on_peer}, now_, out);
            p->inst->handle(address_event{lan, p->on_lan}, now_, out);
            if (isp_on_a && p == &a_) p->inst->handle(address_event{isp, ip("192.0.2.129")}, now_, out);
            process(*p, out);
        }
    }

    proxy& a() { return a_; }
    proxy& b() { return b_; }
    time_point now() const { return now_; }

    /// The listener behind `p` changes its wish for `group` (INCLUDE{} leaves).
    void listen(proxy& p, const char* group, membership m) {
        actions out;
        wire::group_record r;
        r.group = ip(group);
        r.type = m.mode == filter_mode::exclude ? T::change_to_exclude : T::change_to_include;
        r.sources.assign(m.sources.begin(), m.sources.end());
        if (m.empty())
            p.listener.erase(ip(group));
        else
            p.listener[ip(group)] = m;
        p.inst->handle(v3_report(lan, p.name == "A" ? "198.51.100.20" : "203.0.113.20", {r}), now_, out);
        process(p, out);
    }

    /// Runs both proxies until `until`, delivering everything they send.
    void run_until(time_point until) {
        for (int i = 0; i < 100000; ++i) {
            std::optional<time_point> d = earliest(a_.inst->next_deadline(), b_.inst->next_deadline());
            if (!d || *d > until) break;
            now_ = std::max(now_, *d);
            for (proxy* p : {&a_, &b_}) {
                auto pd = p->inst->next_deadline();
                if (pd && *pd <= now_) {
                    actions out;
                    p->inst->advance(now_, out);
                    process(*p, out);
                }
            }
        }
        now_ = std::max(now_, until);
    }

    /// One packet of (S,G) arriving at `p` on `iface`. Returns false if it looped.
    bool send_data(proxy& p, if_index iface, const char* source, const char* group) {
        ++packet_;
        return forward(p, iface, ip(source), ip(group), 0);
    }

    /// Copies of packet `n` delivered to the lan of `p`.
    unsigned delivered(const proxy& p, unsigned long n) const {
        auto it = deliveries_.find({p.name, n});
        return it == deliveries_.end() ? 0 : it->second;
    }
    unsigned long last_packet() const { return packet_; }
    /// Packets that arrived back at the proxy whose lan sourced them.
    unsigned reflections() const { return reflections_; }
    /// Copies sent out of the ISP upstream of A.
    unsigned to_isp() const { return to_isp_; }

private:
    static instance_settings settings(bool with_isp, filter_settings f) {
        instance_settings s;
        s.ver = wire::version::igmpv3;
        s.upstreams = with_isp ? std::vector<if_index>{isp, peer} : std::vector<if_index>{peer};
        s.downstreams = {peer, lan};
        s.filters = std::move(f);
        return s;
    }

    proxy& other(const proxy& p) { return &p == &a_ ? b_ : a_; }

    /// Delivers what `p` sent: on the peering link to the peer and, looped
    /// back, to `p` itself; queries on the lan are answered by its listener.
    void process(proxy& first, actions& first_out) {
        std::deque<std::pair<proxy*, actions>> queue;
        queue.emplace_back(&first, std::move(first_out));
        for (int guard = 0; !queue.empty() && guard < 10000; ++guard) {
            auto [p, acts] = std::move(queue.front());
            queue.pop_front();
            for (const auto& a : acts) {
                const auto* s = std::get_if<send_action>(&a);
                if (!s) continue;
                if (s->iface == peer) {
                    for (proxy* to : {&other(*p), p}) {
                        actions out;
                        to->inst->handle(message_event{peer, p->on_peer, s->destination, s->msg}, now_, out);
                        queue.emplace_back(to, std::move(out));
                    }
                } else if (s->iface == lan && std::holds_alternative<wire::query>(s->msg)) {
                    // The listener answers every query with its whole state.
                    std::vector<wire::group_record> recs;
                    for (const auto& [g, m] : p->listener) {
                        wire::group_record r{m.mode == filter_mode::exclude ? T::mode_is_exclude : T::mode_is_include,
                                             g, {}, {}};
                        r.sources.assign(m.sources.begin(), m.sources.end());
                        recs.push_back(r);
                    }
                    if (recs.empty()) continue;
                    actions out;
                    p->inst->handle(v3_report(lan, p->name == "A" ? "198.51.100.20" : "203.0.113.20", recs), now_,
                                    out);
                    queue.emplace_back(p, std::move(out));
                }
            }
        }
        ASSERT_TRUE(queue.empty()) << "message storm on the peering link";
    }

    /// The kernel of `p`: forwards by the route, asks the core on a miss.
    bool forward(proxy& p, if_index iface, const net::address& s, const net::address& g, int peer_hops) {
        if (peer_hops > 1) return false;  // crossed the peering link twice: a loop
        if (iface == peer && (p.name == "A" ? s.to_string().rfind("198.51.100.", 0) == 0
                                            : s.to_string().rfind("203.0.113.", 0) == 0))
            ++reflections_;
        auto r = p.inst->routes().route({s, g});
        if (!r || r->input != iface) {
            actions out;
            p.inst->handle(upcall_event{r ? upcall_kind::wrongvif : upcall_kind::nocache, iface, s, g}, now_, out);
            process(p, out);
            if (r) return true;  // the kernel drops a packet on the wrong interface
            r = p.inst->routes().route({s, g});
            if (!r || r->input != iface) return true;
        }
        bool ok = true;
        for (if_index o : r->outputs) {
            if (o == lan) ++deliveries_[{p.name, packet_}];
            if (o == isp) ++to_isp_;
            if (o == peer) ok = forward(other(p), peer, s, g, peer_hops + 1) && ok;
        }
        return ok;
    }

    proxy a_, b_;
    time_point now_ = at(0s);
    unsigned long packet_ = 0;
    std::map<std::pair<std::string, unsigned long>, unsigned> deliveries_;
    unsigned reflections_ = 0;
    unsigned to_isp_ = 0;
};

const char* const G = "239.1.1.1";
const char* const SA = "198.51.100.10";  // a source behind A
const char* const SB = "203.0.113.10";   // a source behind B

// Each listener gets the other side's stream exactly once, nothing loops.
TEST(Peering, TwoProxiesExchangeTheirLocalSourcesOnce) {
    peering_net net;
    net.run_until(at(10s));
    net.listen(net.a(), G, exc({}));
    net.listen(net.b(), G, exc({}));
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(net.send_data(net.a(), lan, SA, G));
        EXPECT_EQ(net.delivered(net.b(), net.last_packet()), 1u) << i;
        EXPECT_EQ(net.delivered(net.a(), net.last_packet()), 0u) << i;  // its own lan has it natively
        ASSERT_TRUE(net.send_data(net.b(), lan, SB, G));
        EXPECT_EQ(net.delivered(net.a(), net.last_packet()), 1u) << i;
        EXPECT_EQ(net.delivered(net.b(), net.last_packet()), 0u) << i;
    }
    EXPECT_EQ(net.reflections(), 0u);
    // Data from the peer is not sent back to the peering link.
    EXPECT_EQ(net.b().inst->routes().route({ip(SA), ip(G)})->outputs, std::vector<if_index>{lan});
    EXPECT_EQ(net.a().inst->routes().route({ip(SB), ip(G)})->outputs, std::vector<if_index>{lan});
}

// What a proxy reports on the peering link is only what its own downstreams
// want, never what the peer asked of it.
TEST(Peering, PeerMembershipIsNotReflected) {
    peering_net net;
    net.run_until(at(10s));
    net.listen(net.b(), G, exc({}));
    // A learnt on its downstream side that the peer wants G...
    ASSERT_EQ(net.a().inst->downstream(peer)->membership(ip(G)), exc({}));
    // ...and does not report it back on the same link.
    EXPECT_TRUE(net.a().inst->reported(peer, ip(G)).empty());
    EXPECT_EQ(net.b().inst->reported(peer, ip(G)), exc({}));
    // B does not take its own looped-back report as a wish of the peer.
    EXPECT_TRUE(net.b().inst->downstream(peer)->membership(ip(G)).empty());
    // A's own listener joins: now A reports it, and only that.
    net.listen(net.a(), G, inc({SB}));
    EXPECT_EQ(net.a().inst->reported(peer, ip(G)), inc({SB}));
    net.listen(net.a(), G, inc({}));
    net.run_until(net.now() + 5s);
    EXPECT_TRUE(net.a().inst->reported(peer, ip(G)).empty());
    EXPECT_EQ(net.a().inst->downstream(peer)->membership(ip(G)), exc({}));  // B still wants it
}

// Local data goes to the peer only when the peer asked for it.
TEST(Peering, LocalDataGoesToThePeerOnlyOnRequest) {
    peering_net net;
    net.run_until(at(10s));
    ASSERT_TRUE(net.send_data(net.a(), lan, SA, G));
    EXPECT_TRUE(net.a().inst->routes().route({ip(SA), ip(G)})->outputs.empty());
    net.listen(net.b(), G, exc({}));
    EXPECT_EQ(net.a().inst->routes().route({ip(SA), ip(G)})->outputs, std::vector<if_index>{peer});
}

// Hours of queries: the proxy that lost the querier election on the peering
// link keeps learning the other's wishes (the querier answers its own
// queries there), so the exchange never stops.
TEST(Peering, MembershipSurvivesQuerierElectionForHours) {
    peering_net net;
    net.listen(net.a(), G, exc({}));
    net.listen(net.b(), G, exc({}));
    net.run_until(at(3h));
    EXPECT_TRUE(net.a().inst->downstream(peer)->querier().is_querier);  // lower address
    EXPECT_FALSE(net.b().inst->downstream(peer)->querier().is_querier);
    EXPECT_EQ(net.b().inst->downstream(peer)->membership(ip(G)), exc({}));
    EXPECT_EQ(net.a().inst->downstream(peer)->membership(ip(G)), exc({}));
    ASSERT_TRUE(net.send_data(net.a(), lan, SA, G));
    EXPECT_EQ(net.delivered(net.b(), net.last_packet()), 1u);
    ASSERT_TRUE(net.send_data(net.b(), lan, SB, G));
    EXPECT_EQ(net.delivered(net.a(), net.last_packet()), 1u);
}

// A also has an ISP upstream: B's listener gets the ISP's stream through A
// (one peering hop), A joins it at the ISP for B, and the peer's data never
// goes up to the ISP.
TEST(Peering, TransitFromAPureUpstreamCrossesOnePeeringHop) {
    peering_net net(true);
    net.run_until(at(10s));
    net.listen(net.b(), G, exc({}));
    EXPECT_EQ(net.a().inst->reported(isp, ip(G)), exc({}));
    EXPECT_TRUE(net.a().inst->reported(peer, ip(G)).empty());
    ASSERT_TRUE(net.send_data(net.a(), isp, "192.0.2.200", G));
    EXPECT_EQ(net.delivered(net.b(), net.last_packet()), 1u);
    // B's local source goes to A's listener, never on to A's ISP.
    net.listen(net.a(), G, exc({}));
    ASSERT_TRUE(net.send_data(net.b(), lan, SB, G));
    EXPECT_EQ(net.delivered(net.a(), net.last_packet()), 1u);
    EXPECT_EQ(net.to_isp(), 0u);
    // A's own local source goes to the ISP (RFC 4605 4.2) and to B.
    ASSERT_TRUE(net.send_data(net.a(), lan, SA, G));
    EXPECT_EQ(net.to_isp(), 1u);
    EXPECT_EQ(net.delivered(net.b(), net.last_packet()), 1u);
}

// The filters of the documented example (doc/peering.md): each side asks
// the peer only for the peer's sources and sends only its own.
TEST(Peering, DocumentedFiltersKeepTheExchangeToLocalSources) {
    auto filters = [](const char* own, const char* theirs) {
        filter_settings f;
        f.upstream[peer].out = whitelist({rule("*", own, lan)});
        f.upstream[peer].in = whitelist({rule("*", theirs)});
        f.downstream[peer].out = whitelist({rule("*", own)});
        return f;
    };
    peering_net net(false, filters("198.51.100.0/24", "203.0.113.0/24"), filters("203.0.113.0/24", "198.51.100.0/24"));
    net.run_until(at(10s));
    net.listen(net.a(), G, exc({}));
    net.listen(net.b(), G, exc({}));
    ASSERT_TRUE(net.send_data(net.a(), lan, SA, G));
    EXPECT_EQ(net.delivered(net.b(), net.last_packet()), 1u);
    ASSERT_TRUE(net.send_data(net.b(), lan, SB, G));
    EXPECT_EQ(net.delivered(net.a(), net.last_packet()), 1u);
    // A source of neither side (say a misconfigured host on B's lan using
    // A's prefix) is not sent to A.
    ASSERT_TRUE(net.send_data(net.b(), lan, "198.51.100.99", G));
    EXPECT_EQ(net.delivered(net.a(), net.last_packet()), 0u);
    EXPECT_EQ(net.reflections(), 0u);
}

// Random listeners, data on both sides and time: no packet ever crosses the
// peering link twice, none comes back, none is delivered twice, and each
// proxy reports on the link exactly what its own lan wants.
TEST(PeeringRandom, NoLoopsNoDuplicatesNoReflection) {
    for (bool with_isp : {false, true}) {
        std::mt19937 rng(with_isp ? 11 : 10);
        peering_net net(with_isp);
        net.run_until(at(5s));
        const std::vector<const char*> groups{"239.7.0.1", "239.7.0.2", "232.7.0.3"};
        const std::vector<const char*> sources{SA, "198.51.100.11", SB, "203.0.113.11"};
        for (int step = 0; step < 1500; ++step) {
            proxy& p = rng() % 2 ? net.a() : net.b();
            const char* g = groups[rng() % groups.size()];
            switch (rng() % 4) {
                case 0: {
                    membership m{rng() % 3 == 0 ? filter_mode::exclude : filter_mode::include, {}};
                    for (const char* s : sources)
                        if (rng() % 2) m.sources.insert(ip(s));
                    if (ip(g).is_ssm() && m.mode == filter_mode::exclude) m = {};
                    net.listen(p, g, m);
                    break;
                }
                case 1: {
                    const char* s = sources[rng() % sources.size()];
                    const bool local_to_a = std::string(s).rfind("198.51.100.", 0) == 0;
                    proxy& origin = local_to_a ? net.a() : net.b();
                    ASSERT_TRUE(net.send_data(origin, lan, s, g)) << "loop at step " << step;
                    ASSERT_LE(net.delivered(net.a(), net.last_packet()), 1u);
                    ASSERT_LE(net.delivered(net.b(), net.last_packet()), 1u);
                    ASSERT_EQ(net.delivered(origin, net.last_packet()), 0u);
                    break;
                }
                case 2:
                    if (with_isp) {
                        ASSERT_TRUE(net.send_data(net.a(), isp, "192.0.2.200", g)) << "loop at step " << step;
                        ASSERT_LE(net.delivered(net.a(), net.last_packet()), 1u);
                        ASSERT_LE(net.delivered(net.b(), net.last_packet()), 1u);
                    }
                    break;
                default: net.run_until(net.now() + duration{static_cast<duration::rep>(rng() % 20'000'000)});
            }
            ASSERT_EQ(net.reflections(), 0u) << "step " << step;
            for (proxy* q : {&net.a(), &net.b()})
                for (const char* grp : groups)
                    ASSERT_EQ(q->inst->reported(peer, ip(grp)), q->inst->downstream(lan)->membership(ip(grp)))
                        << q->name << " step " << step << " " << grp;
        }
    }
}

}  // namespace
}  // namespace mcproxy::core
