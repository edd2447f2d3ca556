// SPDX-License-Identifier: GPL-2.0-or-later
// mcproxyctl: command line, one exchange over the control socket, output.
#include "mcproxy/daemon/control_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace mcproxy::daemon {

namespace {

using clock = std::chrono::steady_clock;

std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 3600) return std::nullopt;
    return std::chrono::milliseconds(std::chrono::seconds(value));
}

/// Closes the descriptor at scope exit.
struct fd_guard {
    int fd;
    ~fd_guard() {
        if (fd >= 0) ::close(fd);
    }
};

int remaining_ms(clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(left);
}

/// Waits for `events` on fd until the deadline; false on timeout or error.
bool wait_for(int fd, short events, clock::time_point deadline) {
    // Bounded: each pass either returns or sleeps until the deadline nears.
    for (int tries = 0; tries < 1000; ++tries) {
        pollfd p{fd, events, 0};
        const int rc = ::poll(&p, 1, remaining_ms(deadline));
        if (rc > 0) return true;
        if (rc == 0) return false;
        if (errno != EINTR) return false;
    }
    return false;
}

std::string hint_for(int err) {
    if (err == EACCES || err == EPERM) return " (run it as root or as a member of the socket's group)";
    return " (is mcproxy running?)";
}

}  // namespace

std::variant<ctl_options, usage_error> parse_ctl_command_line(const std::vector<std::string>& args) {
    ctl_options o;
    std::vector<std::string> words;
    bool json = false;
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        // An option's value is in the same word (-uPATH, --socket=PATH) or the next word.
        auto value_for = [&](std::string_view short_opt, std::string_view long_opt,
                             std::string& name) -> std::optional<std::optional<std::string>> {
            const std::string long_eq = std::string(long_opt) + "=";
            if (arg.starts_with(long_eq)) {
                name = long_opt;
                return std::optional<std::string>(arg.substr(long_eq.size()));
            }
            if (arg == long_opt || arg.starts_with(short_opt)) {
                name = arg == long_opt ? long_opt : short_opt;
                if (arg.size() > name.size()) return std::optional<std::string>(arg.substr(name.size()));
                if (i + 1 >= args.size()) return std::optional<std::string>();
                return std::optional<std::string>(args[++i]);
            }
            return std::nullopt;  // not this option
        };
        std::string name;
        if (arg == "-h" || arg == "--help") {
            o.help = true;
        } else if (arg == "--version") {
            o.version = true;
        } else if (arg == "--json") {
            json = true;
        } else if (auto socket = value_for("-u", "--socket", name)) {
            if (!*socket || (*socket)->empty()) return usage_error{"option '" + name + "' needs a socket path"};
            o.socket_path = **socket;
        } else if (auto secs = value_for("-t", "--timeout", name)) {
            if (!*secs) return usage_error{"option '" + name + "' needs a number of seconds"};
            auto t = parse_seconds(**secs);
            if (!t) return usage_error{"timeout '" + **secs + "' is not a number of seconds from 1 to 3600"};
            o.timeout = *t;
        } else if (arg.size() > 1 && arg[0] == '-') {
            return usage_error{"unknown option '" + arg + "'"};
        } else {
            words.push_back(arg);
        }
    }
    if (o.help || o.version) return o;
    if (words.empty()) return usage_error{"no command given"};
    if (words[0] == "help" && words.size() == 1) {
        o.help = true;
        return o;
    }
    std::string line;
    for (const auto& w : words) line += (line.empty() ? "" : " ") + w;
    if (json) line += " --json";
    const auto parsed = parse_request(line);
    if (const auto* err = std::get_if<std::string>(&parsed)) return usage_error{*err};
    o.request = std::get<control_request>(parsed);
    return o;
}

std::string ctl_help_text() {
    return "usage: mcproxyctl [-u PATH] [-t SECONDS] [--json] COMMAND\n"
           "\n"
           "Commands:\n"
           "  show status      interfaces, groups with sources, routes and counter totals\n"
           "  show interfaces  interfaces with role, state, address and querier role\n"
           "  show groups      groups per interface, tracked hosts, upstream reports\n"
           "  show sources     source records with timers\n"
           "  show routes      kernel routes with packet and byte counters\n"
           "  show stats       messages received and sent, drops, upcalls, route changes\n"
           "  reload           re-read the configuration (like SIGHUP)\n"
           "  version          the daemon's version\n"
           "\n"
           "Options:\n"
           "  -u, --socket PATH    control socket (default " +
           std::string(default_control_socket) +
           ")\n"
           "  -t, --timeout SECS   wait at most this long for the daemon (default 15)\n"
           "      --json           machine-readable output (show, version)\n"
           "  -h, --help           this help\n"
           "      --version        mcproxyctl's own version\n"
           "\n"
           "Exit status: 0 ok, 1 the daemon reported an error, 2 usage error,\n"
           "3 the daemon could not be reached.\n";
}

std::variant<control_reply, exchange_failure> exchange(const std::string& path, const std::string& request_line,
                                                       std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof addr.sun_path)
        return exchange_failure{false, ENAMETOOLONG, "cannot connect to " + path + ": invalid socket path"};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);

    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        const int err = errno;  // before building the message, which allocates
        return exchange_failure{false, err, std::string("cannot create a socket: ") + std::strerror(err)};
    }
    fd_guard guard{fd};
    // A full listen backlog makes a non-blocking UNIX connect() fail with
    // EAGAIN: try again until the deadline instead of giving up at once.
    for (;;) {
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) break;
        const int err = errno;
        if ((err == EAGAIN || err == EINTR) && remaining_ms(deadline) > 0) {
            ::poll(nullptr, 0, std::min(20, remaining_ms(deadline)));
            continue;
        }
        if (err == EAGAIN)
            return exchange_failure{false, err, "cannot connect to " + path + ": the daemon does not accept" +
                                                    hint_for(err)};
        return exchange_failure{false, err, "cannot connect to " + path + ": " + std::strerror(err) + hint_for(err)};
    }

    const std::string out = request_line + "\n";
    std::size_t sent = 0;
    // Bounded by the deadline: each pass sends something or waits.
    while (sent < out.size()) {
        const auto n = ::send(fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        const int err = errno;  // before wait_for() or the message can change it
        if (n < 0 && (err == EAGAIN || err == EINTR)) {
            if (!wait_for(fd, POLLOUT, deadline))
                return exchange_failure{true, ETIMEDOUT, "timed out sending to " + path};
            continue;
        }
        // The daemon may have refused us (too many clients, permission)
        // and closed: its error reply can still be read.
        if (n < 0 && (err == EPIPE || err == ECONNRESET)) break;
        return exchange_failure{true, err, "lost the connection to " + path + ": " + std::strerror(err)};
    }

    reply_decoder decoder;
    std::array<char, 16384> buf{};
    for (;;) {
        const auto n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n > 0) {
            const auto st = decoder.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
            if (st == reply_decoder::state::done) return decoder.reply();
            if (st == reply_decoder::state::bad)
                return exchange_failure{true, 0, "garbled reply from " + path + ": " + decoder.error()};
            continue;
        }
        if (n == 0) return exchange_failure{true, 0, "the daemon closed the connection on " + path + " without a reply"};
        const int err = errno;  // before wait_for() or the message can change it
        if (err == EAGAIN || err == EINTR) {
            if (!wait_for(fd, POLLIN, deadline))
                return exchange_failure{true, ETIMEDOUT, "no reply from the daemon on " + path + " in time"};
            continue;
        }
        return exchange_failure{true, err, "lost the connection to " + path + ": " + std::strerror(err)};
    }
}

int ctl_main(int argc, char** argv) {
    const std::vector<std::string> args(argv, argv + argc);
    const auto parsed = parse_ctl_command_line(args);
    if (const auto* err = std::get_if<usage_error>(&parsed)) {
        std::fprintf(stderr, "mcproxyctl: %s (try 'mcproxyctl --help')\n", err->message.c_str());
        return ctl_usage_error;
    }
    const ctl_options& o = std::get<ctl_options>(parsed);
    if (o.help) {
        std::fputs(ctl_help_text().c_str(), stdout);
        return ctl_ok;
    }
    if (o.version) {
        std::printf("mcproxyctl %s\n", MCPROXY_VERSION);
        return ctl_ok;
    }
    const auto result = exchange(o.socket_path, o.request.to_line(), o.timeout);
    if (const auto* f = std::get_if<exchange_failure>(&result)) {
        std::fprintf(stderr, "mcproxyctl: %s\n", f->message.c_str());
        return ctl_no_connection;
    }
    const control_reply& r = std::get<control_reply>(result);
    if (!r.ok) {
        std::string msg = r.body;
        while (!msg.empty() && msg.back() == '\n') msg.pop_back();
        std::fprintf(stderr, "mcproxyctl: %s\n", msg.c_str());
        return ctl_daemon_error;
    }
    if (std::fwrite(r.body.data(), 1, r.body.size(), stdout) != r.body.size() || std::fflush(stdout) != 0) {
        std::fprintf(stderr, "mcproxyctl: cannot write the output: %s\n", std::strerror(errno));
        return ctl_daemon_error;
    }
    return ctl_ok;
}

}  // namespace mcproxy::daemon
