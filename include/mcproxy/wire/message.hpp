// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Decoded IGMP and MLD messages: the value types every layer shares.
///
/// These are protocol-level values with times in real units; the byte
/// encodings (Max Resp Code, QQIC, checksums) live in the codecs.
#pragma once

#include <chrono>
#include <cstdint>
#include <variant>
#include <vector>

#include "mcproxy/net/address.hpp"

namespace mcproxy::wire {

/// @brief The five protocol versions mcproxy speaks.
enum class version : std::uint8_t { igmpv1, igmpv2, igmpv3, mldv1, mldv2 };

/// @brief "IGMPv1" ... "MLDv2".
const char* to_string(version v);
/// @brief IPv4 for IGMP, IPv6 for MLD.
net::family family_of(version v);

/// @brief Group record types, RFC 3376 4.2.12 / RFC 3810 5.2.12 (same values).
enum class record_type : std::uint8_t {
    mode_is_include = 1,    ///< IS_IN
    mode_is_exclude = 2,    ///< IS_EX
    change_to_include = 3,  ///< TO_IN
    change_to_exclude = 4,  ///< TO_EX
    allow_new_sources = 5,  ///< ALLOW
    block_old_sources = 6,  ///< BLOCK
};
/// @brief "IS_IN", "TO_EX" etc., as the RFC tables write them.
const char* to_string(record_type t);

/// @brief One group record of an IGMPv3 / MLDv2 report.
struct group_record {
    record_type type = record_type::mode_is_include;  ///< what the record says
    net::address group;  ///< the group address
    std::vector<net::address> sources;  /**< its sources, in wire order */
    /// Auxiliary data (RFC 3376 4.2.10): kept verbatim, ignored by mcproxy.
    std::vector<std::uint8_t> aux_data;
    friend bool operator==(const group_record&, const group_record&) = default;
};

/// @brief A membership query of any version.
///
/// General query: `group` unspecified, no sources. Group-specific: `group`
/// set, no sources. Group-and-source-specific (v3/MLDv2 only): both set.
struct query {
    version ver = version::igmpv3;  ///< the query version (the decoder infers it from type and length)
    net::address group;  /**< the group; unspecified for a general query */
    /// Max Response Time. IGMPv1 queries carry 0 on the wire, which means
    /// 10 s (RFC 2236 4); the decoder reports the effective value.
    std::chrono::milliseconds max_resp{10000};
    /// v3/MLDv2 only: Suppress Router-Side Processing flag.
    bool s_flag = false;
    /// v3/MLDv2 only: Querier's Robustness Variable (0 = not set).
    std::uint8_t qrv = 0;
    /// v3/MLDv2 only: Querier's Query Interval (decoded from QQIC).
    std::chrono::seconds qqi{0};
    std::vector<net::address> sources;  ///< group-and-source-specific: the sources asked about
    friend bool operator==(const query&, const query&) = default;
};

/// @brief IGMPv3 (type 0x22) or MLDv2 (type 143) report.
struct report_v3 {
    version ver = version::igmpv3;  ///< igmpv3 or mldv2
    std::vector<group_record> records;  ///< in wire order
    friend bool operator==(const report_v3&, const report_v3&) = default;
};

/// @brief IGMPv1 (0x12), IGMPv2 (0x16) or MLDv1 (131) report of one group.
struct report_v1v2 {
    version ver = version::igmpv2;  ///< igmpv1, igmpv2 or mldv1
    net::address group;  ///< the group reported
    friend bool operator==(const report_v1v2&, const report_v1v2&) = default;
};

/// @brief IGMPv2 Leave Group (0x17) or MLDv1 Done (132).
struct leave {
    version ver = version::igmpv2;  ///< igmpv2 or mldv1
    net::address group;  ///< the group left
    friend bool operator==(const leave&, const leave&) = default;
};

/// @brief Any decoded IGMP/MLD message.
using message = std::variant<query, report_v3, report_v1v2, leave>;

/// @brief The version of any message.
version version_of(const message& m);

}  // namespace mcproxy::wire
