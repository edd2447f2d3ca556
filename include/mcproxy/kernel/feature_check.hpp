// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The kernel feature check behind `mcproxy -c`.
#pragma once

#include <string>
#include <vector>

namespace mcproxy::kernel {

/// @brief One line of the feature check.
struct check_result {
    std::string name;     ///< what was checked
    bool ok = false;      ///< passed
    bool required = true; ///< mcproxy cannot work without it
    std::string detail;   ///< what was found (values, errors)
    std::string hint;     ///< how to fix it when !ok
};

/// @brief Runs every check without disturbing a running system: kernel
/// support is probed in a fresh network namespace of a child process; the
/// current namespace is only asked whether its default tables are free.
std::vector<check_result> run_feature_checks();

/// @brief One line per check: "[ OK ] name: detail" or "[FAILED] name: detail -> hint".
std::string format_checks(const std::vector<check_result>& results);

/// @brief True when every required check passed (the exit status of `-c`).
bool required_checks_passed(const std::vector<check_result>& results);

}  // namespace mcproxy::kernel
