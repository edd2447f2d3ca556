// SPDX-License-Identifier: GPL-2.0-or-later
// The command line dispatch: help, version, kernel check, config test, run.
#include "mcproxy/daemon/main.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "mcproxy/daemon/daemon.hpp"
#include "mcproxy/daemon/log.hpp"
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
    if (opt.check_kernel) return check_kernel();
    if (opt.test_config) return test_config(opt);
    logger log;
    // Debug output goes where the user is looking (a terminal, or nohup.out);
    // a quiet daemon without a terminal logs to syslog.
    const bool chatty = opt.debug || opt.verbosity > 0 || opt.print_status;
    log.configure(level_for(opt.debug, opt.verbosity), chatty ? log_target::stderr_stream : log_target::auto_detect);
    return run_daemon(opt, log);
}

}  // namespace mcproxy::daemon
