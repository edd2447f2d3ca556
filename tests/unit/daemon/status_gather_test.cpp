// SPDX-License-Identifier: GPL-2.0-or-later
// Fan-in of snapshots from several threads into one reply.
#include "mcproxy/daemon/status_gather.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "daemon/json_test_util.hpp"

namespace mcproxy::daemon {
namespace {

instance_status named(const std::string& n) {
    instance_status s;
    s.name = n;
    return s;
}

control_request show(status_view v, bool json) {
    control_request r;
    r.command = command_kind::show;
    r.view = v;
    r.json = json;
    return r;
}

TEST(StatusGather, AnswersOnceAllInstancesDeliveredInInstanceOrder) {
    std::vector<control_reply> replies;
    auto g = status_gather::create(show(status_view::interfaces, true), 3,
                                   [&](control_reply r) { replies.push_back(std::move(r)); });
    g->deliver(2, named("c"));
    g->deliver(0, named("a"));
    EXPECT_TRUE(replies.empty());
    g->deliver(0, named("again"));  // repeat: ignored
    g->deliver(7, named("x"));      // out of range: ignored
    EXPECT_TRUE(replies.empty());
    g->deliver(1, named("b"));
    ASSERT_EQ(replies.size(), 1u);
    const auto v = json_test::parse(replies[0].body);
    ASSERT_EQ(v["instances"].arr().size(), 3u);
    EXPECT_EQ(v["instances"][0]["name"].str(), "a");
    EXPECT_EQ(v["instances"][1]["name"].str(), "b");
    EXPECT_EQ(v["instances"][2]["name"].str(), "c");
    g->deliver(1, named("late"));
    EXPECT_EQ(replies.size(), 1u);
}

TEST(StatusGather, NoInstancesAnswersAtOnce) {
    std::vector<control_reply> replies;
    status_gather::create(show(status_view::status, false), 0, [&](control_reply r) { replies.push_back(r); });
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].body, "no instances\n");
}

TEST(StatusGather, DeliveriesFromManyThreads) {
    std::atomic<int> calls{0};
    std::string body;
    constexpr std::size_t n = 16;
    auto g = status_gather::create(show(status_view::stats, false), n, [&](control_reply r) {
        ++calls;
        body = r.body;
    });
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < n; ++i)
        threads.emplace_back([g, i] { g->deliver(i, named("i" + std::to_string(i))); });
    for (auto& t : threads) t.join();
    EXPECT_EQ(calls.load(), 1);
    for (std::size_t i = 0; i < n; ++i)
        EXPECT_NE(body.find("instance i" + std::to_string(i) + ":"), std::string::npos) << i;
}

}  // namespace
}  // namespace mcproxy::daemon
