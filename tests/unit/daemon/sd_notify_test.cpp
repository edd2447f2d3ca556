// SPDX-License-Identifier: GPL-2.0-or-later
// The sd_notify protocol against a real AF_UNIX datagram socket standing in
// for the service manager: path and abstract names, the exact datagrams of
// READY/RELOADING/STOPPING/STATUS, the no-op without $NOTIFY_SOCKET and
// clear failures for bad names or a missing listener.
#include "mcproxy/daemon/sd_notify.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

using namespace mcproxy::daemon;

namespace {

// A bound datagram socket that receives what the notifier sends, like
// systemd's notification socket.
class listener {
public:
    // `name` is a path, or "@..." for an abstract socket.
    explicit listener(const std::string& name) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        EXPECT_GE(fd_, 0) << std::strerror(errno);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, name.data(), name.size());
        const bool abstract = name.front() == '@';
        if (abstract) addr.sun_path[0] = '\0';
        else path_ = name;
        const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size() + (abstract ? 0 : 1));
        bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), len) == 0;
        EXPECT_TRUE(bound_) << name << ": " << std::strerror(errno);
    }
    ~listener() {
        if (fd_ >= 0) ::close(fd_);
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;

    // The next datagram, or nullopt after 2 s.
    std::optional<std::string> receive() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 2000) != 1) return std::nullopt;
        char buf[8192];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n < 0) return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }
    // Whether a datagram is waiting (without waiting for one).
    bool pending() {
        pollfd p{fd_, POLLIN, 0};
        return ::poll(&p, 1, 0) == 1;
    }

private:
    int fd_ = -1;
    bool bound_ = false;
    std::string path_;
};

// A socket path unique to this process and test.
std::string temp_socket_path(const char* tag) {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir && *dir ? dir : "/tmp") + "/mcproxy-notify-" + std::to_string(::getpid()) + "-" + tag;
}

std::string abstract_name(const char* tag) {
    return "@mcproxy-notify-test-" + std::to_string(::getpid()) + "-" + tag;
}

// Restores $NOTIFY_SOCKET after a test that changes it.
class environment_guard {
public:
    environment_guard() {
        const char* old = std::getenv("NOTIFY_SOCKET");
        if (old) old_ = old;
    }
    ~environment_guard() {
        if (old_) ::setenv("NOTIFY_SOCKET", old_->c_str(), 1);
        else ::unsetenv("NOTIFY_SOCKET");
    }
    environment_guard(const environment_guard&) = delete;
    environment_guard& operator=(const environment_guard&) = delete;

private:
    std::optional<std::string> old_;
};

}  // namespace

TEST(SdNotify, ReadyReachesAPathSocket) {
    const std::string path = temp_socket_path("ready");
    ::unlink(path.c_str());
    listener manager(path);
    sd_notifier n(path);
    ASSERT_TRUE(n.enabled());
    EXPECT_EQ(n.ready(), notify_result::sent) << n.last_error();
    EXPECT_EQ(manager.receive(), "READY=1");
    EXPECT_EQ(n.ready("2 instances running"), notify_result::sent) << n.last_error();
    EXPECT_EQ(manager.receive(), "READY=1\nSTATUS=2 instances running");
}

TEST(SdNotify, EveryStateReachesAnAbstractSocket) {
    const std::string name = abstract_name("states");
    listener manager(name);
    sd_notifier n(name);
    EXPECT_EQ(n.reloading(1234567), notify_result::sent) << n.last_error();
    EXPECT_EQ(manager.receive(), "RELOADING=1\nMONOTONIC_USEC=1234567");
    EXPECT_EQ(n.stopping(), notify_result::sent);
    EXPECT_EQ(manager.receive(), "STOPPING=1");
    EXPECT_EQ(n.status("reloading /etc/mcproxy.conf"), notify_result::sent);
    EXPECT_EQ(manager.receive(), "STATUS=reloading /etc/mcproxy.conf");
    EXPECT_EQ(n.send("READY=1\nSTATUS=ok"), notify_result::sent);
    EXPECT_EQ(manager.receive(), "READY=1\nSTATUS=ok");
}

TEST(SdNotify, ReloadingCarriesTheMonotonicClockOfNow) {
    const std::string name = abstract_name("reload");
    listener manager(name);
    sd_notifier n(name);
    const std::uint64_t before = monotonic_usec_now();
    ASSERT_EQ(n.reloading(), notify_result::sent) << n.last_error();
    const std::uint64_t after = monotonic_usec_now();
    const auto got = manager.receive();
    ASSERT_TRUE(got);
    const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
    ASSERT_EQ(got->substr(0, prefix.size()), prefix) << *got;
    const std::string digits = got->substr(prefix.size());
    ASSERT_FALSE(digits.empty());
    ASSERT_EQ(digits.find_first_not_of("0123456789"), std::string::npos) << *got;
    const std::uint64_t stamp = std::stoull(digits);
    EXPECT_GE(stamp, before);
    EXPECT_LE(stamp, after);
}

TEST(SdNotify, StatusCannotInjectAssignments) {
    const std::string name = abstract_name("inject");
    listener manager(name);
    sd_notifier n(name);
    ASSERT_EQ(n.status("bad\nREADY=1\r\tx"), notify_result::sent);
    // One assignment only: the line break became a space.
    EXPECT_EQ(manager.receive(), "STATUS=bad READY=1  x");
    ASSERT_EQ(n.ready("a\nSTOPPING=1"), notify_result::sent);
    EXPECT_EQ(manager.receive(), "READY=1\nSTATUS=a STOPPING=1");
}

TEST(SdNotify, SanitizeCutsLongTextOnACharacterBoundary) {
    EXPECT_EQ(sanitize_notify_value("abcdef", 4), "abcd");
    EXPECT_EQ(sanitize_notify_value("abc", 4), "abc");
    // "ab" + U+00E9 (2 bytes) + "c": a cut after 3 bytes would split the é.
    EXPECT_EQ(sanitize_notify_value("ab\xC3\xA9" "c", 3), "ab");
    EXPECT_EQ(sanitize_notify_value("ab\xC3\xA9" "c", 4), "ab\xC3\xA9");
    // U+20AC (3 bytes) cut after 1 or 2 of its bytes.
    EXPECT_EQ(sanitize_notify_value("x\xE2\x82\xAC", 2), "x");
    EXPECT_EQ(sanitize_notify_value("x\xE2\x82\xAC", 3), "x");
    EXPECT_EQ(sanitize_notify_value("x\xE2\x82\xAC", 4), "x\xE2\x82\xAC");
    EXPECT_EQ(sanitize_notify_value(std::string(5000, 'y')).size(), 1024u);
}

TEST(SdNotify, WithoutNotifySocketEverythingIsANoOp) {
    environment_guard env;
    ::unsetenv("NOTIFY_SOCKET");
    sd_notifier n = sd_notifier::from_environment();
    EXPECT_FALSE(n.enabled());
    EXPECT_EQ(n.ready("x"), notify_result::disabled);
    EXPECT_EQ(n.reloading(), notify_result::disabled);
    EXPECT_EQ(n.stopping(), notify_result::disabled);
    EXPECT_EQ(n.status("x"), notify_result::disabled);
    EXPECT_TRUE(n.last_error().empty());
    ::setenv("NOTIFY_SOCKET", "", 1);
    EXPECT_FALSE(sd_notifier::from_environment().enabled());
}

TEST(SdNotify, FromEnvironmentUsesNotifySocket) {
    environment_guard env;
    const std::string name = abstract_name("env");
    listener manager(name);
    ::setenv("NOTIFY_SOCKET", name.c_str(), 1);
    sd_notifier n = sd_notifier::from_environment();
    EXPECT_EQ(n.socket_name(), name);
    EXPECT_EQ(n.stopping(), notify_result::sent) << n.last_error();
    EXPECT_EQ(manager.receive(), "STOPPING=1");
}

TEST(SdNotify, BadNamesFailWithAReason) {
    sd_notifier relative("run/notify");
    EXPECT_EQ(relative.ready(), notify_result::failed);
    EXPECT_NE(relative.last_error().find("absolute path"), std::string::npos) << relative.last_error();

    sd_notifier too_long("/" + std::string(200, 'x'));
    EXPECT_EQ(too_long.ready(), notify_result::failed);
    EXPECT_NE(too_long.last_error().find("length"), std::string::npos) << too_long.last_error();

    sd_notifier bare_at("@");
    EXPECT_EQ(bare_at.ready(), notify_result::failed);
}

TEST(SdNotify, MissingListenerFailsAndRecovers) {
    const std::string path = temp_socket_path("gone");
    ::unlink(path.c_str());
    sd_notifier n(path);
    EXPECT_EQ(n.ready(), notify_result::failed);
    EXPECT_NE(n.last_error().find(path), std::string::npos) << n.last_error();
    // Once the manager listens again, the same notifier works and the error
    // is cleared.
    listener manager(path);
    EXPECT_EQ(n.ready(), notify_result::sent) << n.last_error();
    EXPECT_TRUE(n.last_error().empty());
    EXPECT_EQ(manager.receive(), "READY=1");
    EXPECT_FALSE(manager.pending());
}

TEST(SdNotify, LongestAbstractNameFits) {
    // sun_path is 108 bytes; an abstract name may use all of them.
    std::string name = abstract_name("long");
    name.resize(sizeof(sockaddr_un::sun_path), 'n');
    listener manager(name);
    sd_notifier n(name);
    EXPECT_EQ(n.stopping(), notify_result::sent) << n.last_error();
    EXPECT_EQ(manager.receive(), "STOPPING=1");
}

// A daemon that drops root connects first: later sends need no access to
// the path any more (here: the path is even gone).
TEST(SdNotify, KeptConnectionSurvivesLosingAccessToThePath) {
    const std::string path = temp_socket_path("kept");
    ::unlink(path.c_str());
    listener manager(path);
    sd_notifier n(path);
    ASSERT_EQ(n.keep_connected(), notify_result::sent) << n.last_error();
    ASSERT_EQ(::unlink(path.c_str()), 0);
    EXPECT_EQ(n.ready("up"), notify_result::sent) << n.last_error();
    EXPECT_EQ(manager.receive(), "READY=1\nSTATUS=up");
    sd_notifier moved(std::move(n));
    EXPECT_EQ(moved.stopping(), notify_result::sent) << moved.last_error();
    EXPECT_EQ(manager.receive(), "STOPPING=1");
}

TEST(SdNotify, KeepConnectedReportsAMissingSocket) {
    sd_notifier n(temp_socket_path("absent"));
    EXPECT_EQ(n.keep_connected(), notify_result::failed);
    EXPECT_NE(n.last_error().find("connect"), std::string::npos) << n.last_error();
    EXPECT_EQ(sd_notifier("").keep_connected(), notify_result::disabled);
}
