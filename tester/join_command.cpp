// SPDX-License-Identifier: GPL-2.0-or-later
// `mcproxy-tester join`: a host joining through its own kernel stack.
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdio>

#include "commands.hpp"
#include "membership.hpp"
#include "socket_util.hpp"

namespace mcproxy::tester {

int run_join(const tester_options& o) {
    const unsigned ifindex = interface_index(o.iface);
    unique_fd fd(::socket(o.group.is_v4() ? AF_INET : AF_INET6, SOCK_DGRAM, 0));
    if (!fd) throw tester_error{errno_text("creating socket")};
    install_stop_signals();
    membership m(fd.get(), ifindex, o.group, o.sources, o.exclude);
    std::printf("joined %s on %s (%s)\n", o.group.to_string().c_str(), o.iface.c_str(),
                m.describe().c_str());
    std::fflush(stdout);

    // Hold until a signal or the duration ends; "until killed" is still
    // bounded by max_duration_s.
    const double limit = o.duration_s > 0 ? o.duration_s : max_duration_s;
    const std::int64_t deadline = monotonic_ns() + static_cast<std::int64_t>(limit * 1e9);
    while (!stop_requested()) {
        const std::int64_t left_ms = (deadline - monotonic_ns()) / 1000000;
        if (left_ms <= 0) break;
        ::poll(nullptr, 0, static_cast<int>(std::min<std::int64_t>(left_ms, 1000)));
    }
    if (const std::string err = m.leave(); !err.empty()) {
        std::fprintf(stderr, "mcproxy-tester: %s\n", err.c_str());
        return 1;
    }
    std::printf("left %s on %s\n", o.group.to_string().c_str(), o.iface.c_str());
    return 0;
}

}  // namespace mcproxy::tester
