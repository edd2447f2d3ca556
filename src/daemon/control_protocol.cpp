// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/control_protocol.hpp"

#include <charconv>
#include <vector>

#include "mcproxy/daemon/json_writer.hpp"

namespace mcproxy::daemon {

namespace {

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> w;
    std::size_t i = 0;
    // Bounded: each pass consumes at least one character.
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) w.push_back(line.substr(start, i - start));
    }
    return w;
}

/// Printable ASCII in quotes, anything else as \xNN: error messages echo
/// the client's words without letting it inject control characters.
std::string quoted(std::string_view s) {
    static constexpr const char* hex = "0123456789abcdef";
    std::string q = "'";
    for (char ch : s.substr(0, 64)) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c < 0x7F) {
            q += ch;
        } else {
            q += "\\x";
            q += hex[c >> 4];
            q += hex[c & 0xF];
        }
    }
    if (s.size() > 64) q += "...";
    return q + "'";
}

const char* const views_list = "status, interfaces, groups, sources, routes, stats";

}  // namespace

std::string control_request::to_line() const {
    std::string s;
    switch (command) {
        case command_kind::show: s = std::string("show ") + to_string(view); break;
        case command_kind::reload: s = "reload"; break;
        case command_kind::version: s = "version"; break;
        case command_kind::help: s = "help"; break;
    }
    if (json) s += " --json";
    return s;
}

std::variant<control_request, std::string> parse_request(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() >= max_request_length) return std::string("request too long");
    for (char ch : line) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c >= 0x7F) return std::string("request contains a non-printable character");
    }
    const auto w = words(line);
    if (w.empty()) return std::string("empty request (try 'help')");

    control_request r;
    std::vector<std::string_view> args;
    for (std::size_t i = 1; i < w.size(); ++i) {
        if (w[i] == "--json")
            r.json = true;
        else if (w[i].starts_with("-"))
            return "unknown option " + quoted(w[i]);
        else
            args.push_back(w[i]);
    }
    const std::string_view cmd = w[0];
    if (cmd == "show") {
        r.command = command_kind::show;
        if (args.empty()) return std::string("'show' needs what to show: ") + views_list;
        const auto v = parse_status_view(args[0]);
        if (!v) return "cannot show " + quoted(args[0]) + " (choose from " + views_list + ")";
        r.view = *v;
        if (args.size() > 1) return "unexpected argument " + quoted(args[1]);
        return r;
    }
    if (cmd == "reload" || cmd == "version" || cmd == "help") {
        r.command = cmd == "reload" ? command_kind::reload : cmd == "version" ? command_kind::version : command_kind::help;
        if (!args.empty()) return "unexpected argument " + quoted(args[0]);
        if (r.json && r.command != command_kind::version) return "'" + std::string(cmd) + "' has no --json output";
        return r;
    }
    return "unknown request " + quoted(cmd) + " (try 'help')";
}

std::string request_help() {
    return "requests:\n"
           "  show status|interfaces|groups|sources|routes|stats [--json]\n"
           "  reload\n"
           "  version [--json]\n"
           "  help\n";
}

control_reply control_reply::error(std::string message) {
    if (message.empty() || message.back() != '\n') message += '\n';
    return {false, std::move(message)};
}

control_reply status_reply(const control_request& request, const std::vector<instance_status>& instances) {
    if (request.command != command_kind::show) return control_reply::error("not a show request");
    return control_reply::success(request.json ? format_json(instances, request.view)
                                               : format_text(instances, request.view));
}

control_reply version_reply(const control_request& request) {
    if (!request.json) return control_reply::success(std::string("mcproxy ") + MCPROXY_VERSION + "\n");
    json_writer w;
    w.begin_object();
    w.member("mcproxy_version", MCPROXY_VERSION);
    w.member("schema_version", status_schema_version);
    w.end_object();
    return control_reply::success(w.take() + "\n");
}

std::string encode_reply(const control_reply& r) {
    std::string out = r.ok ? "OK " : "ERR ";
    out += std::to_string(r.body.size());
    out += '\n';
    out += r.body;
    return out;
}

reply_decoder::state reply_decoder::feed(std::string_view bytes) {
    if (state_ != state::need_more) return state_;
    if (!have_header_) {
        const auto nl = bytes.find('\n');
        const std::size_t take = nl == std::string_view::npos ? bytes.size() : nl;
        header_.append(bytes.substr(0, take));
        if (header_.size() > 32) {
            error_ = "reply header too long";
            return state_ = state::bad;
        }
        if (nl == std::string_view::npos) return state_;
        bytes.remove_prefix(nl + 1);
        std::string_view h = header_;
        if (h.starts_with("OK ")) {
            reply_.ok = true;
            h.remove_prefix(3);
        } else if (h.starts_with("ERR ")) {
            reply_.ok = false;
            h.remove_prefix(4);
        } else {
            error_ = "reply does not start with OK or ERR";
            return state_ = state::bad;
        }
        const auto [end, ec] = std::from_chars(h.data(), h.data() + h.size(), length_);
        if (ec != std::errc() || end != h.data() + h.size() || h.empty()) {
            error_ = "bad reply length";
            return state_ = state::bad;
        }
        if (length_ > max_reply_length) {
            error_ = "reply too long";
            return state_ = state::bad;
        }
        have_header_ = true;
        reply_.body.reserve(length_);
    }
    const std::size_t want = length_ - reply_.body.size();
    reply_.body.append(bytes.substr(0, want));
    if (reply_.body.size() == length_) state_ = state::done;
    return state_;
}

}  // namespace mcproxy::daemon
