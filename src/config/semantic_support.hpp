// SPDX-License-Identifier: GPL-2.0-or-later
// Internal helpers shared by the semantic checks (not installed).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mcproxy/config/ast.hpp"
#include "mcproxy/config/error.hpp"
#include "mcproxy/config/model.hpp"
#include "mcproxy/config/rule_set.hpp"

namespace mcproxy::config::detail {

/// Collects diagnostics; drops exact repeats (a table bound twice must not
/// report its bad address twice).
class diag_sink {
public:
    void error(location loc, std::string message, std::string found = {}, std::string expected = {});
    void warn(location loc, std::string message);
    bool failed() const { return !errors.empty(); }

    std::vector<diagnostic> errors;
    std::vector<diagnostic> warnings;

private:
    std::set<std::pair<std::pair<unsigned, unsigned>, std::string>> seen_;
};

/// A rule after flattening, before it is bound to an instance: `*` is kept
/// as nullopt because its meaning depends on the instance's family.
struct flat_rule {
    std::optional<std::string> iface;
    location iface_loc;
    std::optional<address_range> group;
    std::optional<address_range> source;
    location loc;
    location group_loc;
    location source_loc;
    std::string group_text;
    std::string source_text;
};

/// Flattened rules, or nullopt when the table was broken (already reported).
using flat_table = std::optional<std::vector<flat_rule>>;

/// A table may expand to at most this many rules (nested references can
/// double the size at each level).
inline constexpr std::size_t max_rules_per_table = 100'000;

/// All tables together may expand to at most this many rules.
inline constexpr std::size_t max_total_rules = 500'000;

/// All bindings together may bind at most this many rules, so that a file
/// cannot make the reader spend unbounded time and memory.
inline constexpr std::size_t max_bound_rules = 250'000;

/// Resolves named and anonymous tables: checks each address, flattens
/// nesting, rejects unknown names and cycles.
class table_resolver {
public:
    table_resolver(const ast::file& tree, diag_sink& sink);

    /// The flattened named table; reports "unknown table" at `ref_loc`.
    const flat_table& named(const ast::name& ref);
    /// Flattens an anonymous rule list.
    flat_table list(const ast::rule_list& rules);
    /// Every valid named table, for the model.
    const std::map<std::string, flat_table>& all() const { return done_; }

private:
    bool flatten(const ast::rule_list& rules, std::vector<flat_rule>& out, std::vector<std::string>& path);
    bool resolve(const std::string& name, location ref_loc, std::vector<std::string>& path);

    diag_sink& sink_;
    std::map<std::string, const ast::table_stmt*> defs_;
    std::map<std::string, flat_table> done_;
    flat_table missing_;
    std::size_t total_ = 0;  // rules in all flattened tables so far
    bool over_budget_ = false;
    bool budget(std::size_t more, location loc);
};

/// Parses "60", "0.5", "1.5s", "250ms"; plain numbers are in `plain_unit`
/// (seconds for timers, milliseconds for the mutex timeout, as classic).
/// Returns nullopt (and reports) for anything else or values beyond a day.
std::optional<std::chrono::milliseconds> parse_time(const std::string& text, location loc, const std::string& what,
                                                    bool plain_is_ms, diag_sink& sink);

/// Parses a whole number in [lo, hi]; reports and returns nullopt otherwise.
std::optional<std::uint64_t> parse_count(const std::string& text, location loc, const std::string& what,
                                         std::uint64_t lo, std::uint64_t hi, diag_sink& sink);

/// "12.5 s", "250 ms", "3 s" for messages and the summary.
std::string format_time(std::chrono::milliseconds t);

/// Applies the `pinstance N downstream IF|* KEY VALUE...` statements of one
/// instance to its downstreams and validates the result for its protocol.
void apply_tuning(instance& inst, const std::vector<const ast::tuning_stmt*>& stmts, diag_sink& sink);

/// Builds the instances from the definitions (protocol scoping, table
/// numbers, interface checks). Fills `index` with name -> position.
void build_instances(const ast::file& tree, model& m, std::map<std::string, std::size_t>& index, diag_sink& sink);

/// Applies filter bindings and rulematching statements.
void apply_bindings(const ast::file& tree, model& m, const std::map<std::string, std::size_t>& index,
                    table_resolver& tables, diag_sink& sink);

}  // namespace mcproxy::config::detail
