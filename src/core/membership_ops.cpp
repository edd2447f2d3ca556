// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/membership_ops.hpp"

namespace mcproxy::core {

namespace {
constexpr auto inc_mode = filter_mode::include;
constexpr auto exc_mode = filter_mode::exclude;
}  // namespace

membership unite(const membership& a, const membership& b) {
    // RFC 4605 4.1 for two interfaces: INCLUDE+INCLUDE is the union of the
    // include lists; with an EXCLUDE the exclude lists intersect and the
    // include lists are taken out of them.
    if (a.mode == inc_mode && b.mode == inc_mode) return {inc_mode, a.sources + b.sources};
    if (a.mode == exc_mode && b.mode == exc_mode) return {exc_mode, a.sources * b.sources};
    const membership& e = a.mode == exc_mode ? a : b;
    const membership& i = a.mode == exc_mode ? b : a;
    return {exc_mode, e.sources - i.sources};
}

membership intersect(const membership& a, const membership& b) {
    if (a.mode == inc_mode && b.mode == inc_mode) return {inc_mode, a.sources * b.sources};
    if (a.mode == exc_mode && b.mode == exc_mode) return {exc_mode, a.sources + b.sources};
    const membership& e = a.mode == exc_mode ? a : b;
    const membership& i = a.mode == exc_mode ? b : a;
    return {inc_mode, i.sources - e.sources};
}

membership complement(const membership& m) { return {m.mode == inc_mode ? exc_mode : inc_mode, m.sources}; }

membership subtract(const membership& a, const membership& b) { return intersect(a, complement(b)); }

}  // namespace mcproxy::core
