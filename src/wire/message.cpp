// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/message.hpp"

namespace mcproxy::wire {

const char* to_string(version v) {
    switch (v) {
        case version::igmpv1: return "IGMPv1";
        case version::igmpv2: return "IGMPv2";
        case version::igmpv3: return "IGMPv3";
        case version::mldv1: return "MLDv1";
        case version::mldv2: return "MLDv2";
    }
    return "?";
}

net::family family_of(version v) {
    return (v == version::mldv1 || v == version::mldv2) ? net::family::ipv6 : net::family::ipv4;
}

const char* to_string(record_type t) {
    switch (t) {
        case record_type::mode_is_include: return "IS_IN";
        case record_type::mode_is_exclude: return "IS_EX";
        case record_type::change_to_include: return "TO_IN";
        case record_type::change_to_exclude: return "TO_EX";
        case record_type::allow_new_sources: return "ALLOW";
        case record_type::block_old_sources: return "BLOCK";
    }
    return "?";
}

version version_of(const message& m) {
    return std::visit([](const auto& x) { return x.ver; }, m);
}

}  // namespace mcproxy::wire
