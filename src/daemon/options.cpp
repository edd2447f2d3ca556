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
    {'\0', "keep-root", [](options& o) { o.keep_root = true; }},
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
    // Options with a value: -f/--config FILE, -U/--user USER.
    auto set_value = [&o](char short_name, std::string value, const std::string& opt) -> std::optional<usage_error> {
        const char* what = short_name == 'U' ? "a user name" : "a file name";
        if (value.empty()) return usage_error{"option '" + opt + "' needs " + what};
        if (short_name == 'f') {
            o.config_path = std::move(value);
            o.config_given = true;
        } else if (short_name == 'u') {
            o.control_socket = std::move(value);
        } else {
            o.user = std::move(value);
        }
        return std::nullopt;
    };
    auto valued_long = [](std::string_view name) -> char {
        if (name == "config") return 'f';
        if (name == "user") return 'U';
        if (name == "control-socket") return 'u';
        return '\0';
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
            const std::string opt = "--" + std::string(name);
            if (const char v = valued_long(name)) {
                if (!value) {
                    if (i + 1 >= args.size())
                        return usage_error{"option '" + opt + "' needs " + (v == 'U' ? "a user name" : "a file name")};
                    value = args[++i];
                }
                if (auto e = set_value(v, *value, opt)) return *e;
                continue;
            }
            const flag* f = find_long(name);
            if (!f) return usage_error{"unknown option '" + opt + "'"};
            if (value) return usage_error{"option '" + opt + "' takes no value"};
            f->set(o);
            continue;
        }
        if (arg.size() >= 2 && arg[0] == '-' && arg != "--") {
            // Short options can be grouped (-dsvv); -f, -u and -U take the rest or the next word.
            for (std::size_t k = 1; k < arg.size(); ++k) {
                const char c = arg[k];
                if (c == 'f' || c == 'u' || c == 'U') {
                    std::string value = arg.substr(k + 1);
                    const std::string opt = std::string("-") + c;
                    if (value.empty()) {
                        if (i + 1 >= args.size())
                            return usage_error{"option '" + opt + "' needs " + (c == 'U' ? "a user name" : "a file name")};
                        value = args[++i];
                    }
                    if (auto e = set_value(c, value, opt)) return *e;
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
    if (o.keep_root && o.user) return usage_error{"options '--keep-root' and '--user' exclude each other"};
    return o;
}

std::string help_text(const std::string& program) {
    return "Usage: " + program + " [-h] [-c] [-t] [-r] [-d] [-s] [-v [-v]] [-f FILE] [-u SOCKET] [-U USER | --keep-root]\n"
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
           "  -u, --control-socket PATH\n"
           "                         control socket for mcproxyctl (default " +
           std::string(default_control_socket) +
           ")\n"
           "  -U, --user USER        run as USER once the sockets are open, keeping only\n"
           "                         CAP_NET_ADMIN and CAP_NET_RAW (default: mcproxy if\n"
           "                         that user exists, else nobody)\n"
           "      --keep-root        stay root (not recommended)\n"
           "\n"
           "Exit status: 0 success, 1 error, 2 bad command line.\n";
}

}  // namespace mcproxy::daemon
