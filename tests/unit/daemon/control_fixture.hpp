// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief A control server on its own io_context thread in a temporary
/// directory, raw socket clients with deadlines, and a child-process runner
/// (optionally as user nobody) for permission and mcproxyctl tests.
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mcproxy/daemon/control_server.hpp"
#include "temp_dir.hpp"

namespace mcproxy::daemon::test {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

/// @brief The uid/gid of "nobody"/"nogroup" on Debian.
inline constexpr uid_t nobody_uid = 65534;
inline constexpr gid_t nogroup_gid = 65534;

/// @brief A connected client socket with deadline-bounded reads.
class raw_client {
public:
    raw_client() = default;
    raw_client(const raw_client&) = delete;
    raw_client& operator=(const raw_client&) = delete;
    ~raw_client() { close(); }

    /// @brief Connects; returns errno on failure, 0 on success.
    int connect(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            const int e = errno;
            close();
            return e;
        }
        return 0;
    }
    bool connected() const { return fd_ >= 0; }
    /// @brief Sends all of `data` (false if the peer is gone).
    bool send(const std::string& data) {
        std::size_t off = 0;
        while (off < data.size()) {
            const auto n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
            if (n <= 0) return false;
            off += static_cast<std::size_t>(n);
        }
        return true;
    }
    /// @brief Reads one reply within `timeout`; nullopt on EOF, timeout or garbage.
    /// Bytes after the reply are kept for the next call (pipelined replies).
    std::optional<control_reply> reply(std::chrono::milliseconds timeout = 5000ms) {
        const auto deadline = steady::now() + timeout;
        for (;;) {
            if (auto r = take()) return r;
            if (bad_) return std::nullopt;
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
            if (left.count() <= 0) return std::nullopt;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
            char buf[65536];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return std::nullopt;
            buf_.append(buf, static_cast<std::size_t>(n));
        }
    }
    /// @brief Whether the server closes the connection within `timeout`
    /// (data before the close is skipped).
    bool closed_within(std::chrono::milliseconds timeout) {
        const auto deadline = steady::now() + timeout;
        while (steady::now() < deadline) {
            pollfd p{fd_, POLLIN, 0};
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
            if (::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0))) <= 0) return false;
            char buf[65536];
            const auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
            if (n < 0) return false;
        }
        return false;
    }
    void close() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    int fd() const { return fd_; }

private:
    /// One complete reply from the front of buf_, if there is one.
    std::optional<control_reply> take() {
        const auto nl = buf_.find('\n');
        if (nl == std::string::npos) return std::nullopt;
        reply_decoder d;
        const auto st = d.feed(buf_.substr(0, nl + 1));
        if (st == reply_decoder::state::bad) {
            bad_ = true;
            return std::nullopt;
        }
        const std::string header = buf_.substr(0, nl);
        const std::size_t length = std::stoul(header.substr(header.find(' ') + 1));
        if (buf_.size() < nl + 1 + length) return std::nullopt;
        control_reply r{header.starts_with("OK "), buf_.substr(nl + 1, length)};
        buf_.erase(0, nl + 1 + length);
        return r;
    }

    int fd_ = -1;
    std::string buf_;
    bool bad_ = false;
};

/// @brief A control server in a fresh temporary directory, run on its own thread.
class control_fixture : public ::testing::Test {
protected:
    void SetUp() override {
        auto tmpl = mcproxy_test::temp_template("mcproxy-ctl-test.");
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl.data();
        // Let "nobody" reach the socket in permission tests.
        ::chmod(dir_.c_str(), 0755);
        path_ = dir_ + "/mcproxy.sock";
    }
    void TearDown() override {
        stop();
        for (auto& t : helpers_)
            if (t.joinable()) t.join();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    /// @brief Default test settings: the temp path, short timeouts.
    control_server_settings settings() const {
        control_server_settings s;
        s.path = path_;
        s.idle_timeout = 2000ms;
        s.write_timeout = 2000ms;
        s.handler_timeout = 2000ms;
        return s;
    }

    /// @brief Starts the server and its thread.
    void start(control_server_settings s, request_handler h) {
        io_.restart();  // run() returned before if this is a second start
        server_ = std::make_unique<control_server>(io_, std::move(s), std::move(h));
        guard_.emplace(io_.get_executor());
        done_ = std::promise<void>();
        auto finished = done_.get_future();
        finished_ = std::move(finished);
        thread_ = std::thread([this] {
            io_.run();
            done_.set_value();
        });
    }

    /// @brief Stops the server on its thread and joins it (bounded).
    void stop() {
        if (!thread_.joinable()) return;
        boost::asio::post(io_, [this] { server_->stop(); });
        guard_.reset();
        if (finished_.wait_for(5s) != std::future_status::ready) {
            ADD_FAILURE() << "io_context did not finish after stop()";
            io_.stop();
        }
        thread_.join();
        server_.reset();
    }

    /// @brief Runs `fn` on the io thread and returns its result.
    template <typename F>
    auto on_io(F fn) -> decltype(fn()) {
        std::packaged_task<decltype(fn())()> task(std::move(fn));
        auto f = task.get_future();
        boost::asio::post(io_, [&task] { task(); });
        return f.get();
    }

    /// @brief Server-side connection count, polled until it equals `n` (bounded).
    bool wait_clients(std::size_t n, std::chrono::milliseconds timeout = 3000ms) {
        const auto deadline = steady::now() + timeout;
        while (steady::now() < deadline) {
            if (on_io([this] { return server_->client_count(); }) == n) return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    /// @brief Connects and sends `line` + newline, returning the reply.
    std::optional<control_reply> ask(const std::string& line) {
        raw_client c;
        if (c.connect(path_) != 0) return std::nullopt;
        if (!c.send(line + "\n")) return std::nullopt;
        return c.reply();
    }

    /// @brief A thread the test starts (joined in TearDown).
    template <typename F>
    void helper(F fn) {
        helpers_.emplace_back(std::move(fn));
    }

    std::string dir_;
    std::string path_;
    boost::asio::io_context io_;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard_;
    std::unique_ptr<control_server> server_;
    std::thread thread_;
    std::promise<void> done_;
    std::future<void> finished_;
    std::vector<std::thread> helpers_;
};

/// @brief Result of a child process.
struct run_result {
    int exit_code = -1;  ///< -1 if it did not exit normally in time
    std::string out;
    std::string err;
};

/// @brief Identity a child process switches to before exec.
struct identity {
    uid_t uid;
    gid_t gid;
    std::vector<gid_t> groups;
};

/// @brief Runs `argv` (optionally as another user) and collects its output,
/// killing it after `timeout`.
inline run_result run_program(const std::vector<std::string>& argv, std::optional<identity> as = std::nullopt,
                              std::chrono::milliseconds timeout = 20000ms) {
    int out_pipe[2], err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) return {};
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        // Only async-signal-safe calls between fork and exec.
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        if (as) {
            if (::setgroups(as->groups.size(), as->groups.data()) != 0 || ::setgid(as->gid) != 0 ||
                ::setuid(as->uid) != 0)
                ::_exit(125);
        }
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    run_result r;
    const auto deadline = steady::now() + timeout;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_pipes = 2;
    while (open_pipes > 0 && steady::now() < deadline) {
        if (::poll(fds, 2, 100) <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[4096];
            const auto n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_pipes;
            } else {
                (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0) ::close(f.fd);
    int status = 0;
    if (open_pipes > 0) ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status) && open_pipes == 0) r.exit_code = WEXITSTATUS(status);
    return r;
}

}  // namespace mcproxy::daemon::test
