// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/parser.hpp"

#include <array>

#include "mcproxy/config/lexer.hpp"

namespace mcproxy::config {
namespace {

// Thrown inside the parser only, after the diagnostic has been recorded, to
// unwind to the statement loop; never leaves parse_syntax().
struct syntax_stop {};

constexpr std::array<std::string_view, 4> statement_keywords = {"protocol", "pinstance", "table", "disable"};

// Keys of `pinstance N downstream IF KEY VALUE ...`; the flags take no value.
constexpr std::array<std::string_view, 14> downstream_keys = {"no-fastleave",
    "query-interval",       "query-response-interval", "robustness",         "last-member-query-interval",
    "last-member-query-count", "startup-query-interval", "startup-query-count", "fastleave",
    "max-groups",           "max-sources",             "max-hosts",          "accept-off-link-reports",
    "no-accept-off-link-reports"};
constexpr std::array<std::string_view, 4> downstream_flags = {"fastleave", "no-fastleave", "accept-off-link-reports",
                                                              "no-accept-off-link-reports"};
constexpr std::array<std::string_view, 1> instance_keys = {"route-idle-timeout"};

template <std::size_t N>
bool one_of(const token& t, const std::array<std::string_view, N>& words) {
    for (auto w : words)
        if (t.is_keyword(w)) return true;
    return false;
}

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

class parser {
public:
    explicit parser(std::vector<token> toks, std::vector<diagnostic> errors)
        : toks_(std::move(toks)), errors_(std::move(errors)) {}

    syntax_result run() {
        syntax_result r;
        // Lexing stopped early after too many bad bytes: do not add more noise.
        while (peek().kind != token_kind::end && errors_.size() < max_errors) {
            try {
                statement(r.tree);
            } catch (const syntax_stop&) {
                recover();
            }
        }
        if (errors_.size() >= max_errors) {
            diagnostic d;
            d.loc = peek().loc;
            d.message = "too many errors, giving up";
            errors_.push_back(std::move(d));
        }
        r.errors = std::move(errors_);
        return r;
    }

private:
    const token& peek(std::size_t ahead = 0) const {
        const std::size_t i = pos_ + ahead;
        return i < toks_.size() ? toks_[i] : toks_.back();
    }
    const token& advance() {
        const token& t = peek();
        if (pos_ + 1 < toks_.size()) ++pos_;
        return t;
    }
    bool at(token_kind k) const { return peek().kind == k; }

    // A statement keyword first on its line ends whatever came before: it is
    // almost surely a forgotten ';' (quote an interface named like that).
    bool at_statement_start() const { return peek().line_start && one_of(peek(), statement_keywords); }

    [[noreturn]] void fail(location loc, std::string message, std::string found = {}, std::string expected = {}) {
        diagnostic d;
        d.loc = loc;
        d.message = std::move(message);
        d.found = std::move(found);
        d.expected = std::move(expected);
        errors_.push_back(std::move(d));
        throw syntax_stop{};
    }
    [[noreturn]] void unexpected(const std::string& expected) {
        const token& t = peek();
        fail(t.loc, "expected " + expected + ", found " + t.describe(), t.describe(), expected);
    }

    // Skip to the end of the broken statement.
    void recover() {
        int depth = 0;
        for (std::size_t guard = 0; guard < toks_.size() + 1 && !at(token_kind::end); ++guard) {
            if (guard > 0 && at_statement_start()) return;
            const token& t = advance();
            if (t.kind == token_kind::lbrace) ++depth;
            if (t.kind == token_kind::rbrace && depth > 0) --depth;
            if (t.kind == token_kind::semicolon && depth <= 0) return;
        }
    }

    location end_of_previous() const {
        if (pos_ == 0) return peek().loc;
        const token& p = toks_[pos_ - 1];
        const auto width = static_cast<unsigned>(p.kind == token_kind::quoted ? p.text.size() + 2 : p.text.size());
        return {p.loc.line, p.loc.column + width};
    }

    void expect_semicolon(const char* after) {
        if (at(token_kind::semicolon)) {
            advance();
            return;
        }
        const token& t = peek();
        fail(end_of_previous(), std::string("expected ';' after ") + after + ", found " + t.describe(), t.describe(),
             "';'");
    }

    void expect(token_kind k, const std::string& expected) {
        if (!at(k)) unexpected(expected);
        advance();
    }

    void expect_keyword(std::string_view kw) {
        if (!peek().is_keyword(kw)) unexpected("'" + std::string(kw) + "'");
        advance();
    }

    bool at_name() const {
        return (at(token_kind::word) || at(token_kind::quoted)) && !at_statement_start();
    }

    // Reads a name; words written with '-' and no spaces are joined, so
    // names the lexer splits (6in4-wan) still come out whole.
    ast::name name(const char* what) {
        if (!at_name()) unexpected(what);
        const token& first = advance();
        ast::name n{first.text, first.loc};
        if (first.kind != token_kind::word) return n;
        while (at(token_kind::dash) && !peek().space_before && peek(1).kind == token_kind::word &&
               !peek(1).space_before) {
            advance();
            n.text += "-" + advance().text;
        }
        return n;
    }

    void statement(ast::file& f) {
        const token& t = peek();
        if (t.kind == token_kind::semicolon) {  // empty statement, as the classic reader allowed
            advance();
            return;
        }
        if (t.is_keyword("protocol")) return protocol(f);
        if (t.is_keyword("disable")) {
            ast::disable_stmt d{advance().loc};
            expect_semicolon("'disable'");
            f.statements.emplace_back(d);
            return;
        }
        if (t.is_keyword("table")) return table(f);
        if (t.is_keyword("pinstance")) return pinstance(f);
        if (t.kind == token_kind::word)
            fail(t.loc, "unknown keyword " + t.describe() + ", expected 'protocol', 'pinstance', 'table' or 'disable'",
                 t.describe(), "'protocol', 'pinstance', 'table' or 'disable'");
        unexpected("'protocol', 'pinstance', 'table' or 'disable'");
    }

    void protocol(ast::file& f) {
        ast::protocol_stmt p;
        p.loc = advance().loc;
        const token& v = peek();
        static constexpr std::array<std::string_view, 5> versions = {"igmpv1", "igmpv2", "igmpv3", "mldv1", "mldv2"};
        if (!one_of(v, versions)) unexpected("'IGMPv1', 'IGMPv2', 'IGMPv3', 'MLDv1' or 'MLDv2'");
        p.version = lower(v.text);
        p.version_loc = v.loc;
        advance();
        expect_semicolon("the protocol");
        f.statements.emplace_back(std::move(p));
    }

    void table(ast::file& f) {
        ast::table_stmt t;
        t.loc = advance().loc;
        t.table_name = name("table name");
        if (!at(token_kind::lbrace)) unexpected("'{'");
        t.rules = rule_list(1);
        expect_semicolon("the table");
        f.statements.emplace_back(std::move(t));
    }

    ast::rule_list rule_list(unsigned depth) {
        ast::rule_list list;
        const token& open = advance();
        list.loc = open.loc;
        if (depth > max_nesting_depth)
            fail(open.loc, "tables nested too deeply: more than " + std::to_string(max_nesting_depth) + " levels",
                 "'{'", "at most " + std::to_string(max_nesting_depth) + " levels of nested tables");
        for (;;) {
            if (at(token_kind::rbrace)) {
                advance();
                return list;
            }
            if (at(token_kind::end) || at_statement_start())
                fail(list.loc,
                     "unterminated '{' (opened here): expected '}' before " + peek().describe() + " at " +
                         to_string(peek().loc),
                     peek().describe(), "'}'");
            list.rules.push_back(rule(depth));
        }
    }

    ast::rule rule(unsigned depth) {
        ast::rule r;
        r.loc = peek().loc;
        std::optional<ast::name> iface;
        // An address where a rule should start is a forgotten '(' rather than an interface.
        if (at_name() && !(at(token_kind::word) && net::address::parse(peek().text))) iface = name("interface name");
        if (!at(token_kind::lparen)) unexpected(iface ? "'('" : "a rule '(GROUP | SOURCE)', '(table ...)' or '}'");
        advance();
        if (peek().is_keyword("table")) {
            if (iface)
                fail(iface->loc, "an interface cannot qualify a table reference", "'" + iface->text + "'",
                     "'(table ...)' without an interface");
            advance();
            ast::table_rule t;
            if (at(token_kind::lbrace))
                t.inline_rules = std::make_shared<ast::rule_list>(rule_list(depth + 1));
            else
                t.ref = name("table name or '{'");
            expect(token_kind::rparen, "')'");
            r.body = std::move(t);
            return r;
        }
        ast::address_rule a;
        a.iface = std::move(iface);
        a.group = address_spec("group");
        if (!at(token_kind::pipe)) unexpected("'|' between group and source");
        advance();
        a.source = address_spec("source");
        expect(token_kind::rparen, "')'");
        r.body = std::move(a);
        return r;
    }

    net::address address(const char* what) {
        const token& t = peek();
        if (t.kind != token_kind::word) unexpected(std::string(what) + " address");
        auto a = net::address::parse(t.text);
        if (!a)
            fail(t.loc, "invalid " + std::string(what) + " address " + t.describe() + ", expected an IPv4 or IPv6 address",
                 t.describe(), "an IPv4 or IPv6 address");
        advance();
        return *a;
    }

    ast::address_spec address_spec(const char* what) {
        ast::address_spec s;
        s.loc = peek().loc;
        if (at(token_kind::star)) {
            advance();
            s.kind = ast::address_spec::form::any;
            s.text = "*";
            return s;
        }
        if (!at(token_kind::word)) unexpected(std::string(what) + " address or '*'");
        s.text = peek().text;
        s.first = address(what);
        s.kind = ast::address_spec::form::single;
        if (at(token_kind::dash)) {
            advance();
            s.last_loc = peek().loc;
            s.text += " - " + peek().text;
            s.last = address(what);
            s.kind = ast::address_spec::form::range;
        } else if (at(token_kind::slash)) {
            advance();
            const token& len = peek();
            s.last_loc = len.loc;
            if (len.kind != token_kind::word || len.text.find_first_not_of("0123456789") != std::string::npos)
                unexpected("prefix length");
            unsigned v = 0;
            for (char c : len.text) v = v > 1000 ? v : v * 10 + static_cast<unsigned>(c - '0');
            s.prefix_len = v;
            s.text += "/" + len.text;
            s.kind = ast::address_spec::form::prefix;
            advance();
        }
        return s;
    }

    void pinstance(ast::file& f) {
        const location loc = advance().loc;
        ast::name inst = name("instance name");
        if (at(token_kind::lparen) || at(token_kind::colon)) return definition(f, loc, std::move(inst));
        if (peek().is_keyword("upstream") || peek().is_keyword("downstream"))
            return binding(f, loc, std::move(inst));
        if (one_of(peek(), instance_keys)) {
            ast::instance_option_stmt o;
            o.instance = std::move(inst);
            o.loc = loc;
            while (!at(token_kind::semicolon)) {
                if (!one_of(peek(), instance_keys)) {
                    if (at(token_kind::end) || at_statement_start()) break;
                    unexpected("'route-idle-timeout' or ';'");
                }
                o.settings.push_back(setting(false));
            }
            expect_semicolon("the instance settings");
            f.statements.emplace_back(std::move(o));
            return;
        }
        unexpected("':', '(', 'upstream', 'downstream' or 'route-idle-timeout'");
    }

    void definition(ast::file& f, location loc, ast::name inst) {
        ast::instance_stmt d;
        d.loc = loc;
        d.instance_name = std::move(inst);
        if (at(token_kind::lparen)) {
            advance();
            const token& n = peek();
            d.table_loc = n.loc;
            if (n.kind != token_kind::word || n.text.empty() || n.text.size() > 19 ||
                n.text.find_first_not_of("0123456789") != std::string::npos)
                unexpected("table number");
            d.table = std::stoull(n.text);
            advance();
            expect(token_kind::rparen, "')'");
        }
        expect(token_kind::colon, "':'");
        while (at_name()) d.upstreams.push_back(name("interface name"));
        if (!at(token_kind::arrow)) unexpected("upstream interface name or '==>'");
        advance();
        while (at_name()) d.downstreams.push_back(name("interface name"));
        if (d.downstreams.empty() && at(token_kind::semicolon)) unexpected("at least one downstream interface");
        if (!at(token_kind::semicolon) && !at_statement_start() && !at(token_kind::end))
            unexpected("downstream interface name or ';'");
        expect_semicolon("the downstream interfaces");
        f.statements.emplace_back(std::move(d));
    }

    ast::setting setting(bool downstream) {
        ast::setting s;
        const token& k = peek();
        s.key = lower(k.text);
        s.loc = k.loc;
        const bool flag = downstream && one_of(k, downstream_flags);
        advance();
        if (flag) return s;
        const token& v = peek();
        if (v.kind != token_kind::word) unexpected("a value for '" + s.key + "'");
        s.value = v.text;
        s.value_loc = v.loc;
        advance();
        return s;
    }

    void binding(ast::file& f, location loc, ast::name inst) {
        const bool up = advance().is_keyword("upstream");
        std::optional<ast::name> iface;
        const location iface_loc = peek().loc;
        if (at(token_kind::star))
            advance();
        else
            iface = name("interface name or '*'");
        if (peek().is_keyword("in") || peek().is_keyword("out")) {
            const auto dir = advance().is_keyword("in") ? ast::direction::in : ast::direction::out;
            if (peek().is_keyword("whitelist") || peek().is_keyword("blacklist")) {
                ast::binding_stmt b;
                b.loc = loc;
                b.instance = std::move(inst);
                b.which = up ? ast::side::upstream : ast::side::downstream;
                b.iface = std::move(iface);
                b.iface_loc = iface_loc;
                b.dir = dir;
                b.whitelist = advance().is_keyword("whitelist");
                expect_keyword("table");
                if (at(token_kind::lbrace))
                    b.inline_rules = rule_list(1);
                else
                    b.table_ref = name("table name or '{'");
                expect_semicolon("the filter binding");
                f.statements.emplace_back(std::move(b));
                return;
            }
            if (peek().is_keyword("rulematching")) {
                advance();
                ast::rulematching_stmt m;
                m.loc = loc;
                m.instance = std::move(inst);
                m.which = up ? ast::side::upstream : ast::side::downstream;
                m.iface = std::move(iface);
                m.iface_loc = iface_loc;
                m.dir = dir;
                const token& k = peek();
                if (!k.is_keyword("all") && !k.is_keyword("first") && !k.is_keyword("mutex"))
                    unexpected("'all', 'first' or 'mutex'");
                m.kind = lower(k.text);
                m.kind_loc = k.loc;
                advance();
                if (m.kind == "mutex") {
                    if (!at(token_kind::word)) unexpected("mutex timeout in milliseconds");
                    m.timeout = peek().text;
                    m.timeout_loc = peek().loc;
                    advance();
                }
                expect_semicolon("the rule matching");
                f.statements.emplace_back(std::move(m));
                return;
            }
            unexpected("'whitelist', 'blacklist' or 'rulematching'");
        }
        if (!up && one_of(peek(), downstream_keys)) {
            ast::tuning_stmt t;
            t.loc = loc;
            t.instance = std::move(inst);
            t.iface = std::move(iface);
            t.iface_loc = iface_loc;
            while (one_of(peek(), downstream_keys)) t.settings.push_back(setting(true));
            if (!at(token_kind::semicolon) && !at_statement_start() && !at(token_kind::end)) {
                if (at(token_kind::word))
                    fail(peek().loc, "unknown downstream setting " + peek().describe(), peek().describe(),
                         "a downstream setting such as 'query-interval', or ';'");
                unexpected("a downstream setting or ';'");
            }
            expect_semicolon("the downstream settings");
            f.statements.emplace_back(std::move(t));
            return;
        }
        unexpected(up ? "'in' or 'out'" : "'in', 'out' or a downstream setting such as 'query-interval'");
    }

    std::vector<token> toks_;
    std::size_t pos_ = 0;
    std::vector<diagnostic> errors_;
};

}  // namespace

syntax_result parse_syntax(std::string_view text) {
    lex_result lr = lex(text);
    return parser(std::move(lr.tokens), std::move(lr.errors)).run();
}

}  // namespace mcproxy::config
