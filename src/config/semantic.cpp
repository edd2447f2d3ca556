// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/semantic.hpp"

#include <set>

#include "semantic_support.hpp"

namespace mcproxy::config {
namespace detail {

void diag_sink::error(location loc, std::string message, std::string found, std::string expected) {
    if (!seen_.insert({{loc.line, loc.column}, message}).second) return;
    diagnostic d;
    d.loc = loc;
    d.message = std::move(message);
    d.found = std::move(found);
    d.expected = std::move(expected);
    errors.push_back(std::move(d));
}

void diag_sink::warn(location loc, std::string message) {
    if (!seen_.insert({{loc.line, loc.column}, message}).second) return;
    diagnostic d;
    d.level = severity::warning;
    d.loc = loc;
    d.message = std::move(message);
    warnings.push_back(std::move(d));
}

std::optional<std::chrono::milliseconds> parse_time(const std::string& text, location loc, const std::string& what,
                                                    bool plain_is_ms, diag_sink& sink) {
    const std::string expected = plain_is_ms ? "milliseconds, or a time such as 500ms or 2s"
                                             : "seconds, or a time such as 0.5, 500ms or 2s";
    auto bad = [&](const std::string& why) -> std::optional<std::chrono::milliseconds> {
        sink.error(loc, "invalid " + what + " '" + text + "'" + why + ", expected " + expected, text, expected);
        return std::nullopt;
    };
    std::size_t i = 0;
    std::uint64_t whole = 0;
    std::size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        if (++digits > 9) return bad(": too large");
        whole = whole * 10 + static_cast<std::uint64_t>(text[i++] - '0');
    }
    if (digits == 0) return bad("");
    std::uint64_t frac = 0;  // in thousandths
    if (i < text.size() && text[i] == '.') {
        ++i;
        std::size_t fd = 0;
        std::uint64_t scale = 100;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            if (++fd > 3) return bad(": more precise than 1 ms");
            frac += scale * static_cast<std::uint64_t>(text[i++] - '0');
            scale /= 10;
        }
        if (fd == 0) return bad("");
    }
    const std::string unit = text.substr(i);
    std::uint64_t ms = 0;
    if (unit == "ms" || (unit.empty() && plain_is_ms)) {
        if (frac != 0) return bad(": fractions of a millisecond");
        ms = whole;
    } else if (unit == "s" || unit.empty()) {
        ms = whole * 1000 + frac;
    } else {
        return bad(": unknown unit '" + unit + "'");
    }
    if (ms > 86'400'000) return bad(": longer than a day");
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::optional<std::uint64_t> parse_count(const std::string& text, location loc, const std::string& what,
                                         std::uint64_t lo, std::uint64_t hi, diag_sink& sink) {
    const std::string range = std::to_string(lo) + ".." + std::to_string(hi);
    std::uint64_t v = 0;
    bool ok = !text.empty() && text.size() <= 12;
    for (char c : text) {
        if (c < '0' || c > '9') ok = false;
        if (ok) v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (!ok) {
        sink.error(loc, "invalid " + what + " '" + text + "', expected a whole number in " + range, text, range);
        return std::nullopt;
    }
    if (v < lo || v > hi) {
        sink.error(loc, what + " " + text + " is out of range, expected " + range, text, range);
        return std::nullopt;
    }
    return v;
}

std::string format_time(std::chrono::milliseconds t) {
    const auto ms = t.count();
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
    if (ms < 1000) return std::to_string(ms) + " ms";
    std::string frac = std::to_string(ms % 1000);
    frac.insert(0, 3 - frac.size(), '0');
    while (frac.back() == '0') frac.pop_back();
    return std::to_string(ms / 1000) + "." + frac + " s";
}

}  // namespace detail

namespace {

void collect_refs(const ast::rule_list& list, std::set<std::string>& used) {
    for (const auto& r : list.rules)
        if (const auto* t = std::get_if<ast::table_rule>(&r.body)) {
            if (t->ref) used.insert(t->ref->text);
            if (t->inline_rules) collect_refs(*t->inline_rules, used);  // depth bounded by the parser
        }
}

// A table nobody refers to is most likely a binding that was forgotten.
void warn_unused_tables(const ast::file& tree, detail::diag_sink& sink) {
    std::set<std::string> used;
    for (const auto& st : tree.statements) {
        if (const auto* t = std::get_if<ast::table_stmt>(&st)) collect_refs(t->rules, used);
        if (const auto* b = std::get_if<ast::binding_stmt>(&st)) {
            if (b->table_ref) used.insert(b->table_ref->text);
            collect_refs(b->inline_rules, used);
        }
    }
    for (const auto& st : tree.statements)
        if (const auto* t = std::get_if<ast::table_stmt>(&st); t && !used.count(t->table_name.text))
            sink.warn(t->table_name.loc, "table '" + t->table_name.text + "' is defined but never used");
}

}  // namespace

semantic_result analyze(const ast::file& tree) {
    detail::diag_sink sink;
    semantic_result r;
    for (const auto& st : tree.statements)
        if (std::holds_alternative<ast::disable_stmt>(st)) r.config.disabled = true;

    detail::table_resolver tables(tree, sink);
    warn_unused_tables(tree, sink);
    std::map<std::string, std::size_t> index;
    detail::build_instances(tree, r.config, index, sink);
    detail::apply_bindings(tree, r.config, index, tables, sink);

    for (const auto& [name, flat] : tables.all()) {
        if (!flat) continue;
        // Tables in the model keep '*' as the IPv4 range only when every
        // concrete address is IPv4; a table is family-neutral until bound.
        std::vector<rule> rules;
        net::family fam = net::family::ipv4;
        for (const auto& f : *flat) {
            if (f.group) fam = f.group->first.fam();
            else if (f.source) fam = f.source->first.fam();
        }
        for (const auto& f : *flat)
            rules.push_back({{f.iface, f.group.value_or(address_range::all(fam)),
                              f.source.value_or(address_range::all(fam))},
                             f.loc});
        r.config.tables.emplace(name, rule_set(std::move(rules)));
    }

    if (r.config.instances.empty() && !r.config.disabled && !sink.failed())
        sink.error({}, "no proxy instance defined, expected at least one 'pinstance NAME: UPSTREAM... ==> DOWNSTREAM...;'",
                   "", "a 'pinstance' definition");

    r.errors = std::move(sink.errors);
    r.warnings = std::move(sink.warnings);
    return r;
}

}  // namespace mcproxy::config
