// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mcproxy/kernel/receive_buffer.hpp"

using namespace mcproxy;

TEST(ReceiveBuffer, GrantsTheRequestAboveRmemMaxWithNetAdmin) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    auto r = kernel::set_receive_buffer(fd, kernel::report_receive_buffer);
    ASSERT_TRUE(r.ok()) << r.message();
    if (::geteuid() == 0) {
        // The kernel doubles the value it was given for its bookkeeping.
        EXPECT_GE(r.value(), kernel::report_receive_buffer);
    } else {
        EXPECT_GT(r.value(), 0);
    }
    ::close(fd);
}

TEST(ReceiveBuffer, BadDescriptorIsAnError) {
    auto r = kernel::set_receive_buffer(-1, 4096);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.code(), std::errc::bad_file_descriptor);
}
