// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Second stage: tokens to syntax tree, with error recovery.
#pragma once

#include <string_view>
#include <vector>

#include "mcproxy/config/ast.hpp"
#include "mcproxy/config/error.hpp"

namespace mcproxy::config {

/// @brief Anonymous tables may nest this deep; deeper input is an error,
/// so hostile files cannot exhaust the stack of the recursive parser.
inline constexpr unsigned max_nesting_depth = 32;

/// @brief After this many errors the reader stops and says so.
inline constexpr std::size_t max_errors = 50;

/// @brief The syntax tree and the syntax errors of one text.
struct syntax_result {
    ast::file tree;  ///< the statements that parsed
    std::vector<diagnostic> errors;  ///< file name left empty; the caller fills it
};

/// @brief Lexes and parses `text`. After an error the parser skips to the
/// next ';' (or to a statement keyword at the start of a line) and goes on,
/// so one run reports every independent mistake. Never throws for any input.
syntax_result parse_syntax(std::string_view text);

}  // namespace mcproxy::config
