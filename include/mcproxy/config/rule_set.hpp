// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Resolved filter rules: flat lists of (interface, group range,
/// source range) that answer "does this (S,G) on this interface match?".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcproxy/config/error.hpp"
#include "mcproxy/net/address.hpp"

namespace mcproxy::config {

/// @brief Inclusive address range [first, last] of one family.
struct address_range {
    net::address first;  ///< lowest address of the range
    net::address last;  ///< highest address of the range

    /// @brief The whole family: what `*` means.
    static address_range all(net::family f);
    /// @brief Whether `a` is of the range's family and inside it.
    bool contains(const net::address& a) const { return a.fam() == first.fam() && first <= a && a <= last; }
    /// @brief Whether the range covers its whole family.
    bool is_all() const { return *this == all(first.fam()); }
    /// @brief "*", "a", "a/len" when it is exactly a prefix, else "a - b".
    std::string to_string() const;
    friend bool operator==(const address_range&, const address_range&) = default;
};

/// @brief What one rule matches: an optional interface the data must arrive
/// on, a group range and a source range. Rules that compare equal match the
/// same packets, wherever they were written.
struct rule_match {
    std::optional<std::string> iface;  ///< the arrival interface the data must have; nullopt: any
    address_range group;  ///< groups the rule covers
    address_range source;  ///< sources the rule covers
    friend bool operator==(const rule_match&, const rule_match&) = default;
};

/// @brief One rule as written.
struct rule : rule_match {
    location loc;  ///< where the rule was written

    /// @brief Whether (source, group) arriving on `iface` matches this rule.
    bool matches(std::string_view arrival_iface, const net::address& src, const net::address& grp) const;
    /// @brief "[IF](GROUP | SOURCE)" as in the configuration language.
    std::string to_string() const;
};

/// @brief A table after resolution: nested tables flattened, in order.
/// Copies share the (immutable) rules, so a table bound to many interfaces
/// is stored once.
class rule_set {
public:
    rule_set() = default;
    /// @brief A table of these rules, in order.
    explicit rule_set(std::vector<rule> rules)
        : rules_(std::make_shared<const std::vector<rule>>(std::move(rules))) {}

    /// @brief True when any rule matches (a table matches when any rule matches).
    bool matches(std::string_view iface, const net::address& source, const net::address& group) const;
    /// @brief The rules in table order.
    const std::vector<rule>& rules() const { return rules_ ? *rules_ : empty_rules(); }
    /// @brief Whether there is no rule (then nothing matches).
    bool empty() const { return rules().empty(); }
    /// @brief Number of rules.
    std::size_t size() const { return rules().size(); }
    /// @brief The same rules in the same order (their locations aside).
    friend bool operator==(const rule_set& a, const rule_set& b) {
        return a.rules_ == b.rules_ || a.rules() == b.rules();
    }

private:
    static const std::vector<rule>& empty_rules();
    std::shared_ptr<const std::vector<rule>> rules_;
};

/// @brief Whitelist or blacklist.
enum class filter_type { whitelist, blacklist };

/// @brief What a bound table does: equal settings filter identically.
struct filter_settings {
    filter_type type = filter_type::whitelist;  ///< whitelist or blacklist
    rule_set rules;  ///< the table's rules
    std::string table_name;  ///< empty for an anonymous table
    friend bool operator==(const filter_settings&, const filter_settings&) = default;
};

/// @brief A table bound to an interface and direction.
struct filter : filter_settings {
    location loc;  ///< of the binding statement

    /// @brief Whitelist: allowed when a rule matches; blacklist: when none does.
    bool allows(std::string_view iface, const net::address& source, const net::address& group) const {
        const bool m = rules.matches(iface, source, group);
        return type == filter_type::whitelist ? m : !m;
    }
};

}  // namespace mcproxy::config
