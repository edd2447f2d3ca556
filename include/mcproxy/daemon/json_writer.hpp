// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief A small streaming JSON writer (RFC 8259) for status output.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcproxy::daemon {

/// @brief Appends `s` as a JSON string literal (with quotes) to `out`.
/// Control characters, quote and backslash are escaped; invalid UTF-8
/// (interface names are raw kernel bytes) becomes U+FFFD, so the output is
/// always valid JSON.
void append_json_string(std::string& out, std::string_view s);

/// @brief Writes one JSON document; objects and arrays nest.
///
/// Misuse (a value where a key is needed, unbalanced end) throws
/// std::logic_error: it is a programming error, never caused by input.
class json_writer {
public:
    /// @brief `indent` spaces per level (0: compact, one line).
    explicit json_writer(unsigned indent = 0) : indent_(indent) {}

    /// @brief Starts an object (as a value).
    json_writer& begin_object();
    /// @brief Ends the innermost object.
    json_writer& end_object();
    /// @brief Starts an array (as a value).
    json_writer& begin_array();
    /// @brief Ends the innermost array.
    json_writer& end_array();
    /// @brief Writes the key of the next member (inside an object only).
    json_writer& key(std::string_view k);

    /// @brief A string value.
    json_writer& value(std::string_view s);
    /// @brief A string value (disambiguates from bool).
    json_writer& value(const char* s) { return value(std::string_view(s)); }
    /// @brief A string value.
    json_writer& value(const std::string& s) { return value(std::string_view(s)); }
    /// @brief true / false.
    json_writer& value(bool b);
    /// @brief An unsigned integer.
    json_writer& value(std::uint64_t n);
    /// @brief An unsigned integer.
    json_writer& value(unsigned n) { return value(static_cast<std::uint64_t>(n)); }
    /// @brief A signed integer.
    json_writer& value(std::int64_t n);
    /// @brief null.
    json_writer& null();
    /// @brief The value, or null.
    template <typename T>
    json_writer& value(const std::optional<T>& v) {
        return v ? value(*v) : null();
    }

    /// @brief key(k).value(v).
    template <typename T>
    json_writer& member(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

    /// @brief Whether exactly one complete value has been written.
    bool complete() const { return stack_.empty() && done_; }
    /// @brief The document (complete or not).
    const std::string& str() const { return out_; }
    /// @brief Moves the document out.
    std::string take() { return std::move(out_); }

private:
    enum class frame : std::uint8_t { object, array };
    struct level {
        frame kind;
        bool empty = true;
        bool has_key = false;
    };
    void before_value();
    void newline();

    std::string out_;
    std::vector<level> stack_;
    unsigned indent_ = 0;
    bool done_ = false;
};

}  // namespace mcproxy::daemon
