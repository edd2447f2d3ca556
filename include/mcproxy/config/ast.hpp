// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Syntax tree of a configuration file: what was written, with
/// positions, before any meaning is checked (that is semantic.cpp's job).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mcproxy/config/error.hpp"
#include "mcproxy/net/address.hpp"

namespace mcproxy::config::ast {

/// @brief A name as written (interface, instance or table) and where.
struct name {
    std::string text;
    location loc;
};

/// @brief One side of a rule: `*`, `a`, `a - b` or `a/len`.
struct address_spec {
    enum class form : std::uint8_t { any, single, range, prefix };
    form kind = form::any;
    net::address first;
    net::address last;         ///< range only
    unsigned prefix_len = 0;   ///< prefix only
    location loc;              ///< of the first address (or the '*')
    location last_loc;         ///< of the second address or of the length
    std::string text;          ///< as written, for messages
};

struct rule;

/// @brief `{ RULE ... }` inside a table or a binding.
struct rule_list {
    std::vector<rule> rules;
    location loc;  ///< of the '{'
};

/// @brief `(table NAME)` or `(table { ... })` inside a rule list.
struct table_rule {
    std::optional<name> ref;               ///< named reference
    std::shared_ptr<rule_list> inline_rules;  ///< anonymous table (shared_ptr: rule is recursive)
};

/// @brief `[IF](GROUP | SOURCE)`.
struct address_rule {
    std::optional<name> iface;
    address_spec group;
    address_spec source;
};

/// @brief One entry of a rule list.
struct rule {
    location loc;  ///< of the interface qualifier or the '('
    std::variant<address_rule, table_rule> body;
};

/// @brief `protocol IGMPv3;` (version kept as written, checked by the parser).
struct protocol_stmt {
    std::string version;  ///< lower case: igmpv1 .. mldv2
    location loc;
    location version_loc;
};

/// @brief `disable;`
struct disable_stmt {
    location loc;
};

/// @brief `table NAME { ... };`
struct table_stmt {
    name table_name;
    rule_list rules;
    location loc;
};

/// @brief `pinstance NAME[(N)]: UP... ==> DOWN...;`
struct instance_stmt {
    name instance_name;
    std::optional<std::uint64_t> table;
    location table_loc;
    std::vector<name> upstreams;
    std::vector<name> downstreams;
    location loc;
};

enum class side : std::uint8_t { upstream, downstream };
enum class direction : std::uint8_t { in, out };

/// @brief `pinstance N upstream|downstream IF|* in|out whitelist|blacklist table ...;`
struct binding_stmt {
    name instance;
    side which = side::upstream;
    std::optional<name> iface;  ///< nullopt for '*'
    location iface_loc;
    direction dir = direction::in;
    bool whitelist = true;
    std::optional<name> table_ref;  ///< `table NAME`
    rule_list inline_rules;         ///< `table { ... }` when table_ref is empty
    location loc;
};

/// @brief `pinstance N upstream|downstream IF|* in|out rulematching all|first|mutex MS;`
struct rulematching_stmt {
    name instance;
    side which = side::upstream;
    std::optional<name> iface;
    location iface_loc;
    direction dir = direction::in;
    std::string kind;  ///< all, first, mutex
    location kind_loc;
    std::optional<std::string> timeout;  ///< mutex timeout as written
    location timeout_loc;
    location loc;
};

/// @brief One `key value` (or bare flag such as `fastleave`) of a settings statement.
struct setting {
    std::string key;  ///< lower case
    std::optional<std::string> value;
    location loc;
    location value_loc;
};

/// @brief `pinstance N downstream IF|* KEY VALUE ... [fastleave];`
struct tuning_stmt {
    name instance;
    std::optional<name> iface;
    location iface_loc;
    std::vector<setting> settings;
    location loc;
};

/// @brief `pinstance N route-idle-timeout T;` (instance-wide settings).
struct instance_option_stmt {
    name instance;
    std::vector<setting> settings;
    location loc;
};

/// @brief Any statement.
using statement = std::variant<protocol_stmt, disable_stmt, table_stmt, instance_stmt, binding_stmt,
                               rulematching_stmt, tuning_stmt, instance_option_stmt>;

/// @brief A parsed file: its statements in order.
struct file {
    std::vector<statement> statements;
};

}  // namespace mcproxy::config::ast
