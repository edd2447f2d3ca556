// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

const char* to_string(filter_mode m) { return m == filter_mode::include ? "INCLUDE" : "EXCLUDE"; }

std::string membership::to_string() const {
    return std::string(core::to_string(mode)) + sources.to_string();
}

}  // namespace mcproxy::core
