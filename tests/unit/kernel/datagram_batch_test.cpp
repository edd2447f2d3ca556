// SPDX-License-Identifier: GPL-2.0-or-later
// recvmmsg batches on a datagram socket pair (no privileges needed).
#include "mcproxy/kernel/datagram_batch.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>

using mcproxy::kernel::datagram_batch;

namespace {

struct pair_fds {
    int fd[2] = {-1, -1};
    pair_fds() { EXPECT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fd), 0); }
    ~pair_fds() {
        for (int f : fd)
            if (f >= 0) ::close(f);
    }
    void send(std::uint8_t tag, std::size_t size) const {
        std::vector<std::uint8_t> d(size, tag);
        ASSERT_EQ(::send(fd[0], d.data(), d.size(), 0), static_cast<ssize_t>(size));
    }
};

TEST(DatagramBatch, ReadsAtMostItsSlotsPerCallInOrder) {
    pair_fds p;
    for (std::uint8_t i = 0; i < 20; ++i) p.send(i, 10u + i);
    datagram_batch b(16, 256, 0);
    auto n = b.read(p.fd[1], 100);
    ASSERT_TRUE(n) << n.message();
    ASSERT_EQ(n.value(), 16u);
    for (std::size_t i = 0; i < 16; ++i) {
        ASSERT_EQ(b.bytes(i).size(), 10u + i);
        EXPECT_EQ(b.bytes(i)[0], i);
        EXPECT_FALSE(b.truncated(i));
    }
    n = b.read(p.fd[1], 100);
    ASSERT_TRUE(n);
    ASSERT_EQ(n.value(), 4u);  // a short batch: the queue is empty now
    EXPECT_EQ(b.bytes(3)[0], 19);
    n = b.read(p.fd[1], 100);
    ASSERT_TRUE(n);
    EXPECT_EQ(n.value(), 0u);
}

TEST(DatagramBatch, MaxBoundsTheRead) {
    pair_fds p;
    for (std::uint8_t i = 0; i < 5; ++i) p.send(i, 4);
    datagram_batch b(16, 64, 0);
    auto n = b.read(p.fd[1], 3);
    ASSERT_TRUE(n);
    EXPECT_EQ(n.value(), 3u);
    n = b.read(p.fd[1], 0);
    ASSERT_TRUE(n);
    EXPECT_EQ(n.value(), 0u);
    n = b.read(p.fd[1], 16);
    ASSERT_TRUE(n);
    ASSERT_EQ(n.value(), 2u);
    EXPECT_EQ(b.bytes(0)[0], 3);
}

TEST(DatagramBatch, LongDatagramIsMarkedTruncated) {
    pair_fds p;
    p.send(7, 100);
    p.send(8, 8);
    datagram_batch b(4, 8, 0);
    auto n = b.read(p.fd[1], 4);
    ASSERT_TRUE(n);
    ASSERT_EQ(n.value(), 2u);
    EXPECT_TRUE(b.truncated(0));
    EXPECT_EQ(b.bytes(0).size(), 8u);
    EXPECT_FALSE(b.truncated(1));
    EXPECT_EQ(b.bytes(1).size(), 8u);
}

TEST(DatagramBatch, BadDescriptorIsAnError) {
    datagram_batch b(2, 16, 0);
    auto n = b.read(-1, 2);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.code(), std::error_code(EBADF, std::system_category()));
    EXPECT_NE(n.message().find("recvmmsg"), std::string::npos) << n.message();
}

}  // namespace
