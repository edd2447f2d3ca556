// SPDX-License-Identifier: GPL-2.0-or-later
// mcproxyctl: its command line, and the built binary against a real
// control server (output, exit codes, messages).
#include <gtest/gtest.h>

#include <mutex>

#include "daemon/control_fixture.hpp"
#include "mcproxy/daemon/control_client.hpp"
#include "temp_dir.hpp"

namespace mcproxy::daemon {
namespace {

using namespace test;

ctl_options ok(std::vector<std::string> args) {
    args.insert(args.begin(), "mcproxyctl");
    auto r = parse_ctl_command_line(args);
    EXPECT_TRUE(std::holds_alternative<ctl_options>(r)) << std::get<usage_error>(r).message;
    return std::holds_alternative<ctl_options>(r) ? std::get<ctl_options>(r) : ctl_options{};
}

std::string fails(std::vector<std::string> args) {
    args.insert(args.begin(), "mcproxyctl");
    auto r = parse_ctl_command_line(args);
    EXPECT_TRUE(std::holds_alternative<usage_error>(r));
    return std::holds_alternative<usage_error>(r) ? std::get<usage_error>(r).message : "";
}

TEST(CtlCommandLine, CommandsBecomeRequests) {
    EXPECT_EQ(ok({"show", "status"}).request.to_line(), "show status");
    EXPECT_EQ(ok({"show", "groups", "--json"}).request.to_line(), "show groups --json");
    EXPECT_EQ(ok({"--json", "show", "routes"}).request.to_line(), "show routes --json");
    EXPECT_EQ(ok({"reload"}).request.to_line(), "reload");
    EXPECT_EQ(ok({"version"}).request.to_line(), "version");
    EXPECT_EQ(ok({"version", "--json"}).request.to_line(), "version --json");
    EXPECT_EQ(ok({"show", "status"}).socket_path, "/run/mcproxy.sock");
    EXPECT_EQ(ok({"show", "status"}).timeout, std::chrono::seconds(15));
}

TEST(CtlCommandLine, SocketAndTimeoutForms) {
    EXPECT_EQ(ok({"-u", "/tmp/a.sock", "show", "stats"}).socket_path, "/tmp/a.sock");
    EXPECT_EQ(ok({"-u/tmp/b.sock", "show", "stats"}).socket_path, "/tmp/b.sock");
    EXPECT_EQ(ok({"--socket", "/tmp/c.sock", "show", "stats"}).socket_path, "/tmp/c.sock");
    EXPECT_EQ(ok({"--socket=/tmp/d.sock", "show", "stats"}).socket_path, "/tmp/d.sock");
    EXPECT_EQ(ok({"show", "stats", "-u", "/tmp/e.sock"}).socket_path, "/tmp/e.sock");
    EXPECT_EQ(ok({"-t", "3", "reload"}).timeout, std::chrono::seconds(3));
    EXPECT_EQ(ok({"--timeout=60", "reload"}).timeout, std::chrono::seconds(60));
}

TEST(CtlCommandLine, HelpAndVersion) {
    EXPECT_TRUE(ok({"-h"}).help);
    EXPECT_TRUE(ok({"--help"}).help);
    EXPECT_TRUE(ok({"help"}).help);
    EXPECT_TRUE(ok({"--version"}).version);
    EXPECT_TRUE(ok({"--version", "bogus"}).version);  // like --help: wins over the rest
}

TEST(CtlCommandLine, UsageErrors) {
    EXPECT_EQ(fails({}), "no command given");
    EXPECT_EQ(fails({"-u"}), "option '-u' needs a socket path");
    EXPECT_EQ(fails({"--socket"}), "option '--socket' needs a socket path");
    EXPECT_EQ(fails({"--socket=", "show", "status"}), "option '--socket' needs a socket path");
    EXPECT_EQ(fails({"-t", "0", "reload"}), "timeout '0' is not a number of seconds from 1 to 3600");
    EXPECT_EQ(fails({"-t", "x", "reload"}), "timeout 'x' is not a number of seconds from 1 to 3600");
    EXPECT_EQ(fails({"-t"}), "option '-t' needs a number of seconds");
    EXPECT_EQ(fails({"-x", "show", "status"}), "unknown option '-x'");
    EXPECT_EQ(fails({"--frob"}), "unknown option '--frob'");
    EXPECT_NE(fails({"show"}).find("needs what to show"), std::string::npos);
    EXPECT_NE(fails({"show", "bogus"}).find("cannot show 'bogus'"), std::string::npos);
    EXPECT_NE(fails({"frob"}).find("unknown request 'frob'"), std::string::npos);
    EXPECT_NE(fails({"reload", "--json"}).find("no --json output"), std::string::npos);
    EXPECT_NE(fails({"show", "status", "extra"}).find("unexpected argument 'extra'"), std::string::npos);
    // A newline inside a word cannot smuggle a second request.
    EXPECT_NE(fails({"show", "status\nreload"}).find("non-printable"), std::string::npos);
}

TEST(CtlHelp, NamesEveryCommandAndOption) {
    const auto h = ctl_help_text();
    for (const char* w : {"show status", "show interfaces", "show groups", "show sources", "show routes", "show stats",
                          "reload", "version", "-u, --socket", "--json", "-h, --help", "--version", "-t, --timeout",
                          "/run/mcproxy.sock"})
        EXPECT_NE(h.find(w), std::string::npos) << w;
}

TEST(Exchange, NoDaemonIsAConnectFailureNamingThePath) {
    const auto r = exchange("/tmp/mcproxy-no-such-dir-xyz/mcproxy.sock", "version", std::chrono::seconds(2));
    ASSERT_TRUE(std::holds_alternative<exchange_failure>(r));
    const auto& f = std::get<exchange_failure>(r);
    EXPECT_FALSE(f.connected);
    EXPECT_EQ(f.err, ENOENT);
    EXPECT_NE(f.message.find("/tmp/mcproxy-no-such-dir-xyz/mcproxy.sock"), std::string::npos);
    EXPECT_NE(f.message.find("is mcproxy running?"), std::string::npos);
}

TEST(Exchange, ListenerThatNeverAcceptsTimesOut) {
    auto tmpl = mcproxy_test::temp_template("mcproxy-ctl-backlog.");
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    const std::string path = std::string(tmpl.data()) + "/s";
    const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(listener, 0), 0);
    // Fill the backlog (bounded).
    std::vector<int> fillers;
    for (int i = 0; i < 64; ++i) {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        fillers.push_back(fd);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) break;
    }
    const auto t0 = steady::now();
    const auto r = exchange(path, "version", std::chrono::milliseconds(500));
    const auto took = steady::now() - t0;
    ASSERT_TRUE(std::holds_alternative<exchange_failure>(r));
    const auto& f = std::get<exchange_failure>(r);
    EXPECT_NE(f.message.find(path), std::string::npos) << f.message;
    EXPECT_GE(took, 400ms);
    EXPECT_LT(took, 3000ms);
    for (int fd : fillers) ::close(fd);
    ::close(listener);
    std::filesystem::remove_all(tmpl.data());
}

using Mcproxyctl = control_fixture;

run_result ctl(std::vector<std::string> args, std::optional<identity> as = std::nullopt) {
    args.insert(args.begin(), MCPROXYCTL_BINARY);
    return run_program(args, as);
}

TEST_F(Mcproxyctl, PrintsTheReplyBodyAndExitsZero) {
    std::mutex m;
    std::vector<std::string> seen;
    start(settings(), [&](const control_request& r, reply_callback reply) {
        {
            std::lock_guard lock(m);
            seen.push_back(r.to_line());
        }
        reply(control_reply::success("{\"view\": \"" + std::string(to_string(r.view)) + "\"}\n"));
    });
    const auto r = ctl({"-u", path_, "show", "groups", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "{\"view\": \"groups\"}\n");
    EXPECT_EQ(r.err, "");
    const auto r2 = ctl({"--socket=" + path_, "show", "routes"});
    EXPECT_EQ(r2.exit_code, 0) << r2.err;
    std::lock_guard lock(m);
    EXPECT_EQ(seen, (std::vector<std::string>{"show groups --json", "show routes"}));
}

TEST_F(Mcproxyctl, DaemonVersion) {
    start(settings(), {});
    const auto r = ctl({"-u", path_, "version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, std::string("mcproxy ") + MCPROXY_VERSION + "\n");
}

TEST_F(Mcproxyctl, DaemonErrorExitsOneWithTheMessage) {
    start(settings(), [](const control_request&, reply_callback reply) {
        reply(control_reply::error("/etc/mcproxy.conf:4:12: unknown table 'tv'"));
    });
    const auto r = ctl({"-u", path_, "reload"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "mcproxyctl: /etc/mcproxy.conf:4:12: unknown table 'tv'\n");
}

TEST_F(Mcproxyctl, UsageErrorExitsTwoWithoutConnecting) {
    start(settings(), {});
    const auto r = ctl({"-u", path_, "show", "everything"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("cannot show 'everything'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("mcproxyctl --help"), std::string::npos) << r.err;
    EXPECT_EQ(ctl({}).exit_code, 2);
    EXPECT_TRUE(wait_clients(0));
}

TEST_F(Mcproxyctl, NoDaemonExitsThreeNamingTheSocket) {
    const auto r = ctl({"-u", path_, "show", "status"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("cannot connect to " + path_), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("is mcproxy running?"), std::string::npos) << r.err;
}

TEST_F(Mcproxyctl, StaleSocketExitsThree) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::close(fd);
    const auto r = ctl({"-u", path_, "show", "status"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
}

TEST_F(Mcproxyctl, SilentDaemonTimesOutWithExitThree) {
    auto s = settings();
    s.handler_timeout = 10000ms;
    start(s, [](const control_request&, reply_callback) {});  // never answers
    const auto t0 = steady::now();
    const auto r = ctl({"-u", path_, "-t", "1", "show", "status"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("no reply"), std::string::npos) << r.err;
    EXPECT_LT(steady::now() - t0, 5s);
}

TEST_F(Mcproxyctl, RefusalByABusyDaemonIsShown) {
    auto s = settings();
    s.max_clients = 1;
    start(s, {});
    raw_client holder;
    ASSERT_EQ(holder.connect(path_), 0);
    ASSERT_TRUE(wait_clients(1));
    // The refusal may close the connection before mcproxyctl has sent its
    // request; the error must still be read and shown.
    for (int i = 0; i < 5; ++i) {
        const auto r = ctl({"-u", path_, "version"});
        EXPECT_EQ(r.exit_code, 1) << r.err;
        EXPECT_EQ(r.err, "mcproxyctl: too many clients, try again later\n");
    }
}

TEST_F(Mcproxyctl, HelpAndVersionNeedNoDaemon) {
    const auto h = ctl({"--help"});
    EXPECT_EQ(h.exit_code, 0);
    EXPECT_NE(h.out.find("usage: mcproxyctl"), std::string::npos);
    const auto v = ctl({"--version"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_EQ(v.out, std::string("mcproxyctl ") + MCPROXY_VERSION + "\n");
}

TEST_F(Mcproxyctl, UnprivilegedUserGetsAPermissionHint) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
    start(settings(), {});
    const auto r = ctl({"-u", path_, "version"}, identity{nobody_uid, nogroup_gid, {}});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("Permission denied"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("socket's group"), std::string::npos) << r.err;
    // With a careless file mode the daemon still refuses by credentials.
    stop();
    auto open_mode = settings();
    open_mode.mode = 0666;
    start(open_mode, {});
    const auto d = ctl({"-u", path_, "version"}, identity{nobody_uid, nogroup_gid, {}});
    EXPECT_EQ(d.exit_code, 1);
    EXPECT_EQ(d.err, "mcproxyctl: permission denied\n");
    // A member of the socket's group is served.
    stop();
    auto s = settings();
    s.group = nogroup_gid;
    start(s, {});
    const auto g = ctl({"-u", path_, "version"}, identity{nobody_uid, nogroup_gid, {}});
    EXPECT_EQ(g.exit_code, 0) << g.err;
}

}  // namespace
}  // namespace mcproxy::daemon
