// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The configuration reader's entry points.
///
/// Text goes through lexer (tokens with positions), parser (syntax tree),
/// semantic checks (names, families, limits, tables) and comes out as a
/// resolved `model` or as a list of errors, each naming file:line:col.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcproxy/config/error.hpp"
#include "mcproxy/config/model.hpp"

namespace mcproxy::config {

/// @brief Files larger than this are refused (a configuration is a few KiB).
inline constexpr std::size_t max_file_size = 4 * 1024 * 1024;

/// @brief The model when the text is valid, otherwise the errors.
struct parse_result {
    std::optional<model> config;          ///< set exactly when `errors` is empty
    std::vector<diagnostic> errors;       ///< in file order
    std::vector<diagnostic> warnings;     ///< given with or without errors

    /// @brief Whether the text was valid.
    bool ok() const { return config.has_value(); }
};

/// @brief Reads and checks configuration text; `filename` is used in messages.
/// Never throws and never crashes, whatever the bytes.
parse_result parse_text(std::string_view text, const std::string& filename) noexcept;

/// @brief Reads and checks a configuration file. Never throws.
parse_result parse_file(const std::string& path) noexcept;

}  // namespace mcproxy::config
