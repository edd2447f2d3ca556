// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Set algebra on memberships (INCLUDE{S} / EXCLUDE{X} as the sets of
/// sources they want), used by filters and upstream rule matching.
#pragma once

#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief Sources wanted by `a` or `b` (the RFC 4605 4.1 merge of two states).
membership unite(const membership& a, const membership& b);
/// @brief Sources wanted by both `a` and `b`.
membership intersect(const membership& a, const membership& b);
/// @brief Sources wanted by `a` and not by `b`.
membership subtract(const membership& a, const membership& b);
/// @brief Every source `m` does not want.
membership complement(const membership& m);

}  // namespace mcproxy::core
