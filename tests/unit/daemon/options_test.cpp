// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/options.hpp"

#include <gtest/gtest.h>

using namespace mcproxy::daemon;

namespace {

options ok(std::vector<std::string> args) {
    args.insert(args.begin(), "mcproxy");
    auto r = parse_command_line(args);
    EXPECT_TRUE(std::holds_alternative<options>(r)) << std::get<usage_error>(r).message;
    return std::holds_alternative<options>(r) ? std::get<options>(r) : options{};
}

std::string fails(std::vector<std::string> args) {
    args.insert(args.begin(), "mcproxy");
    auto r = parse_command_line(args);
    EXPECT_TRUE(std::holds_alternative<usage_error>(r));
    return std::holds_alternative<usage_error>(r) ? std::get<usage_error>(r).message : "";
}

}  // namespace

TEST(CommandLine, DefaultsToEtcConfig) {
    const options o = ok({});
    EXPECT_EQ(o.config_path, "/etc/mcproxy.conf");
    EXPECT_FALSE(o.config_given);
    EXPECT_FALSE(o.debug || o.print_status || o.check_kernel || o.test_config || o.help);
}

TEST(CommandLine, ClassicGroupedShortOptions) {
    const options o = ok({"-dsvv", "-f", "my.conf"});
    EXPECT_TRUE(o.debug);
    EXPECT_TRUE(o.print_status);
    EXPECT_EQ(o.verbosity, 2u);
    EXPECT_EQ(o.config_path, "my.conf");
    EXPECT_TRUE(o.config_given);
}

TEST(CommandLine, ConfigAttachedToShortOption) {
    EXPECT_EQ(ok({"-fmy.conf"}).config_path, "my.conf");
    EXPECT_EQ(ok({"-rf", "x.conf"}).config_path, "x.conf");
    EXPECT_TRUE(ok({"-rf", "x.conf"}).reset_rp_filter);
}

TEST(CommandLine, LongForms) {
    const options o = ok({"--config", "a.conf", "--check-kernel", "--test-config", "--reset-rp-filter",
                          "--debug", "--status", "--verbose", "--help", "--version"});
    EXPECT_EQ(o.config_path, "a.conf");
    EXPECT_TRUE(o.check_kernel && o.test_config && o.reset_rp_filter && o.debug && o.print_status &&
                o.help && o.version);
    EXPECT_EQ(o.verbosity, 1u);
    EXPECT_EQ(ok({"--config=b.conf"}).config_path, "b.conf");
    EXPECT_TRUE(ok({"-c"}).check_kernel);
    EXPECT_TRUE(ok({"-t", "-f", "x"}).test_config);
    EXPECT_TRUE(ok({"-h"}).help);
}

TEST(CommandLine, VerbosityCapsAtTwo) { EXPECT_EQ(ok({"-vvvv"}).verbosity, 2u); }

TEST(CommandLine, UsageErrorsAreOneLine) {
    EXPECT_EQ(fails({"-x"}), "unknown option '-x'");
    EXPECT_EQ(fails({"--frobnicate"}), "unknown option '--frobnicate'");
    EXPECT_EQ(fails({"-f"}), "option '-f' needs a file name");
    EXPECT_EQ(fails({"--config"}), "option '--config' needs a file name");
    EXPECT_EQ(fails({"extra"}), "unexpected argument 'extra'");
    EXPECT_EQ(fails({"--debug=yes"}), "option '--debug' takes no value");
    EXPECT_EQ(fails({"--config="}), "option '--config' needs a file name");
    EXPECT_EQ(fails({"-"}), "unexpected argument '-'");
}

TEST(CommandLine, HelpMentionsEveryClassicOption) {
    const std::string h = help_text("mcproxy");
    for (const char* opt : {"-h", "-c", "-r", "-d", "-s", "-v", "-f", "-t", "--version"})
        EXPECT_NE(h.find(opt), std::string::npos) << opt;
}

TEST(CommandLine, UserAndKeepRoot) {
    EXPECT_EQ(ok({"-U", "mcproxy"}).user, "mcproxy");
    EXPECT_EQ(ok({"-Umcproxy"}).user, "mcproxy");
    EXPECT_EQ(ok({"--user=daemon"}).user, "daemon");
    EXPECT_EQ(ok({"-dU", "x", "-f", "c"}).user, "x");
    EXPECT_FALSE(ok({}).user.has_value());
    EXPECT_TRUE(ok({"--keep-root"}).keep_root);
    EXPECT_EQ(fails({"-U"}), "option '-U' needs a user name");
    EXPECT_EQ(fails({"--user"}), "option '--user' needs a user name");
    EXPECT_NE(fails({"--keep-root", "-U", "x"}).find("exclude each other"), std::string::npos);
    EXPECT_EQ(fails({"--keep-root=1"}), "option '--keep-root' takes no value");
}

TEST(CommandLine, ControlSocket) {
    EXPECT_EQ(ok({}).control_socket, "/run/mcproxy.sock");
    EXPECT_EQ(ok({"-u", "/tmp/x.sock"}).control_socket, "/tmp/x.sock");
    EXPECT_EQ(ok({"--control-socket=/tmp/y.sock"}).control_socket, "/tmp/y.sock");
    EXPECT_EQ(fails({"-u"}), "option '-u' needs a file name");
}
