// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief A strict little JSON reader (RFC 8259) for checking the status
/// output in tests: it rejects anything a real parser would reject
/// (trailing commas, bad escapes, raw control characters, leftovers).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mcproxy::daemon::json_test {

struct value;
using object = std::map<std::string, value>;
using array = std::vector<value>;

/// @brief A parsed JSON value (numbers kept as their text).
struct value {
    struct number {
        std::string text;
    };
    std::variant<std::nullptr_t, bool, number, std::string, std::shared_ptr<array>, std::shared_ptr<object>> v;

    bool is_null() const { return std::holds_alternative<std::nullptr_t>(v); }
    bool is_bool() const { return std::holds_alternative<bool>(v); }
    bool is_number() const { return std::holds_alternative<number>(v); }
    bool is_string() const { return std::holds_alternative<std::string>(v); }
    bool is_array() const { return std::holds_alternative<std::shared_ptr<array>>(v); }
    bool is_object() const { return std::holds_alternative<std::shared_ptr<object>>(v); }
    bool boolean() const { return std::get<bool>(v); }
    std::uint64_t u64() const { return std::stoull(std::get<number>(v).text); }
    const std::string& str() const { return std::get<std::string>(v); }
    const array& arr() const { return *std::get<std::shared_ptr<array>>(v); }
    const object& obj() const { return *std::get<std::shared_ptr<object>>(v); }
    /// @brief Member `k` of an object; throws if missing.
    const value& operator[](const std::string& k) const {
        const auto& o = obj();
        auto it = o.find(k);
        if (it == o.end()) throw std::out_of_range("no member '" + k + "'");
        return it->second;
    }
    /// @brief Element `i` of an array.
    const value& operator[](std::size_t i) const { return arr().at(i); }
    /// @brief Whether an object has member `k`.
    bool has(const std::string& k) const { return is_object() && obj().count(k) > 0; }
    /// @brief The member names of an object.
    std::set<std::string> keys() const {
        std::set<std::string> k;
        for (const auto& [name, x] : obj()) k.insert(name);
        return k;
    }
};

/// @brief Parses a whole document; throws std::runtime_error with the
/// offset on any syntax error.
class parser {
public:
    explicit parser(std::string_view text) : s_(text) {}
    value parse() {
        value v = parse_value(0);
        skip_ws();
        if (pos_ != s_.size()) fail("text after the value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON error at " + std::to_string(pos_) + ": " + what);
    }
    void skip_ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }
    bool eat(char c) {
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    void expect(char c) {
        if (!eat(c)) fail(std::string("expected '") + c + "'");
    }
    bool literal(std::string_view word) {
        if (s_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }
    value parse_value(int depth) {
        if (depth > 64) fail("nested too deep");
        skip_ws();
        if (pos_ >= s_.size()) fail("unexpected end");
        const char c = s_[pos_];
        if (c == '{') return parse_object(depth);
        if (c == '[') return parse_array(depth);
        if (c == '"') return value{parse_string()};
        if (literal("null")) return value{nullptr};
        if (literal("true")) return value{true};
        if (literal("false")) return value{false};
        return parse_number();
    }
    value parse_object(int depth) {
        expect('{');
        auto o = std::make_shared<object>();
        if (eat('}')) return value{o};
        do {
            skip_ws();
            if (pos_ >= s_.size() || s_[pos_] != '"') fail("expected a key");
            std::string k = parse_string();
            if (o->count(k)) fail("duplicate key '" + k + "'");
            expect(':');
            (*o)[k] = parse_value(depth + 1);
        } while (eat(','));
        expect('}');
        return value{o};
    }
    value parse_array(int depth) {
        expect('[');
        auto a = std::make_shared<array>();
        if (eat(']')) return value{a};
        do {
            a->push_back(parse_value(depth + 1));
        } while (eat(','));
        expect(']');
        return value{a};
    }
    unsigned hex4() {
        if (pos_ + 4 > s_.size()) fail("short \\u escape");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = s_[pos_++];
            v <<= 4;
            if (h >= '0' && h <= '9')
                v |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f')
                v |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
                v |= static_cast<unsigned>(h - 'A' + 10);
            else
                fail("bad hex digit");
        }
        return v;
    }
    static void utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    std::string parse_string() {
        ++pos_;  // opening quote
        std::string out;
        while (true) {
            if (pos_ >= s_.size()) fail("unterminated string");
            const auto c = static_cast<unsigned char>(s_[pos_++]);
            if (c == '"') return out;
            if (c < 0x20) fail("raw control character in string");
            if (c != '\\') {
                out += static_cast<char>(c);
                continue;
            }
            if (pos_ >= s_.size()) fail("unterminated escape");
            const char e = s_[pos_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': utf8(out, hex4()); break;
                default: fail("bad escape");
            }
        }
    }
    value parse_number() {
        const std::size_t start = pos_;
        if (pos_ < s_.size() && s_[pos_] == '-') ++pos_;
        if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') fail("expected a value");
        if (s_[pos_] == '0' && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9')
            fail("leading zero");
        while (pos_ < s_.size() && ((s_[pos_] >= '0' && s_[pos_] <= '9') || s_[pos_] == '.' || s_[pos_] == 'e' ||
                                    s_[pos_] == 'E' || s_[pos_] == '+' || s_[pos_] == '-'))
            ++pos_;
        return value{value::number{std::string(s_.substr(start, pos_ - start))}};
    }

    std::string_view s_;
    std::size_t pos_ = 0;
};

/// @brief Parses `text` (throws on error).
inline value parse(std::string_view text) { return parser(text).parse(); }

}  // namespace mcproxy::daemon::json_test
