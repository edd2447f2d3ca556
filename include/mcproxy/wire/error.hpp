// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Why a packet was rejected (or could not be built), and a small
/// value-or-error result type used by every wire function.
#pragma once

#include <cstdint>
#include <utility>
#include <optional>
#include <type_traits>

namespace mcproxy::wire {

/// @brief Reasons for rejecting input or refusing to encode.
///
/// The names returned by to_string() are stable and meant as counter labels.
enum class error : std::uint8_t {
    truncated,        ///< buffer ends before a fixed-size part of the message
    bad_length,       ///< length not allowed for this type (RFC 3376 7.1, RFC 3810 8.1)
    bad_count,        ///< a source/record count or aux length points past the buffer
    bad_checksum,     ///< Internet checksum does not verify
    unknown_type,     ///< IGMP/ICMPv6 type that is not a membership message
    not_multicast,    ///< group address is neither multicast nor (for queries) zero
    fragment,         ///< IPv4 fragment or IPv6 fragment header
    bad_ip_header,    ///< version, header length, total length or options malformed
    wrong_protocol,   ///< not IGMP (IPv4 protocol 2) / not ICMPv6 (next header 58)
    bad_ext_header,   ///< IPv6 extension header malformed or too many of them
    wrong_version,    ///< encode: message version does not fit the codec or type
    wrong_family,     ///< encode: an address of the wrong family
    too_many_sources, ///< encode: more sources/records than the 16-bit counts or 64 KiB allow
    bad_aux_data,     ///< encode: aux data not a multiple of 4 bytes or longer than 1020
};

/// @brief Stable lower-case name, e.g. "bad_checksum".
const char* to_string(error e);

/// @brief Either a value or an error (std::expected is C++23).
template <class T>
class result {
public:
    /// @brief A successful result.
    result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
    /// @brief A successful result built in place from something T is made of
    /// (e.g. a query into a result<message>), without a temporary T.
    template <class U>
        requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
                 !std::is_same_v<std::remove_cvref_t<U>, error>)
    result(U&& u) : v_(std::in_place, std::forward<U>(u)) {}  // NOLINT: implicit by design
    /// @brief A failed result.
    result(error e) : err_(e) {}  // NOLINT: implicit by design

    /// @brief True when a value is held.
    bool ok() const { return v_.has_value(); }
    /// @brief Same as ok().
    explicit operator bool() const { return ok(); }
    /// @brief The value; only valid when ok().
    T& value() { return v_.value(); }
    /// @brief The value; only valid when ok() (read-only).
    const T& value() const { return v_.value(); }
    /// @brief The value; only valid when ok().
    T& operator*() { return value(); }
    /// @brief The value; only valid when ok() (read-only).
    const T& operator*() const { return value(); }
    /// @brief Member access to the value; only valid when ok().
    T* operator->() { return &value(); }
    /// @brief Member access to the value; only valid when ok() (read-only).
    const T* operator->() const { return &value(); }
    /// @brief The error; only meaningful when !ok().
    error err() const { return err_; }

private:
    // optional + enum rather than std::variant<T, error>: g++ 12 with
    // sanitizers warns (falsely) about variant-in-variant moves.
    std::optional<T> v_;
    error err_ = error::truncated;
};

}  // namespace mcproxy::wire
