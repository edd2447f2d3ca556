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
    std::string text;  ///< as written
    location loc;  ///< where it was written
};

/// @brief One side of a rule: `*`, `a`, `a - b` or `a/len`.
struct address_spec {
    /// @brief How the address set was written.
    enum class form : std::uint8_t { any, single, range, prefix };
    form kind = form::any;  ///< which of the forms
    net::address first;  ///< the address, or the range's first one
    net::address last;         ///< range only
    unsigned prefix_len = 0;   ///< prefix only
    location loc;              ///< of the first address (or the '*')
    location last_loc;         ///< of the second address or of the length
    std::string text;          ///< as written, for messages
};

struct rule;

/// @brief `{ RULE ... }` inside a table or a binding.
struct rule_list {
    std::vector<rule> rules;  ///< in order
    location loc;  ///< of the '{'
};

/// @brief `(table NAME)` or `(table { ... })` inside a rule list.
struct table_rule {
    std::optional<name> ref;               ///< named reference
    std::shared_ptr<rule_list> inline_rules;  ///< anonymous table (shared_ptr: rule is recursive)
};

/// @brief `[IF](GROUP | SOURCE)`.
struct address_rule {
    std::optional<name> iface;  ///< the arrival interface, when given
    address_spec group;  ///< group address set
    address_spec source;  ///< source address set
};

/// @brief One entry of a rule list.
struct rule {
    location loc;  ///< of the interface qualifier or the '('
    std::variant<address_rule, table_rule> body;  ///< an address rule or a table reference
};

/// @brief `protocol IGMPv3;` (version kept as written, checked by the parser).
struct protocol_stmt {
    std::string version;  ///< lower case: igmpv1 .. mldv2
    location loc;  ///< of the keyword
    location version_loc;  ///< of the version word
};

/// @brief `disable;`
struct disable_stmt {
    location loc;  ///< of the keyword
};

/// @brief `table NAME { ... };`
struct table_stmt {
    name table_name;  ///< the table's name
    rule_list rules;  ///< its rules
    location loc;  ///< of the keyword
};

/// @brief `pinstance NAME[(N)]: UP... ==> DOWN...;`
struct instance_stmt {
    name instance_name;  ///< the instance's name
    std::optional<std::uint64_t> table;  ///< the kernel table number, when written
    location table_loc;  ///< of the table number
    std::vector<name> upstreams;  ///< in priority order
    std::vector<name> downstreams;  ///< as written
    location loc;  ///< of the keyword
};

/// @brief Upstream or downstream side of an instance.
enum class side : std::uint8_t { upstream, downstream };
/// @brief Direction of a filter binding.
enum class direction : std::uint8_t { in, out };

/// @brief `pinstance N upstream|downstream IF|* in|out whitelist|blacklist table ...;`
struct binding_stmt {
    name instance;  ///< the instance bound
    side which = side::upstream;  ///< upstream or downstream
    std::optional<name> iface;  ///< nullopt for '*'
    location iface_loc;  ///< of the interface or the '*'
    direction dir = direction::in;  ///< in or out
    bool whitelist = true;  ///< false: blacklist
    std::optional<name> table_ref;  ///< `table NAME`
    rule_list inline_rules;         ///< `table { ... }` when table_ref is empty
    location loc;  ///< of the keyword
};

/// @brief `pinstance N upstream|downstream IF|* in|out rulematching all|first|mutex MS;`
struct rulematching_stmt {
    name instance;  ///< the instance
    side which = side::upstream;  ///< upstream or downstream
    std::optional<name> iface;  ///< nullopt for '*' (the classic language allowed a name)
    location iface_loc;  ///< of the interface or the '*'
    direction dir = direction::in;  ///< in or out
    std::string kind;  ///< all, first, mutex
    location kind_loc;  ///< of the kind word
    std::optional<std::string> timeout;  ///< mutex timeout as written
    location timeout_loc;  ///< of the timeout
    location loc;  ///< of the keyword
};

/// @brief One `key value` (or bare flag such as `fastleave`) of a settings statement.
struct setting {
    std::string key;  ///< lower case
    std::optional<std::string> value;  ///< nullopt for a bare flag
    location loc;  ///< of the key
    location value_loc;  ///< of the value
};

/// @brief `pinstance N downstream IF|* KEY VALUE ... [fastleave];`
struct tuning_stmt {
    name instance;  ///< the instance
    std::optional<name> iface;  ///< nullopt for '*'
    location iface_loc;  ///< of the interface or the '*'
    std::vector<setting> settings;  ///< in order
    location loc;  ///< of the keyword
};

/// @brief `pinstance N route-idle-timeout T;` (instance-wide settings).
struct instance_option_stmt {
    name instance;  ///< the instance
    std::vector<setting> settings;  ///< in order
    location loc;  ///< of the keyword
};

/// @brief Any statement.
using statement = std::variant<protocol_stmt, disable_stmt, table_stmt, instance_stmt, binding_stmt,
                               rulematching_stmt, tuning_stmt, instance_option_stmt>;

/// @brief A parsed file: its statements in order.
struct file {
    std::vector<statement> statements;  ///< in file order
};

}  // namespace mcproxy::config::ast
