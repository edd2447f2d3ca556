// SPDX-License-Identifier: GPL-2.0-or-later
// The control server over a real UNIX socket: requests and replies, bad and
// oversized requests, client limits, hanging and non-reading clients,
// handlers that answer late, twice or never, the socket file's life cycle,
// and who may connect.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>

#include "daemon/control_fixture.hpp"

namespace mcproxy::daemon {
namespace {

using namespace test;

/// A handler that answers every request with its canonical line.
request_handler echo_handler() {
    return [](const control_request& r, reply_callback reply) { reply(control_reply::success(r.to_line() + "\n")); };
}

using ControlServer = control_fixture;

TEST_F(ControlServer, AnswersVersionAndHelpItself) {
    start(settings(), {});
    auto v = ask("version");
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->ok);
    EXPECT_EQ(v->body, std::string("mcproxy ") + MCPROXY_VERSION + "\n");
    auto h = ask("help");
    ASSERT_TRUE(h);
    EXPECT_NE(h->body.find("show status|interfaces"), std::string::npos);
    // Without a handler, show and reload are errors, not crashes.
    auto s = ask("show status");
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->ok);
    EXPECT_NE(s->body.find("not supported"), std::string::npos);
}

TEST_F(ControlServer, PassesParsedRequestsToTheHandler) {
    std::mutex m;
    std::vector<control_request> seen;
    start(settings(), [&](const control_request& r, reply_callback reply) {
        {
            std::lock_guard lock(m);
            seen.push_back(r);
        }
        reply(r.command == command_kind::reload ? control_reply::error("config.conf:3:1: unknown word")
                                                 : control_reply::success("body of " + r.to_line() + "\n"));
    });
    auto g = ask("show groups --json");
    ASSERT_TRUE(g);
    EXPECT_TRUE(g->ok);
    EXPECT_EQ(g->body, "body of show groups --json\n");
    auto r = ask("reload");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->body, "config.conf:3:1: unknown word\n");
    std::lock_guard lock(m);
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].command, command_kind::show);
    EXPECT_EQ(seen[0].view, status_view::groups);
    EXPECT_TRUE(seen[0].json);
    EXPECT_EQ(seen[1].command, command_kind::reload);
}

TEST_F(ControlServer, BadRequestGetsAnErrorAndTheConnectionStaysUsable) {
    start(settings(), echo_handler());
    raw_client c;
    ASSERT_EQ(c.connect(path_), 0);
    ASSERT_TRUE(c.send("frobnicate now\n"));
    auto bad = c.reply();
    ASSERT_TRUE(bad);
    EXPECT_FALSE(bad->ok);
    EXPECT_EQ(bad->body, "unknown request 'frobnicate' (try 'help')\n");
    ASSERT_TRUE(c.send(std::string("\x01\x02\xff\n")));
    auto bin = c.reply();
    ASSERT_TRUE(bin);
    EXPECT_FALSE(bin->ok);
    ASSERT_TRUE(c.send("show routes\r\n"));
    auto ok = c.reply();
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->ok);
    EXPECT_EQ(ok->body, "show routes\n");
}

TEST_F(ControlServer, PipelinedRequestsAreAnsweredInOrder) {
    start(settings(), echo_handler());
    raw_client c;
    ASSERT_EQ(c.connect(path_), 0);
    ASSERT_TRUE(c.send("show stats\nbogus\nshow interfaces --json\nversion\n"));
    auto a = c.reply(), b = c.reply(), d = c.reply(), e = c.reply();
    ASSERT_TRUE(a && b && d && e);
    EXPECT_EQ(a->body, "show stats\n");
    EXPECT_FALSE(b->ok);
    EXPECT_EQ(d->body, "show interfaces --json\n");
    EXPECT_EQ(e->body, std::string("mcproxy ") + MCPROXY_VERSION + "\n");
}

TEST_F(ControlServer, OversizedRequestIsRefusedAndClosed) {
    start(settings(), echo_handler());
    {
        raw_client c;
        ASSERT_EQ(c.connect(path_), 0);
        ASSERT_TRUE(c.send(std::string(5000, 'a')));  // no newline ever
        auto r = c.reply();
        ASSERT_TRUE(r);
        EXPECT_FALSE(r->ok);
        EXPECT_NE(r->body.find("request too long"), std::string::npos);
        EXPECT_TRUE(c.closed_within(2000ms));
    }
    {
        raw_client c;
        ASSERT_EQ(c.connect(path_), 0);
        ASSERT_TRUE(c.send("show " + std::string(1100, 'x') + "\n"));
        auto r = c.reply();
        ASSERT_TRUE(r);
        EXPECT_NE(r->body.find("request too long"), std::string::npos);
        EXPECT_TRUE(c.closed_within(2000ms));
    }
    // The server is fine afterwards.
    EXPECT_TRUE(ask("version").has_value());
    EXPECT_TRUE(wait_clients(0));
}

TEST_F(ControlServer, RequestOfExactlyTheLimitIsAccepted) {
    auto s = settings();
    s.max_request_length = 64;
    start(s, echo_handler());
    // 63 characters + newline = 64 bytes: accepted.
    const std::string line = "show" + std::string(53, ' ') + "status";
    ASSERT_EQ(line.size(), 63u);
    auto ok = ask(line);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->ok);
    auto too_long = ask(line + " ");
    ASSERT_TRUE(too_long);
    EXPECT_FALSE(too_long->ok);
}

TEST_F(ControlServer, TooManyClientsAreRefusedAtOnce) {
    auto s = settings();
    s.max_clients = 2;
    std::mutex m;
    std::vector<std::string> logged;
    s.log = [&](core::log_level, const std::string& text) {
        std::lock_guard lock(m);
        logged.push_back(text);
    };
    start(s, echo_handler());
    raw_client c1, c2, c3;
    ASSERT_EQ(c1.connect(path_), 0);
    ASSERT_EQ(c2.connect(path_), 0);
    ASSERT_TRUE(wait_clients(2));
    ASSERT_EQ(c3.connect(path_), 0);
    auto refused = c3.reply(2000ms);
    ASSERT_TRUE(refused);
    EXPECT_FALSE(refused->ok);
    EXPECT_NE(refused->body.find("too many clients"), std::string::npos);
    EXPECT_TRUE(c3.closed_within(2000ms));
    for (int i = 0; i < 10; ++i) {
        raw_client more;
        ASSERT_EQ(more.connect(path_), 0);
        EXPECT_FALSE(more.reply(2000ms)->ok);
    }
    {
        // Eleven refusals, one log line.
        std::lock_guard lock(m);
        ASSERT_EQ(logged.size(), 1u);
        EXPECT_EQ(logged[0], "control socket: 2 clients connected, refusing more");
    }
    // The two served clients still work.
    ASSERT_TRUE(c1.send("show stats\n"));
    EXPECT_TRUE(c1.reply()->ok);
    // One leaves: there is room again.
    c2.close();
    ASSERT_TRUE(wait_clients(1));
    auto again = ask("show routes");
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->ok);
}

TEST_F(ControlServer, HangingClientDoesNotBlockOthersAndIsDropped) {
    auto s = settings();
    s.idle_timeout = 1500ms;
    start(s, echo_handler());
    raw_client hanging;
    ASSERT_EQ(hanging.connect(path_), 0);
    ASSERT_TRUE(hanging.send("show sta"));  // never finished
    const auto t0 = steady::now();
    for (int i = 0; i < 5; ++i) {
        auto r = ask("show status");
        ASSERT_TRUE(r);
        EXPECT_TRUE(r->ok);
    }
    // Served long before the hanging client could have been dropped.
    EXPECT_LT(steady::now() - t0, 1000ms) << "others were delayed by the hanging client";
    EXPECT_TRUE(hanging.closed_within(4000ms));
    EXPECT_GE(steady::now() - t0, 1400ms);
    EXPECT_TRUE(wait_clients(0));
}

TEST_F(ControlServer, DribblingClientDoesNotExtendItsTime) {
    auto s = settings();
    s.idle_timeout = 300ms;
    start(s, echo_handler());
    raw_client c;
    ASSERT_EQ(c.connect(path_), 0);
    const auto t0 = steady::now();
    bool closed = false;
    // One byte every 50 ms never completes a line; the server must still give up.
    for (int i = 0; i < 40 && !closed; ++i) {
        if (!c.send("x")) {
            closed = true;
            break;
        }
        pollfd p{c.fd(), POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) {
            char b;
            closed = ::recv(c.fd(), &b, 1, MSG_DONTWAIT) == 0;
        }
    }
    EXPECT_TRUE(closed);
    EXPECT_LT(steady::now() - t0, 1500ms);
}

TEST_F(ControlServer, ClientThatDoesNotReadIsDropped) {
    auto s = settings();
    s.write_timeout = 1500ms;
    const std::string big(32 * 1024 * 1024, 'x');
    start(s, [&big](const control_request& r, reply_callback reply) {
        reply(control_reply::success(r.view == status_view::status ? big : "small\n"));
    });
    raw_client lazy;
    ASSERT_EQ(lazy.connect(path_), 0);
    ASSERT_TRUE(lazy.send("show status\n"));  // and never reads
    // Meanwhile others are served without delay.
    const auto t0 = steady::now();
    auto r = ask("show stats");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "small\n");
    EXPECT_LT(steady::now() - t0, 1000ms);  // not after the lazy one's write timeout
    // The lazy one is cut off after the write timeout.
    EXPECT_TRUE(wait_clients(0, 5000ms));
}

TEST_F(ControlServer, HandlerThatNeverAnswersTimesOutAndLateAnswersAreDropped) {
    auto s = settings();
    s.handler_timeout = 200ms;
    std::mutex m;
    std::vector<reply_callback> parked;
    start(s, [&](const control_request& r, reply_callback reply) {
        if (r.view == status_view::status) {
            std::lock_guard lock(m);
            parked.push_back(std::move(reply));  // never answered in time
            return;
        }
        reply(control_reply::success("fresh\n"));
    });
    raw_client c;
    ASSERT_EQ(c.connect(path_), 0);
    ASSERT_TRUE(c.send("show status\n"));
    auto timed_out = c.reply(3000ms);
    ASSERT_TRUE(timed_out);
    EXPECT_FALSE(timed_out->ok);
    EXPECT_NE(timed_out->body.find("did not answer in time"), std::string::npos);
    {
        std::lock_guard lock(m);
        ASSERT_EQ(parked.size(), 1u);
        parked[0](control_reply::success("late\n"));
    }
    ASSERT_TRUE(c.send("show stats\n"));
    auto next = c.reply();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->body, "fresh\n");
}

TEST_F(ControlServer, HandlerMayAnswerFromAnotherThreadLater) {
    start(settings(), [this](const control_request& r, reply_callback reply) {
        helper([r, reply] {
            std::this_thread::sleep_for(50ms);
            reply(control_reply::success("async " + r.to_line() + "\n"));
        });
    });
    auto r = ask("show routes --json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "async show routes --json\n");
}

TEST_F(ControlServer, SecondReplyIsIgnored) {
    start(settings(), [](const control_request& r, reply_callback reply) {
        reply(control_reply::success("first " + r.to_line() + "\n"));
        reply(control_reply::success("second\n"));
    });
    raw_client c;
    ASSERT_EQ(c.connect(path_), 0);
    ASSERT_TRUE(c.send("show stats\nshow routes\n"));
    auto a = c.reply(), b = c.reply();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->body, "first show stats\n");
    EXPECT_EQ(b->body, "first show routes\n");
    EXPECT_FALSE(c.reply(200ms).has_value());
}

TEST_F(ControlServer, HandlerExceptionBecomesAnErrorReply) {
    start(settings(), [](const control_request&, reply_callback) { throw std::runtime_error("boom"); });
    auto r = ask("show status");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->ok);
    EXPECT_EQ(r->body, "internal error: boom\n");
}

TEST_F(ControlServer, HalfClosedClientStillGetsItsAnswers) {
    start(settings(), echo_handler());
    raw_client c;
    ASSERT_EQ(c.connect(path_), 0);
    ASSERT_TRUE(c.send("show stats\nshow routes\n"));
    ::shutdown(c.fd(), SHUT_WR);  // like `echo ... | socat - UNIX-CONNECT:...`
    auto a = c.reply(), b = c.reply();
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->body, "show stats\n");
    EXPECT_EQ(b->body, "show routes\n");
    EXPECT_TRUE(c.closed_within(1000ms));
}

TEST_F(ControlServer, ClientGoneBeforeTheAnswerIsHarmless) {
    std::mutex m;
    std::vector<reply_callback> parked;
    start(settings(), [&](const control_request&, reply_callback reply) {
        std::lock_guard lock(m);
        parked.push_back(std::move(reply));
    });
    {
        raw_client c;
        ASSERT_EQ(c.connect(path_), 0);
        ASSERT_TRUE(c.send("show status\n"));
        ASSERT_TRUE(wait_clients(1));
        for (int i = 0; i < 100; ++i) {
            std::lock_guard lock(m);
            if (!parked.empty()) break;
            std::this_thread::sleep_for(5ms);
        }
    }  // closes
    {
        std::lock_guard lock(m);
        ASSERT_EQ(parked.size(), 1u);
        parked[0](control_reply::success(std::string(1 << 20, 'x')));
    }
    EXPECT_TRUE(wait_clients(0));
    EXPECT_TRUE(ask("version").has_value());
}

TEST_F(ControlServer, ManyClientsInParallelAllGetTheirOwnAnswers) {
    start(settings(), echo_handler());
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    const char* views[] = {"status", "interfaces", "groups", "sources", "routes", "stats"};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                const std::string line = std::string("show ") + views[(t + i) % 6];
                raw_client c;
                if (c.connect(path_) != 0) continue;
                if (!c.send(line + "\n")) continue;
                auto r = c.reply();
                if (r && r->ok && r->body == line + "\n") ++good;
            }
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(good.load(), 200);
    EXPECT_TRUE(wait_clients(0));
}

TEST_F(ControlServer, SocketFileHasModeAndGroup) {
    auto s = settings();
    start(s, echo_handler());
    struct stat st {};
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0660u);
    EXPECT_EQ(server_->path(), path_);
    stop();
    EXPECT_FALSE(std::filesystem::exists(path_));  // removed at stop

    if (::geteuid() != 0) GTEST_SKIP() << "chown to another group needs root";
    s.mode = 0640;
    s.group = nogroup_gid;
    start(s, echo_handler());
    ASSERT_EQ(::stat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(st.st_gid, nogroup_gid);
    EXPECT_TRUE(ask("show status")->ok);  // the restarted server works
}

TEST_F(ControlServer, StaleSocketFromACrashIsReplaced) {
    {
        // A socket file nobody accepts on, as a killed daemon leaves it.
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        ::close(fd);
    }
    ASSERT_TRUE(std::filesystem::exists(path_));
    start(settings(), echo_handler());
    auto r = ask("show status");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok);
}

TEST_F(ControlServer, LiveSocketOfAnotherDaemonIsAnError) {
    start(settings(), echo_handler());
    boost::asio::io_context other;
    try {
        control_server second(other, settings(), echo_handler());
        ADD_FAILURE() << "a second server started on a live socket";
    } catch (const control_error& e) {
        EXPECT_NE(std::string(e.what()).find(path_), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("another mcproxy is running"), std::string::npos) << e.what();
    }
    // The first one is untouched.
    auto r = ask("show status");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->ok);
}

TEST_F(ControlServer, PathThatIsNotASocketIsLeftAloneAndAnError) {
    { std::ofstream(path_) << "precious\n"; }
    try {
        control_server s(io_, settings(), echo_handler());
        ADD_FAILURE() << "started over a regular file";
    } catch (const control_error& e) {
        EXPECT_NE(std::string(e.what()).find("is not a socket"), std::string::npos) << e.what();
    }
    std::ifstream in(path_);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "precious");
}

TEST_F(ControlServer, BadPathsAreClearErrors) {
    auto s = settings();
    s.path = dir_ + "/" + std::string(120, 'p');
    EXPECT_THROW(control_server(io_, s, {}), control_error);
    s.path = dir_ + "/no/such/dir/mcproxy.sock";
    try {
        control_server srv(io_, s, {});
        ADD_FAILURE();
    } catch (const control_error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot create control socket " + s.path), std::string::npos) << e.what();
    }
    s.path = "";
    EXPECT_THROW(control_server(io_, s, {}), control_error);
}

TEST_F(ControlServer, ReplacedSocketFileIsNotRemovedAtStop) {
    start(settings(), echo_handler());
    ASSERT_EQ(::unlink(path_.c_str()), 0);
    { std::ofstream(path_) << "someone else's\n"; }
    stop();
    EXPECT_TRUE(std::filesystem::exists(path_));
}

TEST(PeerAllowed, RootOwnerAndGroupMembersOnly) {
    struct row {
        peer_credentials peer;
        std::vector<gid_t> supplementary;
        bool allowed;
    };
    constexpr uid_t owner = 1000;
    constexpr gid_t group = 2000;
    const row rows[] = {
        {{1, 0, 0}, {}, true},               // root
        {{1, owner, 9}, {}, true},           // the socket's owner
        {{1, 1234, group}, {}, true},        // primary group
        {{1, 1234, 9}, {7, group}, true},    // supplementary group
        {{1, 1234, 9}, {7, 8}, false},       // stranger
        {{1, 1234, 9}, {}, false},
        {{0, 65534, 65534}, {}, false},      // nobody
    };
    for (const auto& r : rows)
        EXPECT_EQ(peer_allowed(r.peer, owner, group, r.supplementary), r.allowed)
            << "uid " << r.peer.uid << " gid " << r.peer.gid;
}

TEST(SupplementaryGroups, MatchGetgroups) {
    std::vector<gid_t> mine(static_cast<std::size_t>(::getgroups(0, nullptr)));
    ::getgroups(static_cast<int>(mine.size()), mine.data());
    auto read = supplementary_groups(::getpid());
    std::sort(mine.begin(), mine.end());
    std::sort(read.begin(), read.end());
    EXPECT_EQ(read, mine);
    EXPECT_TRUE(supplementary_groups(0).empty());
    EXPECT_TRUE(supplementary_groups(-5).empty());
}

/// Connects as another user in a child process; the exit code tells what
/// happened: 0 OK reply, 1 ERR reply, 2 connect refused with EACCES, 3 other.
int connect_as(const std::string& path, uid_t uid, gid_t gid, std::vector<gid_t> groups,
               std::string* body = nullptr) {
    int pipefd[2];
    if (::pipe(pipefd) != 0) return -1;
    const pid_t pid = ::fork();
    if (pid == 0) {
        // Async-signal-safe calls only: no allocation after fork.
        ::close(pipefd[0]);
        if (::setgroups(groups.size(), groups.data()) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(4);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) ::_exit(errno == EACCES ? 2 : 3);
        const char req[] = "show status\n";
        // A refused client may find the connection closed already: the refusal is still readable.
        (void)::send(fd, req, sizeof req - 1, MSG_NOSIGNAL);
        ::shutdown(fd, SHUT_WR);  // one request only: the server closes after the reply
        char buf[512];
        std::size_t got = 0;
        pollfd p{fd, POLLIN, 0};
        while (got < sizeof buf && ::poll(&p, 1, 3000) > 0) {
            const auto n = ::read(fd, buf + got, sizeof buf - got);
            if (n <= 0) break;
            got += static_cast<std::size_t>(n);
        }
        if (::write(pipefd[1], buf, got) < 0) ::_exit(3);
        ::_exit(got >= 3 && std::memcmp(buf, "OK ", 3) == 0 ? 0 : got >= 4 && std::memcmp(buf, "ERR ", 4) == 0 ? 1 : 3);
    }
    ::close(pipefd[1]);
    std::string out;
    char buf[512];
    for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (body) *body = out;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(ControlServer, OthersCannotConnectThroughTheFileMode) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
    start(settings(), echo_handler());  // root:root 0660
    EXPECT_EQ(connect_as(path_, nobody_uid, nogroup_gid, {}), 2);
}

TEST_F(ControlServer, PeerCredentialsAreCheckedEvenWithAnOpenFileMode) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
    auto s = settings();
    s.mode = 0666;  // a careless mode: the credential check still refuses
    start(s, echo_handler());
    std::string body;
    EXPECT_EQ(connect_as(path_, nobody_uid, nogroup_gid, {}, &body), 1);
    EXPECT_NE(body.find("permission denied"), std::string::npos) << body;
    // Root is still served.
    EXPECT_TRUE(ask("show status")->ok);
}

TEST_F(ControlServer, MembersOfTheSocketGroupAreServed) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
    auto s = settings();
    s.group = 12345;
    start(s, echo_handler());
    // Primary group.
    EXPECT_EQ(connect_as(path_, nobody_uid, 12345, {}), 0);
    // Supplementary group only (SO_PEERCRED shows the primary one).
    EXPECT_EQ(connect_as(path_, nobody_uid, nogroup_gid, {12345}), 0);
    // Neither.
    EXPECT_EQ(connect_as(path_, nobody_uid, nogroup_gid, {}), 2);
}

}  // namespace
}  // namespace mcproxy::daemon
