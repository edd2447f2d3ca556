// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzz target: the configuration reader on arbitrary bytes. It must never
// crash, hang or leak, and must answer with either a model or errors.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mcproxy/config/parse.hpp"
#include "mcproxy/config/summary.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto r = mcproxy::config::parse_text(text, "fuzz.conf");
    // The contract: a model exactly when there are no errors.
    if (r.ok() == !r.errors.empty()) std::abort();
    if (r.ok()) {
        const std::string s = mcproxy::config::summarize(*r.config);
        if (s.empty()) std::abort();
    }
    for (const auto& e : r.errors)
        if (e.to_string().empty()) std::abort();
    return 0;
}
