// SPDX-License-Identifier: GPL-2.0-or-later
// Receiver statistics: loss, duplicates, reordering, delay, JSON summary.
#include "../../../tester/stream_stats.hpp"

#include <gtest/gtest.h>

using namespace mcproxy::tester;

namespace {
constexpr std::int64_t t0 = 1795640000000000000LL;

// Adds packet `seq` of stream `id`, sent at t0 + seq ms, received `delay_us` later.
void add(receiver_stats& st, std::uint64_t seq, std::int64_t delay_us, std::uint32_t id = 1,
         const std::string& src = "198.51.100.1") {
    const std::int64_t sent = t0 + static_cast<std::int64_t>(seq) * 1000000;
    st.add(payload{id, seq, sent}, src, sent + delay_us * 1000);
}
}  // namespace

TEST(TesterStats, CleanStream) {
    receiver_stats st;
    for (std::uint64_t i = 0; i < 10; ++i) add(st, i, 100);
    EXPECT_EQ(st.received(), 10U);
    EXPECT_EQ(st.unique(), 10U);
    EXPECT_EQ(st.lost(), 0U);
    EXPECT_EQ(st.duplicates(), 0U);
    EXPECT_EQ(st.reordered(), 0U);
    EXPECT_EQ(st.first_seq(), 0U);
    EXPECT_EQ(st.first_recv_ns(), t0 + 100000);
}

TEST(TesterStats, GapsCountAsLossOnlyBetweenFirstAndLast) {
    receiver_stats st;
    // The receiver joined late (first is 5) and 7, 8 are missing.
    for (const std::uint64_t i : {5, 6, 9, 10}) add(st, i, 50);
    EXPECT_EQ(st.first_seq(), 5U);
    EXPECT_EQ(st.lost(), 2U);
    EXPECT_EQ(st.unique(), 4U);
}

TEST(TesterStats, MaxMissingSeqIsTheHighestGap) {
    receiver_stats st;
    EXPECT_EQ(st.max_missing_seq(), std::nullopt);
    // Packets 0-3 held by the kernel, 4 and 5 dropped, then a hole at 8.
    for (const std::uint64_t i : {0, 1, 2, 3, 6, 7, 9}) add(st, i, 50);
    EXPECT_EQ(st.max_missing_seq(), 8U);
    receiver_stats head;
    for (const std::uint64_t i : {0, 1, 2, 3, 6, 7, 8, 9}) add(head, i, 50);
    EXPECT_EQ(head.max_missing_seq(), 5U);
    receiver_stats whole;
    for (const std::uint64_t i : {4, 5, 6}) add(whole, i, 50);
    EXPECT_EQ(whole.max_missing_seq(), std::nullopt);  // nothing missing between 4 and 6
}

TEST(TesterStats, DuplicatesAreNotLossOrReordering) {
    receiver_stats st;
    for (const std::uint64_t i : {0, 1, 1, 2, 2, 2}) add(st, i, 10);
    EXPECT_EQ(st.received(), 6U);
    EXPECT_EQ(st.unique(), 3U);
    EXPECT_EQ(st.duplicates(), 3U);
    EXPECT_EQ(st.reordered(), 0U);
    EXPECT_EQ(st.lost(), 0U);
}

TEST(TesterStats, LateArrivalsAreReordered) {
    receiver_stats st;
    for (const std::uint64_t i : {0, 2, 1, 5, 3, 4}) add(st, i, 10);
    EXPECT_EQ(st.reordered(), 3U);  // 1, 3 and 4 arrive after a higher number
    EXPECT_EQ(st.lost(), 0U);
    EXPECT_EQ(st.duplicates(), 0U);
}

TEST(TesterStats, StreamsAreCountedSeparately) {
    receiver_stats st;
    // Two senders with their own numbering: neither duplicates nor reordering.
    for (std::uint64_t i = 0; i < 5; ++i) {
        add(st, i, 10, 1, "198.51.100.1");
        add(st, i, 10, 2, "198.51.100.2");
    }
    add(st, 7, 10, 2, "198.51.100.2");  // stream 2 loses 5 and 6
    EXPECT_EQ(st.streams().size(), 2U);
    EXPECT_EQ(st.duplicates(), 0U);
    EXPECT_EQ(st.reordered(), 0U);
    EXPECT_EQ(st.lost(), 2U);
    EXPECT_EQ(st.sources().at("198.51.100.1"), 5U);
    EXPECT_EQ(st.sources().at("198.51.100.2"), 6U);
}

TEST(TesterStats, MaxSeqIsTheHighestOverAllStreams) {
    // receive --count N ends once packet N-1 is here, even when the head of
    // the stream was lost: max_seq() tells.
    receiver_stats st;
    EXPECT_EQ(st.max_seq(), std::nullopt);
    EXPECT_EQ(st.min_seq(), std::nullopt);
    for (const std::uint64_t i : {4, 9, 6}) add(st, i, 10, 1);
    add(st, 3, 10, 2, "198.51.100.2");
    EXPECT_EQ(st.max_seq(), 9U);
    // Reordered head: the first packet received (4) is not the lowest.
    EXPECT_EQ(st.first_seq(), 4U);
    EXPECT_EQ(st.min_seq(), 3U);
}

TEST(TesterStats, DelayMinMedianMax) {
    receiver_stats st;
    EXPECT_FALSE(st.delay().has_value());
    add(st, 0, 300);
    add(st, 1, 100);
    add(st, 2, 200);
    auto d = st.delay();
    ASSERT_TRUE(d);
    EXPECT_DOUBLE_EQ(d->min_us, 100);
    EXPECT_DOUBLE_EQ(d->median_us, 200);
    EXPECT_DOUBLE_EQ(d->max_us, 300);
    add(st, 3, 1000);  // even count: mean of the middle two (200, 300)
    d = st.delay();
    EXPECT_DOUBLE_EQ(d->median_us, 250);
    EXPECT_DOUBLE_EQ(d->max_us, 1000);
}

TEST(TesterStats, JsonSummaryHasStableFields) {
    receiver_stats st;
    add(st, 3, 100);
    add(st, 5, 300);
    st.add_foreign();
    const std::string j = summary_json(st, {"veth-d1", "239.1.1.1", 5001, 2.5});
    EXPECT_NE(j.find("\"iface\":\"veth-d1\""), std::string::npos) << j;
    EXPECT_NE(j.find("\"group\":\"239.1.1.1\""), std::string::npos) << j;
    EXPECT_NE(j.find("\"port\":5001"), std::string::npos) << j;
    EXPECT_NE(j.find("\"received\":2"), std::string::npos) << j;
    EXPECT_NE(j.find("\"lost\":1"), std::string::npos) << j;
    EXPECT_NE(j.find("\"foreign\":1"), std::string::npos) << j;
    EXPECT_NE(j.find("\"first_seq\":3"), std::string::npos) << j;
    EXPECT_NE(j.find("\"min_seq\":3,\"max_seq\":5,\"max_missing_seq\":4"), std::string::npos)
        << j;
    EXPECT_NE(j.find("\"first_packet_time\":1795640000.003100"), std::string::npos) << j;
    EXPECT_NE(j.find("\"delay_us\":{\"min\":100.0,\"median\":200.0,\"max\":300.0}"),
              std::string::npos)
        << j;
    EXPECT_NE(j.find("\"sources\":{\"198.51.100.1\":2}"), std::string::npos) << j;
    EXPECT_EQ(j.front(), '{');
    EXPECT_EQ(j.back(), '}');
    EXPECT_EQ(j.find('\n'), std::string::npos);
}

TEST(TesterStats, JsonSummaryOfNothingUsesNull) {
    const std::string j = summary_json(receiver_stats{}, {"eth0", "ff05::1", 5001, 1});
    EXPECT_NE(j.find("\"first_seq\":null"), std::string::npos) << j;
    EXPECT_NE(j.find("\"min_seq\":null,\"max_seq\":null,\"max_missing_seq\":null"),
              std::string::npos)
        << j;
    EXPECT_NE(j.find("\"delay_us\":null"), std::string::npos) << j;
    EXPECT_NE(j.find("\"sources\":{}"), std::string::npos) << j;
}

TEST(TesterStats, JsonStringEscapes) {
    EXPECT_EQ(json_string("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
}
