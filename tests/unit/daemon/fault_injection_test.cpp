// SPDX-License-Identifier: GPL-2.0-or-later
// The test hook that makes an instance's loop fail (fault_injection.hpp):
// nothing without the variable, once per process for loop-throw, at every
// start for loop-throw-always, and only for the instance it names.
#include "mcproxy/daemon/fault_injection.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace mcproxy::daemon {
namespace {

struct FaultInjection : ::testing::Test {
    void TearDown() override { unsetenv(fault_variable); }
};

TEST_F(FaultInjection, NothingWithoutTheVariable) {
    unsetenv(fault_variable);
    EXPECT_FALSE(take_loop_fault("proxy"));
}

TEST_F(FaultInjection, AlwaysFiresAtEveryStartOfTheNamedInstanceOnly) {
    setenv(fault_variable, "loop-throw-always:proxy", 1);
    EXPECT_TRUE(take_loop_fault("proxy"));
    EXPECT_TRUE(take_loop_fault("proxy"));
    EXPECT_FALSE(take_loop_fault("proxy2"));
    EXPECT_FALSE(take_loop_fault("prox"));
}

TEST_F(FaultInjection, OnceFiresOncePerProcess) {
    setenv(fault_variable, "loop-throw:iptv", 1);
    EXPECT_FALSE(take_loop_fault("other"));
    EXPECT_TRUE(take_loop_fault("iptv"));
    EXPECT_FALSE(take_loop_fault("iptv"));
}

TEST_F(FaultInjection, AnUnknownSpecDoesNothing) {
    setenv(fault_variable, "crash:proxy", 1);
    EXPECT_FALSE(take_loop_fault("proxy"));
}

}  // namespace
}  // namespace mcproxy::daemon
