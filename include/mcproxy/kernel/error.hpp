// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Error values of the kernel layer: an errno-style code plus a
/// message that says what failed and what the user can do about it.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

namespace mcproxy::kernel {

/// @brief A failed kernel operation: the code for programs, the message for people.
struct error {
    std::error_code code;  ///< std::system_category() errno value
    std::string message;   ///< "what failed: strerror (hint)"
};

/// @brief Builds an error from an errno value, a description of the action and a fix hint.
error make_error(int errnum, std::string_view what, std::string_view hint = {});

/// @brief Outcome of an operation that returns nothing: ok() or an error.
class [[nodiscard]] status {
public:
    /// @brief Success.
    status() = default;
    /// @brief Failure.
    status(error e) : err_(std::move(e)) {}  // NOLINT(google-explicit-constructor)

    /// @brief True on success.
    bool ok() const { return !err_.has_value(); }
    /// @brief True on success.
    explicit operator bool() const { return ok(); }
    /// @brief The error; only valid when !ok().
    const error& err() const { return *err_; }
    /// @brief The error code, or a default (success) code.
    std::error_code code() const { return err_ ? err_->code : std::error_code{}; }
    /// @brief The message, or an empty string on success.
    std::string message() const { return err_ ? err_->message : std::string{}; }

private:
    std::optional<error> err_;
};

/// @brief Either a value or an error (std::expected is C++23).
template <class T>
class [[nodiscard]] result {
public:
    /// @brief Success with a value.
    result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
    /// @brief Failure.
    result(error e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT

    /// @brief True when a value is held.
    bool ok() const { return v_.index() == 0; }
    /// @brief True when a value is held.
    explicit operator bool() const { return ok(); }
    /// @brief The value; only valid when ok().
    T& value() & { assert(ok()); return std::get<0>(v_); }
    /// @brief The value; only valid when ok().
    const T& value() const& { assert(ok()); return std::get<0>(v_); }
    /// @brief Moves the value out; only valid when ok().
    T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
    /// @brief The value; only valid when ok().
    T& operator*() & { return value(); }
    /// @brief The value; only valid when ok().
    T* operator->() { return &value(); }
    /// @brief The value; only valid when ok().
    const T* operator->() const { return &value(); }
    /// @brief The error; only valid when !ok().
    const error& err() const { assert(!ok()); return std::get<1>(v_); }
    /// @brief The error code, or success.
    std::error_code code() const { return ok() ? std::error_code{} : err().code; }
    /// @brief The message, or empty on success.
    std::string message() const { return ok() ? std::string{} : err().message; }
    /// @brief The error as a status (success when a value is held).
    status as_status() const { return ok() ? status{} : status{err()}; }

private:
    std::variant<T, error> v_;
};

}  // namespace mcproxy::kernel
