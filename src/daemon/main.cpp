// SPDX-License-Identifier: GPL-2.0-or-later
// The command line dispatch: help, version, kernel check, config test, run.
#include "mcproxy/daemon/main.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "mcproxy/daemon/options.hpp"

namespace mcproxy::daemon {

int run_main(int argc, char** argv) {
    const std::vector<std::string> args(argv, argv + argc);
    const auto parsed = parse_command_line(args);
    if (const auto* err = std::get_if<usage_error>(&parsed)) {
        std::fprintf(stderr, "mcproxy: %s (try 'mcproxy --help')\n", err->message.c_str());
        return 2;
    }
    const options& opt = std::get<options>(parsed);
    if (opt.help) {
        std::fputs(help_text("mcproxy").c_str(), stdout);
        return 0;
    }
    if (opt.version) {
        std::printf("mcproxy %s\n", MCPROXY_VERSION);
        return 0;
    }
    std::fprintf(stderr, "mcproxy: this build cannot run the daemon yet\n");
    return 1;
}

}  // namespace mcproxy::daemon
