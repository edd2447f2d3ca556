// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Third stage: syntax tree to resolved model, with every semantic check.
#pragma once

#include <vector>

#include "mcproxy/config/ast.hpp"
#include "mcproxy/config/error.hpp"
#include "mcproxy/config/model.hpp"

namespace mcproxy::config {

/// @brief The model (meaningful only without errors), errors and warnings.
struct semantic_result {
    model config;  ///< the resolved model
    std::vector<diagnostic> errors;    ///< file name left empty; the caller fills it
    std::vector<diagnostic> warnings;  ///< file name left empty
};

/// @brief Checks names, families, limits and tables, and resolves the model.
semantic_result analyze(const ast::file& tree);

}  // namespace mcproxy::config
