// SPDX-License-Identifier: GPL-2.0-or-later
// Tables: address checks, flattening of nested tables, cycle detection.
#include <array>
#include <cstring>

#include "mcproxy/config/parser.hpp"
#include "semantic_support.hpp"

namespace mcproxy::config::detail {
namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

// Last address of the block first/len (all host bits set).
net::address prefix_last(const net::address& first, unsigned len) {
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), first.data(), first.size());
    for (unsigned bit = len; bit < first.max_prefix(); ++bit) b[bit / 8] |= static_cast<std::uint8_t>(0x80u >> (bit % 8));
    if (first.is_v4()) return net::address::v4({b[0], b[1], b[2], b[3]});
    return net::address::v6(b);
}

// Checks one side of a rule and turns it into a range (nullopt for '*').
// Returns false after reporting when it is invalid.
bool convert(const ast::address_spec& s, bool is_group, std::optional<address_range>& out, diag_sink& sink) {
    using form = ast::address_spec::form;
    const char* what = is_group ? "group" : "source";
    switch (s.kind) {
    case form::any: out.reset(); return true;
    case form::single: out = address_range{s.first, s.first}; break;
    case form::range:
        if (s.first.fam() != s.last.fam()) {
            sink.error(s.last_loc, std::string(what) + " range " + q(s.text) + " mixes IPv4 and IPv6", s.text,
                       "both ends of one family");
            return false;
        }
        if (s.last < s.first) {
            sink.error(s.loc, std::string(what) + " range " + q(s.text) + " has its ends reversed, expected '" +
                                  s.last.to_string() + " - " + s.first.to_string() + "'",
                       s.text, "first address not greater than last");
            return false;
        }
        out = address_range{s.first, s.last};
        break;
    case form::prefix: {
        const unsigned max = s.first.max_prefix();
        if (s.prefix_len > max) {
            const std::string len = s.text.substr(s.text.rfind('/') + 1);  // as written, not clamped
            sink.error(s.last_loc,
                       "prefix length " + len + " is out of range for " + std::string(net::to_string(s.first.fam())) +
                           ", expected 0.." + std::to_string(max),
                       len, "0.." + std::to_string(max));
            return false;
        }
        const net::address base = s.first.masked(s.prefix_len);
        if (base != s.first)
            sink.warn(s.loc, "host bits set in " + q(s.text) + "; using " + base.to_string() + "/" +
                                 std::to_string(s.prefix_len));
        out = address_range{base, prefix_last(base, s.prefix_len)};
        break;
    }
    }
    if (is_group && !(out->first.is_multicast() && out->last.is_multicast())) {
        sink.error(s.loc, "group " + q(s.text) + " is not a multicast address" +
                              std::string(out->first.is_v4() ? " (224.0.0.0/4)" : " (ff00::/8)"),
                   s.text, "a multicast group address");
        return false;
    }
    return true;
}

}  // namespace

table_resolver::table_resolver(const ast::file& tree, diag_sink& sink) : sink_(sink) {
    for (const auto& st : tree.statements) {
        const auto* t = std::get_if<ast::table_stmt>(&st);
        if (!t) continue;
        auto [it, fresh] = defs_.emplace(t->table_name.text, t);
        if (!fresh)
            sink_.error(t->table_name.loc,
                        "table " + q(t->table_name.text) + " is already defined at " + to_string(it->second->table_name.loc),
                        t->table_name.text, "a new table name");
    }
    // Resolve every table once, in file order, so its errors appear even if unused.
    for (const auto& st : tree.statements) {
        const auto* t = std::get_if<ast::table_stmt>(&st);
        if (!t || defs_[t->table_name.text] != t) continue;
        std::vector<std::string> path;
        resolve(t->table_name.text, t->table_name.loc, path);
    }
}

bool table_resolver::resolve(const std::string& name, location ref_loc, std::vector<std::string>& path) {
    if (auto it = done_.find(name); it != done_.end()) return it->second.has_value();
    auto def = defs_.find(name);
    if (def == defs_.end()) {
        sink_.error(ref_loc, "unknown table " + q(name) + ": no 'table " + name + " { ... };' in the file", name,
                    "the name of a table defined with 'table NAME { ... };'");
        return false;
    }
    for (const auto& p : path) {
        if (p != name) continue;
        std::string cycle;
        bool on = false;
        for (const auto& n : path) {
            if (n == name) on = true;
            if (on) cycle += n + " -> ";
        }
        sink_.error(ref_loc, "table cycle: " + cycle + name, name, "a table that does not refer back to itself");
        return false;
    }
    if (path.size() >= max_nesting_depth) {
        sink_.error(ref_loc,
                    "tables nested too deeply: more than " + std::to_string(max_nesting_depth) + " levels of references",
                    name, "at most " + std::to_string(max_nesting_depth) + " levels of nested tables");
        return false;
    }
    path.push_back(name);
    std::vector<flat_rule> out;
    bool ok = flatten(def->second->rules, out, path);
    path.pop_back();
    ok = ok && budget(out.size(), def->second->table_name.loc);
    // A cycle is reported at the reference that closes it; the tables on the
    // way are marked broken without further messages.
    done_[name] = ok ? flat_table(std::move(out)) : flat_table();
    return ok;
}

bool table_resolver::flatten(const ast::rule_list& rules, std::vector<flat_rule>& out, std::vector<std::string>& path) {
    bool ok = true;
    for (const auto& r : rules.rules) {
        if (const auto* a = std::get_if<ast::address_rule>(&r.body)) {
            flat_rule f;
            if (a->iface) {
                f.iface = a->iface->text;
                f.iface_loc = a->iface->loc;
            }
            f.loc = r.loc;
            f.group_loc = a->group.loc;
            f.source_loc = a->source.loc;
            f.group_text = a->group.text;
            f.source_text = a->source.text;
            const bool g = convert(a->group, true, f.group, sink_);
            const bool s = convert(a->source, false, f.source, sink_);
            if (g && s) {
                if (out.size() >= max_rules_per_table) {
                    sink_.error(r.loc, "table expands to more than " + std::to_string(max_rules_per_table) + " rules",
                                "", "fewer nested table references");
                    return false;
                }
                out.push_back(std::move(f));
            } else {
                ok = false;
            }
            continue;
        }
        const auto& t = std::get<ast::table_rule>(r.body);
        if (t.inline_rules) {
            ok = flatten(*t.inline_rules, out, path) && ok;
            continue;
        }
        if (!resolve(t.ref->text, t.ref->loc, path)) {
            ok = false;
            continue;
        }
        const auto& sub = *done_[t.ref->text];
        if (out.size() + sub.size() > max_rules_per_table) {
            sink_.error(t.ref->loc, "table expands to more than " + std::to_string(max_rules_per_table) + " rules",
                        t.ref->text, "fewer nested table references");
            return false;
        }
        out.insert(out.end(), sub.begin(), sub.end());
    }
    return ok;
}

const flat_table& table_resolver::named(const ast::name& ref) {
    if (auto it = done_.find(ref.text); it != done_.end()) return it->second;
    std::vector<std::string> path;
    resolve(ref.text, ref.loc, path);
    auto it = done_.find(ref.text);
    return it == done_.end() ? missing_ : it->second;
}

flat_table table_resolver::list(const ast::rule_list& rules) {
    std::vector<flat_rule> out;
    std::vector<std::string> path;
    if (!flatten(rules, out, path) || !budget(out.size(), rules.loc)) return std::nullopt;
    return out;
}

bool table_resolver::budget(std::size_t more, location loc) {
    if (over_budget_) return false;
    total_ += more;
    if (total_ <= max_total_rules) return true;
    over_budget_ = true;
    sink_.error(loc, "tables expand to more than " + std::to_string(max_total_rules) + " rules in total", "",
                "smaller tables");
    return false;
}

}  // namespace mcproxy::config::detail
