// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers for the configuration tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "mcproxy/config/parse.hpp"

namespace config_test {

inline mcproxy::config::parse_result parse(const std::string& text) {
    return mcproxy::config::parse_text(text, "t.conf");
}

/// The first error rendered as "file:line:col: error: message", or "" when valid.
inline std::string first_error(const std::string& text) {
    auto r = parse(text);
    return r.errors.empty() ? std::string() : r.errors.front().to_string();
}

/// All warnings, one per line.
inline std::string warnings(const std::string& text) { return mcproxy::config::to_string(parse(text).warnings); }

/// Parses text that must be valid and returns the model.
inline mcproxy::config::model valid(const std::string& text) {
    auto r = parse(text);
    EXPECT_TRUE(r.ok()) << mcproxy::config::to_string(r.errors);
    return r.config.value_or(mcproxy::config::model{});
}

}  // namespace config_test
