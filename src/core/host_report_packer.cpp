// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/core/host_report_packer.hpp"

#include <algorithm>

namespace mcproxy::core {

std::size_t report_header_size(net::family f) {
    // RFC 3376 4.2 behind a 20-byte IPv4 header with the 4-byte Router Alert
    // option; RFC 3810 5.2 behind the 40-byte IPv6 header and an 8-byte
    // hop-by-hop extension header with the Router Alert option.
    return f == net::family::ipv4 ? 20 + 4 + 8 : 40 + 8 + 8;
}

std::size_t record_size(net::family f, std::size_t sources) {
    // RFC 3376 4.2.4 / RFC 3810 5.2.4: fixed part plus one address per source.
    return f == net::family::ipv4 ? 8 + 4 * sources : 20 + 16 * sources;
}

std::size_t max_sources_per_record(net::family f, std::size_t mtu) {
    const std::size_t fixed = report_header_size(f) + record_size(f, 0);
    const std::size_t per_source = record_size(f, 1) - record_size(f, 0);
    if (mtu <= fixed + per_source) return 1;
    // The Number of Sources field is 16 bits wide (RFC 3376 4.2.4).
    return std::min<std::size_t>((mtu - fixed) / per_source, 0xffff);
}

namespace {

bool is_exclude_type(wire::record_type t) {
    return t == wire::record_type::mode_is_exclude || t == wire::record_type::change_to_exclude;
}

}  // namespace

packed_reports pack_reports(wire::version ver, std::vector<wire::group_record> records, std::size_t mtu) {
    const net::family fam = wire::family_of(ver);
    const std::size_t max_src = max_sources_per_record(fam, mtu);
    const std::size_t limit = std::max(mtu, report_header_size(fam) + record_size(fam, 1));

    packed_reports out;
    wire::report_v3 current{ver, {}};
    std::size_t used = report_header_size(fam);
    auto flush = [&] {
        if (!current.records.empty()) out.reports.push_back(std::move(current));
        current = wire::report_v3{ver, {}};
        used = report_header_size(fam);
    };
    auto place = [&](wire::group_record r) {
        const std::size_t size = record_size(fam, r.sources.size());
        if (used + size > limit) flush();
        used += size;
        current.records.push_back(std::move(r));
    };

    for (auto& rec : records) {
        rec.aux_data.clear();  // we never send auxiliary data
        if (rec.sources.size() <= max_src) {
            place(std::move(rec));
            continue;
        }
        if (is_exclude_type(rec.type)) {
            // RFC 3376 4.2.16: one record with as many sources as fit; the
            // rest are not reported. Sources are sorted, so the same subset
            // goes out every time.
            out.dropped_sources += rec.sources.size() - max_src;
            rec.sources.resize(max_src);
            place(std::move(rec));
            continue;
        }
        // RFC 3376 4.2.16: split into records with different source subsets,
        // each in its own report.
        for (std::size_t first = 0; first < rec.sources.size(); first += max_src) {
            const std::size_t last = std::min(rec.sources.size(), first + max_src);
            wire::group_record part{rec.type, rec.group, {}, {}};
            part.sources.assign(rec.sources.begin() + static_cast<std::ptrdiff_t>(first),
                                rec.sources.begin() + static_cast<std::ptrdiff_t>(last));
            place(std::move(part));
        }
    }
    flush();
    return out;
}

}  // namespace mcproxy::core
