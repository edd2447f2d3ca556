// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief First stage of the configuration reader: text to tokens with positions.
///
/// Word rule (documented in mcproxy.conf(5), LEXICAL CONVENTIONS):
///  - a run of hexadecimal digits, ':' and '.' that holds two or more ':' is
///    an IPv6 address (it also takes any letters, digits, '_', '.', '@' and
///    ':' that follow, so a typo becomes one bad address, not many tokens);
///  - otherwise a word starts with a letter, digit or '_' and goes on over
///    letters, digits, '_', '.' and '@';
///  - a word that starts with a letter or '_' also goes on over '-' when a
///    letter, digit or '_' follows it (br-lan, vlan-eth0.2); a word that
///    starts with a digit stops at '-', so 239.1.1.1-239.1.1.9 is a range.
///    Where an interface name is expected the parser joins words written
///    with '-' and no spaces (6in4-wan).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mcproxy/config/error.hpp"

namespace mcproxy::config {

/// @brief Longer words and quoted names are errors: no name or address is
/// that long, and messages that quote them stay short.
inline constexpr std::size_t max_token_length = 255;

/// @brief Kinds of tokens.
enum class token_kind : std::uint8_t {
    word,       ///< unquoted word: keyword, name, number, address, time
    quoted,     ///< "quoted name" (text without the quotes; never a keyword)
    semicolon,  ///< ;
    colon,      ///< :
    arrow,      ///< ==>
    lbrace,     ///< {
    rbrace,     ///< }
    lparen,     ///< (
    rparen,     ///< )
    pipe,       ///< |
    star,       ///< *
    slash,      ///< /
    dash,       ///< -
    end,        ///< end of input
};

/// @brief How a token kind is shown in messages ("';'", "end of file", ...).
std::string describe(token_kind k);

/// @brief One token with its text and position.
struct token {
    token_kind kind = token_kind::end;  ///< what kind of token
    std::string text;  ///< the text (a quoted string without its quotes)
    location loc;  ///< where it starts
    bool space_before = true;  ///< whitespace, a comment or the start of the file precede it
    bool line_start = true;    ///< first token on its line

    /// @brief Unquoted word equal to `keyword` ignoring case (keyword in lower case).
    bool is_keyword(std::string_view keyword) const;
    /// @brief How the token is shown in "found ..." parts of messages.
    std::string describe() const;
};

/// @brief Tokens of a whole text; ends with one `token_kind::end`.
struct lex_result {
    std::vector<token> tokens;  ///< the tokens, ending with `token_kind::end`
    std::vector<diagnostic> errors;  ///< file name left empty; the caller fills it
};

/// @brief Splits `text` into tokens. Never throws for any input; bad bytes
/// and unterminated quotes become errors and are skipped.
lex_result lex(std::string_view text);

}  // namespace mcproxy::config
