// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/wire/record_packing.hpp"

#include <algorithm>
#include <iterator>

namespace mcproxy::wire {
namespace {

struct layout {
    std::size_t header;    // record header: type, aux len, count, group
    std::size_t address;   // bytes per source
    std::size_t budget;    // bytes for records in one report
};

layout layout_for(net::family f, std::size_t mtu) {
    const bool v4 = f == net::family::ipv4;
    const std::size_t min_mtu = v4 ? 68 : 1280;  // RFC 791 / RFC 8200 5
    mtu = std::clamp<std::size_t>(mtu, min_mtu, 65535);
    return {v4 ? 8u : 20u, v4 ? 4u : 16u, mtu - report_overhead(f)};
}

class packer {
public:
    packer(version ver, layout l) : ver_(ver), l_(l) {}

    void add(group_record rec) {
        // Aux data must leave room for the header and at least one source.
        if (l_.header + rec.aux_data.size() + l_.address > l_.budget) rec.aux_data.clear();
        const std::size_t fixed = l_.header + rec.aux_data.size();
        const std::size_t size = fixed + l_.address * rec.sources.size();
        if (size <= free()) return append(std::move(rec), size);
        if (size <= l_.budget) {
            flush();
            return append(std::move(rec), size);
        }
        const std::size_t per_report = (l_.budget - fixed) / l_.address;
        // RFC 3376 4.2.16 / RFC 3810 5.2.15: an IS_EX or TO_EX record that
        // does not fit is sent once with as many sources as fit.
        if (rec.type == record_type::mode_is_exclude || rec.type == record_type::change_to_exclude) {
            rec.sources.resize(per_report);
            flush();
            return append(std::move(rec), fixed + l_.address * per_report);
        }
        // Other types: split into records with different subsets of the sources.
        std::size_t done = 0;
        const std::size_t total = rec.sources.size();
        while (done < total) {  // each pass takes >= 1 source
            if (free() < fixed + l_.address) flush();
            const std::size_t take = std::min(total - done, (free() - fixed) / l_.address);
            group_record part;
            part.type = rec.type;
            part.group = rec.group;
            part.aux_data = rec.aux_data;
            const auto first = rec.sources.begin() + static_cast<std::ptrdiff_t>(done);
            part.sources.assign(std::make_move_iterator(first),
                                std::make_move_iterator(first + static_cast<std::ptrdiff_t>(take)));
            done += take;
            append(std::move(part), fixed + l_.address * take);
        }
    }

    std::vector<report_v3> finish() {
        flush();
        return std::move(out_);
    }

private:
    std::size_t free() const { return l_.budget - used_; }

    void append(group_record rec, std::size_t size) {
        cur_.records.push_back(std::move(rec));
        used_ += size;
    }

    void flush() {
        if (cur_.records.empty()) return;
        out_.push_back(std::move(cur_));
        cur_ = report_v3{ver_, {}};
        used_ = 0;
    }

    version ver_;
    layout l_;
    report_v3 cur_{ver_, {}};
    std::size_t used_ = 0;
    std::vector<report_v3> out_;
};

}  // namespace

std::size_t report_overhead(net::family f) {
    return f == net::family::ipv4 ? 20 + 4 + 8 : 40 + 8 + 8;
}

std::size_t record_size(net::family f, const group_record& r) {
    return f == net::family::ipv4 ? 8 + 4 * r.sources.size() + r.aux_data.size()
                                  : 20 + 16 * r.sources.size() + r.aux_data.size();
}

std::vector<report_v3> pack_records(version v, std::vector<group_record> records, std::size_t mtu) {
    const net::family f = family_of(v);
    packer p(f == net::family::ipv4 ? version::igmpv3 : version::mldv2, layout_for(f, mtu));
    for (auto& r : records) p.add(std::move(r));
    return p.finish();
}

}  // namespace mcproxy::wire
