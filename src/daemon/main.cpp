// SPDX-License-Identifier: GPL-2.0-or-later
// Placeholder until the command line lands (issue 2): prints the version.
#include "mcproxy/daemon/main.hpp"

#include <cstdio>

namespace mcproxy::daemon {

int run_main(int, char**) {
    std::printf("mcproxy %s\n", MCPROXY_VERSION);
    return 0;
}

}  // namespace mcproxy::daemon
