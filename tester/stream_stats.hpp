// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief What a receiver measures: loss, duplicates, reordering and
/// one-way delay per stream, and the one-line JSON summary.
///
/// Header-only so the unit tests can compile it without the tester's main.
#pragma once

#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "payload.hpp"

namespace mcproxy::tester {

/// @brief Sequence numbers remembered per stream for duplicate detection;
/// beyond this the receiver stops counting duplicates (and says so) rather
/// than growing without bound.
inline constexpr std::size_t max_tracked_seqs = 1U << 22;
/// @brief Delay samples kept for the median; later ones only update min/max.
inline constexpr std::size_t max_delay_samples = 1U << 21;

/// @brief Counters of one stream (one sender run, one stream id).
struct stream_stats {
    std::uint64_t first_seq = 0;  ///< sequence number of the first packet received
    std::uint64_t min_seq = 0;    ///< lowest sequence number received
    std::uint64_t max_seq = 0;    ///< highest sequence number received
    std::uint64_t received = 0;   ///< every packet, duplicates included
    std::uint64_t unique = 0;     ///< distinct sequence numbers
    std::uint64_t duplicates = 0; ///< packets whose sequence number was seen before
    std::uint64_t reordered = 0;  ///< new packets older than the newest seen
    bool dup_tracking_full = false;  ///< max_tracked_seqs reached
    std::unordered_set<std::uint64_t> seen;  ///< sequence numbers received

    /// @brief Counts one packet.
    void add(std::uint64_t seq) {
        if (received == 0) {
            first_seq = min_seq = max_seq = seq;
        }
        ++received;
        if (!dup_tracking_full) {
            if (!seen.insert(seq).second) {
                ++duplicates;
                return;
            }
            if (seen.size() >= max_tracked_seqs) dup_tracking_full = true;
        }
        ++unique;
        if (unique > 1 && seq < max_seq) ++reordered;
        min_seq = std::min(min_seq, seq);
        max_seq = std::max(max_seq, seq);
    }

    /// @brief Packets missing between the lowest and highest number
    /// received. Loss before the first or after the last packet received is
    /// invisible (a receiver may start late); the sender's count tells that.
    std::uint64_t lost() const {
        if (unique == 0) return 0;
        const std::uint64_t span = max_seq - min_seq + 1;
        return span > unique ? span - unique : 0;
    }

    /// @brief The highest sequence number between the lowest and highest
    /// received that never arrived; nullopt when there is no gap, or when
    /// duplicate tracking stopped (the set of numbers is then incomplete).
    /// Tells a gap right behind the packets a kernel held for an unresolved
    /// route from a gap in the middle of a stream.
    std::optional<std::uint64_t> max_missing_seq() const {
        if (dup_tracking_full || lost() == 0) return std::nullopt;
        for (std::uint64_t s = max_seq; s > min_seq; --s)
            if (seen.count(s - 1) == 0) return s - 1;
        return std::nullopt;
    }
};

/// @brief Minimum, median and maximum of the one-way delay, microseconds.
struct delay_summary {
    double min_us = 0;     ///< smallest delay
    double median_us = 0;  ///< median of the kept samples
    double max_us = 0;     ///< largest delay
};

/// @brief Everything one receiver run measured.
class receiver_stats {
public:
    /// @brief Counts one decoded packet from `source`, received at
    /// CLOCK_REALTIME `recv_ns`.
    void add(const payload& p, const std::string& source, std::int64_t recv_ns) {
        if (total_ == 0) {
            first_seq_ = p.seq;
            first_stream_ = p.stream_id;
            first_recv_ns_ = recv_ns;
        }
        ++total_;
        last_recv_ns_ = recv_ns;
        streams_[p.stream_id].add(p.seq);
        ++sources_[source];
        const std::int64_t d = recv_ns - p.send_ns;
        if (total_ == 1 || d < min_delay_ns_) min_delay_ns_ = d;
        if (total_ == 1 || d > max_delay_ns_) max_delay_ns_ = d;
        if (delays_ns_.size() < max_delay_samples) delays_ns_.push_back(d);
    }
    /// @brief Counts a datagram that is not ours (bad magic, too short).
    void add_foreign() { ++foreign_; }

    /// @brief Packets counted, duplicates included.
    std::uint64_t received() const { return total_; }
    /// @brief Distinct packets over all streams.
    std::uint64_t unique() const { return sum(&stream_stats::unique); }
    /// @brief Duplicates over all streams.
    std::uint64_t duplicates() const { return sum(&stream_stats::duplicates); }
    /// @brief Reordered packets over all streams.
    std::uint64_t reordered() const { return sum(&stream_stats::reordered); }
    /// @brief Lost packets over all streams (see stream_stats::lost).
    std::uint64_t lost() const {
        std::uint64_t n = 0;
        for (const auto& [id, s] : streams_) n += s.lost();
        return n;
    }
    /// @brief The lowest sequence number received over all streams, if any.
    std::optional<std::uint64_t> min_seq() const {
        std::optional<std::uint64_t> m;
        for (const auto& [id, s] : streams_)
            if (s.unique > 0 && (!m || s.min_seq < *m)) m = s.min_seq;
        return m;
    }
    /// @brief The highest sequence number received over all streams, if any.
    std::optional<std::uint64_t> max_seq() const {
        std::optional<std::uint64_t> m;
        for (const auto& [id, s] : streams_)
            if (s.unique > 0 && (!m || s.max_seq > *m)) m = s.max_seq;
        return m;
    }
    /// @brief The highest missing sequence number over all streams (see
    /// stream_stats::max_missing_seq), if any.
    std::optional<std::uint64_t> max_missing_seq() const {
        std::optional<std::uint64_t> m;
        for (const auto& [id, s] : streams_) {
            const auto gap = s.max_missing_seq();
            if (gap && (!m || *gap > *m)) m = gap;
        }
        return m;
    }
    /// @brief Datagrams on the port that were not test payloads.
    std::uint64_t foreign() const { return foreign_; }
    /// @brief Per stream id.
    const std::map<std::uint32_t, stream_stats>& streams() const { return streams_; }
    /// @brief Packets per source address.
    const std::map<std::string, std::uint64_t>& sources() const { return sources_; }
    /// @brief Sequence number of the first packet received, if any.
    std::optional<std::uint64_t> first_seq() const {
        return total_ ? std::optional<std::uint64_t>(first_seq_) : std::nullopt;
    }
    /// @brief CLOCK_REALTIME of the first packet received, ns; 0 if none.
    std::int64_t first_recv_ns() const { return first_recv_ns_; }
    /// @brief CLOCK_REALTIME of the last packet received, ns; 0 if none.
    std::int64_t last_recv_ns() const { return last_recv_ns_; }

    /// @brief Delay figures; nullopt when nothing was received.
    std::optional<delay_summary> delay() const {
        if (total_ == 0) return std::nullopt;
        std::vector<std::int64_t> v = delays_ns_;
        const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
        std::nth_element(v.begin(), mid, v.end());
        double median = static_cast<double>(*mid);
        if (v.size() % 2 == 0) {
            // Even count: the mean of the two middle values.
            const auto lower = *std::max_element(v.begin(), mid);
            median = (median + static_cast<double>(lower)) / 2.0;
        }
        return delay_summary{static_cast<double>(min_delay_ns_) / 1000.0, median / 1000.0,
                             static_cast<double>(max_delay_ns_) / 1000.0};
    }

private:
    std::uint64_t sum(std::uint64_t stream_stats::*field) const {
        std::uint64_t n = 0;
        for (const auto& [id, s] : streams_) n += s.*field;
        return n;
    }

    std::uint64_t total_ = 0;
    std::uint64_t foreign_ = 0;
    std::uint64_t first_seq_ = 0;
    std::uint32_t first_stream_ = 0;
    std::int64_t first_recv_ns_ = 0;
    std::int64_t last_recv_ns_ = 0;
    std::int64_t min_delay_ns_ = 0;
    std::int64_t max_delay_ns_ = 0;
    std::vector<std::int64_t> delays_ns_;
    std::map<std::uint32_t, stream_stats> streams_;
    std::map<std::string, std::uint64_t> sources_;
};

/// @brief Escapes a string for JSON (interface names and addresses only,
/// but a stray quote must not break the line).
inline std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

/// @brief Seconds since the epoch with microsecond digits, from ns.
inline std::string json_time(std::int64_t ns) {
    char buf[48];
    const std::int64_t sec = ns / 1000000000;
    const std::int64_t usec = (ns % 1000000000) / 1000;
    std::snprintf(buf, sizeof buf, "%" PRId64 ".%06" PRId64, sec, usec < 0 ? -usec : usec);
    return buf;
}

/// @brief Context of a receiver run, printed alongside the figures.
struct receive_context {
    std::string iface;       ///< interface joined on
    std::string group;       ///< group address
    unsigned port = 0;       ///< UDP port
    double elapsed_s = 0;    ///< how long the receiver listened
};

/// @brief The one-line machine-readable summary (`receive --json`).
/// Field names are stable; tests and the demo parse them.
inline std::string summary_json(const receiver_stats& st, const receive_context& ctx) {
    std::string j = "{";
    auto field = [&j](const char* name, const std::string& value) {
        if (j.size() > 1) j += ",";
        j += json_string(name) + ":" + value;
    };
    auto num = [](std::uint64_t v) { return std::to_string(v); };
    auto dbl = [](double v, const char* fmt) {
        char buf[64];
        std::snprintf(buf, sizeof buf, fmt, v);
        return std::string(buf);
    };
    field("iface", json_string(ctx.iface));
    field("group", json_string(ctx.group));
    field("port", num(ctx.port));
    field("elapsed_s", dbl(ctx.elapsed_s, "%.3f"));
    field("received", num(st.received()));
    field("unique", num(st.unique()));
    field("lost", num(st.lost()));
    field("duplicates", num(st.duplicates()));
    field("reordered", num(st.reordered()));
    field("foreign", num(st.foreign()));
    field("streams", num(st.streams().size()));
    const auto first = st.first_seq();
    field("first_seq", first ? num(*first) : "null");
    const auto lowest = st.min_seq();
    const auto highest = st.max_seq();
    field("min_seq", lowest ? num(*lowest) : "null");
    field("max_seq", highest ? num(*highest) : "null");
    const auto gap = st.max_missing_seq();
    field("max_missing_seq", gap ? num(*gap) : "null");
    field("first_packet_time", st.received() ? json_time(st.first_recv_ns()) : "null");
    field("last_packet_time", st.received() ? json_time(st.last_recv_ns()) : "null");
    if (const auto d = st.delay()) {
        field("delay_us", "{\"min\":" + dbl(d->min_us, "%.1f") + ",\"median\":" +
                              dbl(d->median_us, "%.1f") + ",\"max\":" + dbl(d->max_us, "%.1f") +
                              "}");
    } else {
        field("delay_us", "null");
    }
    std::string src = "{";
    for (const auto& [addr, n] : st.sources()) {
        if (src.size() > 1) src += ",";
        src += json_string(addr) + ":" + num(n);
    }
    field("sources", src + "}");
    return j + "}";
}

}  // namespace mcproxy::tester
