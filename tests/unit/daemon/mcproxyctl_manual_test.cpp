// SPDX-License-Identifier: GPL-2.0-or-later
// doc/mcproxyctl.8 renders without warnings and documents every command,
// option and exit status the program has.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "daemon/control_fixture.hpp"

namespace mcproxy::daemon {
namespace {

std::string manual() {
    std::ifstream in(std::string(MCPROXY_SOURCE_DIR) + "/doc/mcproxyctl.8");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST(McproxyctlManual, RendersWithoutWarnings) {
    if (::access("/usr/bin/groff", X_OK) != 0) GTEST_SKIP() << "groff not installed";
    const auto r = test::run_program(
        {"/usr/bin/groff", "-man", "-ww", "-z", std::string(MCPROXY_SOURCE_DIR) + "/doc/mcproxyctl.8"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.err, "");
}

TEST(McproxyctlManual, DocumentsEveryCommandOptionAndExitStatus) {
    const auto m = manual();
    ASSERT_FALSE(m.empty());
    for (const char* w : {".B show status", ".B show interfaces", ".B show groups", ".B show sources", ".B show routes",
                          ".B show stats", ".B reload", ".B version", ".B help", "\\-\\-socket", "\\-\\-timeout",
                          ".B \\-\\-json", "\\-\\-help", ".B \\-\\-version", "/run/mcproxy.sock"})
        EXPECT_NE(m.find(w), std::string::npos) << w;
    for (const char* code : {".B 0\n", ".B 1\n", ".B 2\n", ".B 3\n"}) EXPECT_NE(m.find(code), std::string::npos) << code;
}

}  // namespace
}  // namespace mcproxy::daemon
