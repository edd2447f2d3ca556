// SPDX-License-Identifier: GPL-2.0-or-later
// The reader on damaged and oversized input: always an answer, never a crash.
// (The libFuzzer target does this at length; this runs in every build.)
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include "config_test_util.hpp"
#include "mcproxy/config/summary.hpp"
#include "temp_dir.hpp"

using namespace mcproxy::config;

namespace {
std::string example_file() {
    std::ifstream in(MCPROXY_SOURCE_DIR "/mcproxy.conf");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}
}  // namespace

TEST(ConfigRobustness, RandomlyDamagedExampleFile) {
    const std::string original = example_file();
    ASSERT_FALSE(original.empty());
    const std::string alphabet = "(){};:|*/-=>#\"\n .0123456789abcdefxyz:";
    std::mt19937 rng(12345);
    std::size_t valid = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string text = original;
        const int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            const std::size_t pos = rng() % text.size();
            switch (rng() % 3) {
            case 0: text.erase(pos, 1 + rng() % 8); break;
            case 1: text.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
            default: text[pos] = static_cast<char>(rng() % 256); break;
            }
        }
        auto r = parse_text(text, "damaged.conf");
        ASSERT_EQ(r.ok(), r.errors.empty());
        if (r.ok()) {
            ++valid;
            EXPECT_FALSE(summarize(*r.config).empty());
        }
        for (const auto& d : r.errors) {
            ASSERT_FALSE(d.message.empty());
            ASSERT_EQ(d.file, "damaged.conf");
        }
    }
    // Many damages hit comments only; the test must see both outcomes.
    EXPECT_GT(valid, 0u);
    EXPECT_LT(valid, 3000u);
}

TEST(ConfigRobustness, OversizedTextIsRefused) {
    auto r = parse_text(std::string(max_file_size + 1, '#'), "big.conf");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].to_string(), "big.conf: error: file is larger than 4 MiB");
}

TEST(ConfigRobustness, ParseFileReadsARealFile) {
    auto buf = mcproxy_test::temp_template("mcproxy_config_test");
    char* path = buf.data();
    const int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const std::string text = "protocol MLDv1;\npinstance x: a ==> b;\n";
    ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
    close(fd);
    auto r = parse_file(path);
    std::remove(path);
    ASSERT_TRUE(r.ok()) << to_string(r.errors);
    EXPECT_EQ(r.config->file, path);
    EXPECT_EQ(r.config->instances[0].protocol, protocol_version::mldv1);
}

TEST(ConfigRobustness, EmptyAndCommentOnlyFiles) {
    EXPECT_FALSE(parse_text("", "e.conf").ok());
    EXPECT_FALSE(parse_text("# nothing\n", "e.conf").ok());
    EXPECT_FALSE(parse_text(std::string("\0\0\0", 3), "e.conf").ok());
}
