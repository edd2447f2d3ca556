// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/lexer.hpp"

#include <cstdio>

namespace mcproxy::config {
namespace {

// Lexing stops after this many bad characters: a binary file should give a
// short, readable answer, not thousands of lines.
constexpr std::size_t max_lex_errors = 20;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool starts_word(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }
bool continues_word(char c) { return starts_word(c) || c == '.' || c == '@'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string show_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", u);
    return std::string("byte ") + buf;
}

class lexer {
public:
    explicit lexer(std::string_view text) : text_(text) {}

    lex_result run() {
        lex_result r;
        while (r.errors.size() < max_lex_errors) {
            skip_blank();
            token t;
            t.loc = {line_, column()};
            t.space_before = space_;
            t.line_start = line_start_;
            space_ = false;
            line_start_ = false;
            if (pos_ >= text_.size()) break;
            if (!next(t, r.errors)) continue;
            if (t.text.size() > max_token_length) {
                diagnostic d;
                d.loc = t.loc;
                d.found = t.text.substr(0, 20) + "...";
                d.expected = "at most " + std::to_string(max_token_length) + " characters";
                d.message = "word '" + d.found + "' is longer than " + std::to_string(max_token_length) + " characters";
                r.errors.push_back(std::move(d));
                continue;
            }
            r.tokens.push_back(std::move(t));
        }
        token e;
        e.kind = token_kind::end;
        e.loc = {line_, column()};
        e.space_before = true;
        e.line_start = line_start_;
        r.tokens.push_back(e);
        return r;
    }

private:
    unsigned column() const { return static_cast<unsigned>(pos_ - line_begin_ + 1); }
    char at(std::size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

    void newline() {
        ++line_;
        line_begin_ = pos_;
        line_start_ = true;
    }

    void skip_blank() {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == '\n') {
                ++pos_;
                newline();
                space_ = true;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                ++pos_;
                space_ = true;
            } else if (c == '#') {
                while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
                space_ = true;
            } else {
                return;
            }
        }
    }

    // Returns false when nothing was produced (an error was recorded).
    bool next(token& t, std::vector<diagnostic>& errors) {
        const char c = text_[pos_];
        auto single = [&](token_kind k) {
            t.kind = k;
            t.text = std::string(1, c);
            ++pos_;
            return true;
        };
        switch (c) {
        case ';': return single(token_kind::semicolon);
        case '{': return single(token_kind::lbrace);
        case '}': return single(token_kind::rbrace);
        case '(': return single(token_kind::lparen);
        case ')': return single(token_kind::rparen);
        case '|': return single(token_kind::pipe);
        case '*': return single(token_kind::star);
        case '/': return single(token_kind::slash);
        case '-': return single(token_kind::dash);
        case '"': return quoted(t, errors);
        case '=':
            if (at(pos_ + 1) == '=' && at(pos_ + 2) == '>') {
                t.kind = token_kind::arrow;
                t.text = "==>";
                pos_ += 3;
                return true;
            }
            break;
        default: break;
        }
        if (is_hex(c) || c == ':') {
            if (ipv6_like(t)) return true;
        }
        if (c == ':') return single(token_kind::colon);
        if (starts_word(c)) {
            word(t);
            return true;
        }
        diagnostic d;
        d.loc = t.loc;
        d.found = show_char(c);
        d.message = "unexpected character " + d.found;
        if (c == '=') {
            d.expected = "'==>'";
            d.message += ", expected '==>'";
        }
        errors.push_back(std::move(d));
        ++pos_;
        return false;
    }

    // Two or more ':' in a run of hex digits, ':' and '.' can only be an
    // IPv6 address; take it whole (with trailing word characters) so the
    // parser reports one bad address instead of a stray ':'.
    bool ipv6_like(token& t) {
        std::size_t end = pos_;
        unsigned colons = 0;
        while (end < text_.size() && (is_hex(text_[end]) || text_[end] == ':' || text_[end] == '.')) {
            if (text_[end] == ':') ++colons;
            ++end;
        }
        if (colons < 2) return false;
        while (end < text_.size() && (continues_word(text_[end]) || text_[end] == ':')) ++end;
        t.kind = token_kind::word;
        t.text = std::string(text_.substr(pos_, end - pos_));
        pos_ = end;
        return true;
    }

    void word(token& t) {
        const bool hyphens = !is_digit(text_[pos_]);
        std::size_t end = pos_ + 1;
        while (end < text_.size()) {
            const char c = text_[end];
            if (continues_word(c) || (hyphens && c == '-' && starts_word(at(end + 1))))
                ++end;
            else
                break;
        }
        t.kind = token_kind::word;
        t.text = std::string(text_.substr(pos_, end - pos_));
        pos_ = end;
    }

    bool quoted(token& t, std::vector<diagnostic>& errors) {
        std::size_t end = pos_ + 1;
        while (end < text_.size() && text_[end] != '"' && text_[end] != '\n') ++end;
        if (end >= text_.size() || text_[end] != '"') {
            diagnostic d;
            d.loc = t.loc;
            d.found = end >= text_.size() ? "end of file" : "end of line";
            d.expected = "'\"'";
            d.message = "unterminated quoted string: expected '\"' before " + d.found;
            errors.push_back(std::move(d));
            pos_ = end;  // resume at the newline (or the end)
            return false;
        }
        t.kind = token_kind::quoted;
        t.text = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
        pos_ = end + 1;
        return true;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_begin_ = 0;
    unsigned line_ = 1;
    bool space_ = true;
    bool line_start_ = true;
};

}  // namespace

std::string describe(token_kind k) {
    switch (k) {
    case token_kind::word: return "word";
    case token_kind::quoted: return "quoted name";
    case token_kind::semicolon: return "';'";
    case token_kind::colon: return "':'";
    case token_kind::arrow: return "'==>'";
    case token_kind::lbrace: return "'{'";
    case token_kind::rbrace: return "'}'";
    case token_kind::lparen: return "'('";
    case token_kind::rparen: return "')'";
    case token_kind::pipe: return "'|'";
    case token_kind::star: return "'*'";
    case token_kind::slash: return "'/'";
    case token_kind::dash: return "'-'";
    case token_kind::end: return "end of file";
    }
    return "token";
}

bool token::is_keyword(std::string_view keyword) const {
    if (kind != token_kind::word || text.size() != keyword.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i)
        if (lower(text[i]) != keyword[i]) return false;
    return true;
}

std::string token::describe() const {
    if (kind == token_kind::word) return "'" + text + "'";
    if (kind == token_kind::quoted) return "\"" + text + "\"";
    return config::describe(kind);
}

lex_result lex(std::string_view text) { return lexer(text).run(); }

}  // namespace mcproxy::config
