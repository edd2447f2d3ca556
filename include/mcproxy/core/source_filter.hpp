// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief A filter table as the core sees it (doc/filters.md): rules over group
/// and source ranges, optionally qualified by the interface the data arrives
/// on. It answers "is (S,G) arriving on X allowed" for routes and
/// "what remains of this membership of G" for reports and the merge.
#pragma once

#include <optional>
#include <vector>

#include "mcproxy/core/types.hpp"

namespace mcproxy::core {

/// @brief Inclusive address range [first, last] of one family.
struct address_range {
    net::address first;  ///< lowest address of the range
    net::address last;   ///< highest address of the range

    /// @brief The whole family (`*`).
    static address_range all(net::family f);
    /// @brief One address.
    static address_range single(const net::address& a) { return {a, a}; }
    /// @brief Whether `a` is of the range's family and inside it.
    bool contains(const net::address& a) const { return a.fam() == first.fam() && first <= a && a <= last; }
    /// @brief Whether the range is exactly one address.
    bool is_single() const { return first == last; }
    /// @brief Whether the range covers its whole family.
    bool is_all() const { return *this == all(first.fam()); }
    friend bool operator==(const address_range&, const address_range&) = default;
};

/// @brief One rule: (S,G) arriving on `arrival` (any interface when unset)
/// with G in `group` and S in `source`.
struct filter_rule {
    std::optional<if_index> arrival;  ///< the data must arrive here (nullopt: anywhere)
    address_range group;              ///< groups the rule covers
    address_range source;             ///< sources the rule covers

    /// @brief Whether the rule matches (source, group) arriving on `arrival_iface`.
    bool matches(const net::address& source_addr, const net::address& group_addr, if_index arrival_iface) const {
        return (!arrival || *arrival == arrival_iface) && group.contains(group_addr) && source.contains(source_addr);
    }
};

/// @brief Whitelist (allow what matches) or blacklist (allow what does not).
enum class filter_kind : std::uint8_t { whitelist, blacklist };

/// @brief A table bound to one interface and direction. Default-constructed
/// it is "no binding" and allows everything.
///
/// Membership transformation (doc/filters.md): the sources a filter names for a
/// group are the union of the source ranges of the rules that match the
/// group and the arrival interface. Ranges of one address are explicit
/// sources, so
///   - whitelist naming only single sources: EXCLUDE{X} -> INCLUDE{named - X};
///   - blacklist: EXCLUDE{X} -> EXCLUDE{X + named single sources};
///   - INCLUDE{S}: exactly the allowed sources of S remain;
///   - a group whose every source is denied becomes INCLUDE{} (never joined).
/// A source range or prefix of more than one address cannot be listed in a
/// report: a whitelist naming one keeps EXCLUDE{X} unchanged and a blacklist
/// leaves it out of the exclude list. The route filter (allows()) still
/// applies per (S,G), so no denied source is ever forwarded.
class source_filter {
public:
    /// @brief No binding: everything allowed.
    source_filter() = default;
    /// @brief A bound table.
    source_filter(filter_kind kind, std::vector<filter_rule> rules);

    /// @brief Whether (source, group) arriving on `arrival` may pass.
    bool allows(const net::address& source, const net::address& group, if_index arrival) const;
    /// @brief What remains of membership `m` of `group` for data arriving on `arrival`.
    membership apply(const net::address& group, const membership& m, if_index arrival) const;
    /// @brief The source ranges the matching rules name for `group` arriving
    /// on `arrival`, sorted, overlapping and adjacent ranges merged.
    std::vector<address_range> named_sources(const net::address& group, if_index arrival) const;

    /// @brief Whether this is a real binding (a default filter is not).
    bool bound() const { return bound_; }
    /// @brief Whitelist or blacklist (meaningful when bound).
    filter_kind kind() const { return kind_; }
    /// @brief The rules in table order.
    const std::vector<filter_rule>& rules() const { return rules_; }
    /// @brief Whether any rule names an arrival interface.
    bool has_qualified_rules() const;

private:
    std::vector<address_range> matching_ranges(const net::address& group, if_index arrival) const;
    /// Calls fn(rule) for every rule whose group range holds `group`; stops when fn returns true.
    template <typename F>
    bool any_rule_of(const net::address& group, F&& fn) const;

    bool bound_ = false;
    filter_kind kind_ = filter_kind::whitelist;
    std::vector<filter_rule> rules_;
    /// Rule positions sorted by the first group address, and the largest
    /// last group address up to each position: a lookup binary-searches the
    /// rules starting at or below the group and walks back only while an
    /// earlier rule can still reach it (O(log n + matches) for disjoint ranges).
    std::vector<std::uint32_t> by_group_;
    std::vector<net::address> reach_;
    /// Rules for every group (`*`), kept out of the index so one of them
    /// does not make every lookup walk the whole table.
    std::vector<std::uint32_t> all_groups_;
};

}  // namespace mcproxy::core
