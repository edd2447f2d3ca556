// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief The test stream's UDP payload: magic, stream id, sequence number
/// and send time, so a receiver can measure loss, duplicates, reordering
/// and one-way delay.
///
/// Header-only so the unit tests can compile it without the tester's main.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace mcproxy::tester {

/// @brief Layout version 1, all fields in network byte order:
///
///     0  4  magic "MCPT"
///     4  1  version (1)
///     5  3  reserved, zero
///     8  4  stream id (random per sender run)
///    12  8  sequence number, 0 for the first packet of a stream
///    20  8  send time, CLOCK_REALTIME nanoseconds since the epoch
///    28 ..  padding up to the requested size (byte i holds i & 0xff)
struct payload {
    std::uint32_t stream_id = 0;  ///< tells two senders apart
    std::uint64_t seq = 0;        ///< sequence number in the stream
    std::int64_t send_ns = 0;     ///< CLOCK_REALTIME at send, nanoseconds

    friend bool operator==(const payload&, const payload&) = default;
};

/// @brief Bytes every payload needs; smaller --size values are refused.
inline constexpr std::size_t payload_header_size = 28;
/// @brief Largest payload we send: fits an IPv4 UDP datagram (65507).
inline constexpr std::size_t payload_max_size = 65507;
/// @brief Current layout version.
inline constexpr std::uint8_t payload_version = 1;

namespace detail {
inline void put_be(std::uint8_t* p, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        p[i] = static_cast<std::uint8_t>(v & 0xffU);
        v >>= 8;
    }
}
inline std::uint64_t get_be(const std::uint8_t* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[i];
    return v;
}
}  // namespace detail

/// @brief Writes `p` into `out`, which must hold at least
/// payload_header_size bytes; the rest of `out` is filled with padding.
/// Returns false (and writes nothing) when `out` is too small.
inline bool encode_payload(const payload& p, std::span<std::uint8_t> out) {
    if (out.size() < payload_header_size) return false;
    std::uint8_t* b = out.data();
    b[0] = 'M';
    b[1] = 'C';
    b[2] = 'P';
    b[3] = 'T';
    b[4] = payload_version;
    b[5] = b[6] = b[7] = 0;
    detail::put_be(b + 8, p.stream_id, 4);
    detail::put_be(b + 12, p.seq, 8);
    detail::put_be(b + 20, static_cast<std::uint64_t>(p.send_ns), 8);
    for (std::size_t i = payload_header_size; i < out.size(); ++i)
        b[i] = static_cast<std::uint8_t>(i & 0xffU);
    return true;
}

/// @brief Convenience form: a fresh buffer of `size` bytes (at least the
/// header size).
inline std::vector<std::uint8_t> encode_payload(const payload& p, std::size_t size) {
    std::vector<std::uint8_t> out(size < payload_header_size ? payload_header_size : size);
    encode_payload(p, out);
    return out;
}

/// @brief Decodes a received datagram; nullopt if it is too short, has the
/// wrong magic or an unknown version (foreign traffic on the port).
/// Padding is not checked: a sender may use any size.
inline std::optional<payload> decode_payload(std::span<const std::uint8_t> in) {
    if (in.size() < payload_header_size) return std::nullopt;
    const std::uint8_t* b = in.data();
    if (b[0] != 'M' || b[1] != 'C' || b[2] != 'P' || b[3] != 'T') return std::nullopt;
    if (b[4] != payload_version) return std::nullopt;
    payload p;
    p.stream_id = static_cast<std::uint32_t>(detail::get_be(b + 8, 4));
    p.seq = detail::get_be(b + 12, 8);
    p.send_ns = static_cast<std::int64_t>(detail::get_be(b + 20, 8));
    return p;
}

}  // namespace mcproxy::tester
