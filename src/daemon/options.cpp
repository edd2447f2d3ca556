// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/options.hpp"

#include <string_view>

namespace mcproxy::daemon {

namespace {

/// Flags without an argument: the short letter and the long name share a setter.
struct flag {
    char short_name;
    std::string_view long_name;
    void (*set)(options&);
};

constexpr flag flags[] = {
    {'h', "help", [](options& o) { o.help = true; }},
    {'c', "check-kernel", [](options& o) { o.check_kernel = true; }},
    {'t', "test-config", [](options& o) { o.test_config = true; }},
    {'r', "reset-rp-filter", [](options& o) { o.reset_rp_filter = true; }},
    {'d', "debug", [](options& o) { o.debug = true; }},
    {'s', "status", [](options& o) { o.print_status = true; }},
    {'v', "verbose", [](options& o) { ++o.verbosity; }},
    {'\0', "version", [](options& o) { o.version = true; }},
};

const flag* find_short(char c) {
    for (const auto& f : flags)
        if (f.short_name == c && c != '\0') return &f;
    return nullptr;
}

const flag* find_long(std::string_view name) {
    for (const auto& f : flags)
        if (f.long_name == name) return &f;
    return nullptr;
}

}  // namespace

std::variant<options, usage_error> parse_command_line(const std::vector<std::string>& args) {
    options o;
    auto set_config = [&o](std::string path, const char* opt) -> std::optional<usage_error> {
        if (path.empty()) return usage_error{std::string("option '") + opt + "' needs a file name"};
        o.config_path = std::move(path);
        o.config_given = true;
        return std::nullopt;
    };
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg.size() > 2 && arg.starts_with("--")) {
            std::string_view name(arg);
            name.remove_prefix(2);
            std::optional<std::string> value;
            if (auto eq = name.find('='); eq != std::string_view::npos) {
                value = std::string(name.substr(eq + 1));
                name = name.substr(0, eq);
            }
            if (name == "config") {
                if (!value) {
                    if (i + 1 >= args.size()) return usage_error{"option '--config' needs a file name"};
                    value = args[++i];
                }
                if (auto e = set_config(*value, "--config")) return *e;
                continue;
            }
            const flag* f = find_long(name);
            if (!f) return usage_error{"unknown option '--" + std::string(name) + "'"};
            if (value) return usage_error{"option '--" + std::string(name) + "' takes no value"};
            f->set(o);
            continue;
        }
        if (arg.size() >= 2 && arg[0] == '-' && arg != "--") {
            // Short options can be grouped (-dsvv); -f takes the rest or the next word.
            for (std::size_t k = 1; k < arg.size(); ++k) {
                const char c = arg[k];
                if (c == 'f') {
                    std::string path = arg.substr(k + 1);
                    if (path.empty()) {
                        if (i + 1 >= args.size()) return usage_error{"option '-f' needs a file name"};
                        path = args[++i];
                    }
                    if (auto e = set_config(path, "-f")) return *e;
                    break;
                }
                const flag* f = find_short(c);
                if (!f) return usage_error{std::string("unknown option '-") + c + "'"};
                f->set(o);
            }
            continue;
        }
        return usage_error{"unexpected argument '" + arg + "'"};
    }
    if (o.verbosity > 2) o.verbosity = 2;
    return o;
}

std::string help_text(const std::string& program) {
    return "Usage: " + program + " [-h] [-c] [-t] [-r] [-d] [-s] [-v [-v]] [-f FILE]\n"
           "IGMP/MLD proxy daemon (RFC 4605): querier on downstream interfaces, host on\n"
           "upstream interfaces, forwarding through the kernel's multicast routing tables.\n"
           "\n"
           "  -h, --help             print this help and exit\n"
           "      --version          print the version and exit\n"
           "  -f, --config FILE      configuration file (default " +
           std::string(default_config_path) +
           ")\n"
           "  -t, --test-config      check the configuration file, print a summary, exit\n"
           "  -c, --check-kernel     check the kernel features mcproxy needs and exit\n"
           "  -r, --reset-rp-filter  turn off reverse-path filtering on the instances'\n"
           "                         interfaces (restored at exit)\n"
           "  -d, --debug            log debug messages\n"
           "  -s, --status           print every instance's state periodically\n"
           "  -v, --verbose          more detail in debug messages (twice for more)\n"
           "\n"
           "Exit status: 0 success, 1 error, 2 bad command line.\n";
}

}  // namespace mcproxy::daemon
