// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/fault_injection.hpp"

#include <atomic>
#include <cstdlib>

namespace mcproxy::daemon {

bool take_loop_fault(const std::string& name) {
    static std::atomic<bool> once_taken{false};
    const char* value = std::getenv(fault_variable);
    if (value == nullptr) return false;
    const std::string spec = value;
    if (spec == "loop-throw-always:" + name) return true;
    if (spec == "loop-throw:" + name) return !once_taken.exchange(true);
    return false;
}

}  // namespace mcproxy::daemon
