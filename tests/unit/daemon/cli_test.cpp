// SPDX-License-Identifier: GPL-2.0-or-later
// The mcproxy binary's command line as scripts see it: exit codes and the
// first words of its output for -t, -c, usage errors and bad files.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include "temp_dir.hpp"

namespace {

struct run_result {
    int status = -1;
    std::string output;  // stdout and stderr
};

run_result run(const std::string& args) {
    run_result r;
    const std::string cmd = std::string(MCPROXY_BINARY) + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return r;
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

std::string temp_config(const std::string& text) {
    auto path = mcproxy_test::temp_template("mcproxy-cli-");
    const int fd = mkstemp(path.data());
    EXPECT_GE(fd, 0);
    close(fd);
    std::ofstream(path.data()) << text;
    return path.data();
}

}  // namespace

TEST(Cli, TestConfigAcceptsTheExampleFile) {
    const auto r = run("-t -f " MCPROXY_SOURCE_DIR "/mcproxy.conf");
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("instance"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("is valid"), std::string::npos) << r.output;
}

TEST(Cli, TestConfigWarnsAboutMissingInterfacesButSucceeds) {
    const auto path = temp_config("protocol IGMPv3;\npinstance p: nosuchup0 ==> nosuchdn1;\n");
    const auto r = run("--test-config --config " + path);
    EXPECT_EQ(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("nosuchdn1"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
    unlink(path.c_str());
}

TEST(Cli, TestConfigNamesFileLineAndColumnOfAnError) {
    const auto path = temp_config("protocol IGMPv3;\npinstance p: a ==> b\n");
    const auto r = run("-t -f " + path);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find(path + ":2:"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("error"), std::string::npos) << r.output;
    unlink(path.c_str());
}

TEST(Cli, TestConfigRefusesDisable) {
    const auto path = temp_config("protocol IGMPv3;\npinstance p: a ==> b;\ndisable;\n");
    const auto r = run("-t -f " + path);
    EXPECT_NE(r.status, 0) << r.output;
    EXPECT_NE(r.output.find("disable"), std::string::npos) << r.output;
    unlink(path.c_str());
}

TEST(Cli, MissingFileIsAnErrorNamingIt) {
    const auto r = run("-t -f /nonexistent/mcproxy.conf");
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find("/nonexistent/mcproxy.conf"), std::string::npos) << r.output;
}

TEST(Cli, DaemonRefusesABadFileWithNonZeroExit) {
    const auto path = temp_config("protocol IGMPv3;\nfrobnicate;\n");
    const auto r = run("-f " + path);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_NE(r.output.find(path + ":2:"), std::string::npos) << r.output;
    unlink(path.c_str());
}

TEST(Cli, UsageErrorsExitTwoWithAHint) {
    for (const char* args : {"-x", "-f", "--config", "extra-word", "--no-such-option"}) {
        const auto r = run(args);
        EXPECT_EQ(r.status, 2) << args << ": " << r.output;
        EXPECT_NE(r.output.find("--help"), std::string::npos) << args << ": " << r.output;
    }
}

TEST(Cli, HelpAndVersionExitZero) {
    EXPECT_EQ(run("-h").status, 0);
    EXPECT_EQ(run("--help").status, 0);
    const auto v = run("--version");
    EXPECT_EQ(v.status, 0);
    EXPECT_EQ(v.output.rfind("mcproxy ", 0), 0u) << v.output;
}

TEST(Cli, CheckKernelPrintsOneLinePerCheck) {
    const auto r = run("-c");
    // Root with multicast routing passes; elsewhere it fails with hints. Either
    // way every line says OK or FAILED and the exit status agrees.
    ASSERT_TRUE(r.status == 0 || r.status == 1) << r.output;
    std::size_t lines = 0, failed = 0;
    std::size_t pos = 0;
    while (pos < r.output.size()) {
        const auto end = r.output.find('\n', pos);
        const std::string line = r.output.substr(pos, end - pos);
        pos = end == std::string::npos ? r.output.size() : end + 1;
        if (line.empty()) continue;
        ++lines;
        const bool ok = line.find("OK") != std::string::npos;
        const bool bad = line.find("FAILED") != std::string::npos;
        EXPECT_TRUE(ok || bad) << line;
        failed += bad;
    }
    EXPECT_GE(lines, 7u) << r.output;
    // A non-zero exit is always explained by a FAILED line.
    if (r.status != 0) {
        EXPECT_GT(failed, 0u) << r.output;
    }
    if (failed == 0) {
        EXPECT_EQ(r.status, 0) << r.output;
    }
    if (geteuid() == 0) {
        EXPECT_NE(r.output.find("multicast routing"), std::string::npos) << r.output;
    }
}
