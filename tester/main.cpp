// SPDX-License-Identifier: GPL-2.0-or-later
// mcproxy-tester: join groups, send and receive test streams.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.hpp"
#include "options.hpp"
#include "socket_util.hpp"

int main(int argc, char** argv) {
    using namespace mcproxy::tester;
    const std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
    if (args.size() == 1 && args[0] == "--version") {
        std::printf("mcproxy-tester %s\n", MCPROXY_VERSION);
        return 0;
    }
    const parse_result parsed = parse_arguments(args);
    if (std::holds_alternative<help_request>(parsed)) {
        std::fputs(help_text().c_str(), stdout);
        return 0;
    }
    if (const auto* err = std::get_if<usage_error>(&parsed)) {
        std::fprintf(stderr, "mcproxy-tester: %s (try 'mcproxy-tester --help')\n",
                     err->message.c_str());
        return 2;
    }
    const tester_options& o = std::get<tester_options>(parsed);
    try {
        switch (o.cmd) {
            case command::join: return run_join(o);
            case command::send: return run_send(o);
            case command::receive: return run_receive(o);
        }
    } catch (const tester_error& e) {
        std::fprintf(stderr, "mcproxy-tester: %s\n", e.message.c_str());
        return 1;
    }
    return 1;
}
