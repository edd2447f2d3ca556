// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/json_writer.hpp"

#include <stdexcept>

namespace mcproxy::daemon {

namespace {

constexpr const char* hex = "0123456789abcdef";

void append_u_escape(std::string& out, unsigned code) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += hex[(code >> shift) & 0xF];
}

/// Length of the valid UTF-8 sequence starting at s[i] (RFC 3629 4), or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
        if (b0 == 0xED) hi = 0x9F;  // no surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) lo = 0x90;  // no overlong forms
        if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        const unsigned char min = k == 1 ? lo : 0x80;
        const unsigned char max = k == 1 ? hi : 0xBF;
        if (b < min || b > max) return 0;
    }
    return len;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default:
                    if (c < 0x20 || c == 0x7F)
                        append_u_escape(out, c);
                    else
                        out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        const std::size_t len = utf8_length(s, i);
        if (len == 0) {
            append_u_escape(out, 0xFFFD);  // one replacement per invalid byte
            ++i;
        } else {
            out.append(s.substr(i, len));
            i += len;
        }
    }
    out += '"';
}

void json_writer::newline() {
    if (indent_ == 0) return;
    out_ += '\n';
    out_.append(static_cast<std::size_t>(indent_) * stack_.size(), ' ');
}

void json_writer::before_value() {
    if (stack_.empty()) {
        if (done_) throw std::logic_error("json_writer: second top-level value");
        done_ = true;
        return;
    }
    level& top = stack_.back();
    if (top.kind == frame::object) {
        if (!top.has_key) throw std::logic_error("json_writer: value without key in object");
        top.has_key = false;
        return;
    }
    if (!top.empty) out_ += ',';
    top.empty = false;
    newline();
}

json_writer& json_writer::key(std::string_view k) {
    if (stack_.empty() || stack_.back().kind != frame::object || stack_.back().has_key)
        throw std::logic_error("json_writer: key outside object");
    level& top = stack_.back();
    if (!top.empty) out_ += ',';
    top.empty = false;
    top.has_key = true;
    newline();
    append_json_string(out_, k);
    out_ += indent_ ? ": " : ":";
    return *this;
}

json_writer& json_writer::begin_object() {
    before_value();
    out_ += '{';
    stack_.push_back({frame::object});
    return *this;
}

json_writer& json_writer::end_object() {
    if (stack_.empty() || stack_.back().kind != frame::object || stack_.back().has_key)
        throw std::logic_error("json_writer: unbalanced end_object");
    const bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty) newline();
    out_ += '}';
    return *this;
}

json_writer& json_writer::begin_array() {
    before_value();
    out_ += '[';
    stack_.push_back({frame::array});
    return *this;
}

json_writer& json_writer::end_array() {
    if (stack_.empty() || stack_.back().kind != frame::array)
        throw std::logic_error("json_writer: unbalanced end_array");
    const bool empty = stack_.back().empty;
    stack_.pop_back();
    if (!empty) newline();
    out_ += ']';
    return *this;
}

json_writer& json_writer::value(std::string_view s) {
    before_value();
    append_json_string(out_, s);
    return *this;
}

json_writer& json_writer::value(bool b) {
    before_value();
    out_ += b ? "true" : "false";
    return *this;
}

json_writer& json_writer::value(std::uint64_t n) {
    before_value();
    out_ += std::to_string(n);
    return *this;
}

json_writer& json_writer::value(std::int64_t n) {
    before_value();
    out_ += std::to_string(n);
    return *this;
}

json_writer& json_writer::null() {
    before_value();
    out_ += "null";
    return *this;
}

}  // namespace mcproxy::daemon
