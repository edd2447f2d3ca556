// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/error.hpp"

namespace mcproxy::config {

std::string to_string(const location& loc) {
    return std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

std::string diagnostic::to_string() const {
    std::string s = file;
    if (loc.line != 0) {
        // Appended in two steps: GCC 12 -O3 warns (-Wrestrict, falsely) on ":" + string here.
        s += ':';
        s += config::to_string(loc);
    }
    s += level == severity::error ? ": error: " : ": warning: ";
    s += message;
    return s;
}

std::string to_string(const std::vector<diagnostic>& list) {
    std::string s;
    for (const auto& d : list) s += d.to_string() + "\n";
    return s;
}

}  // namespace mcproxy::config
