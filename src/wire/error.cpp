// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/error.hpp"

namespace mcproxy::wire {

const char* to_string(error e) {
    switch (e) {
        case error::truncated: return "truncated";
        case error::bad_length: return "bad_length";
        case error::bad_count: return "bad_count";
        case error::bad_checksum: return "bad_checksum";
        case error::unknown_type: return "unknown_type";
        case error::not_multicast: return "not_multicast";
        case error::fragment: return "fragment";
        case error::bad_ip_header: return "bad_ip_header";
        case error::wrong_protocol: return "wrong_protocol";
        case error::bad_ext_header: return "bad_ext_header";
        case error::wrong_version: return "wrong_version";
        case error::wrong_family: return "wrong_family";
        case error::too_many_sources: return "too_many_sources";
        case error::bad_aux_data: return "bad_aux_data";
    }
    return "unknown";
}

}  // namespace mcproxy::wire
