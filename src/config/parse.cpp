// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/config/parse.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "mcproxy/config/parser.hpp"
#include "mcproxy/config/semantic.hpp"

namespace mcproxy::config {
namespace {

bool before(const diagnostic& a, const diagnostic& b) {
    return std::pair(a.loc.line, a.loc.column) < std::pair(b.loc.line, b.loc.column);
}

parse_result failure(const std::string& file, std::string message) {
    parse_result r;
    diagnostic d;
    d.file = file;
    d.message = std::move(message);
    r.errors.push_back(std::move(d));
    return r;
}

}  // namespace

parse_result parse_text(std::string_view text, const std::string& filename) noexcept {
    try {
        parse_result r;
        if (text.size() > max_file_size)
            return failure(filename, "file is larger than " + std::to_string(max_file_size / (1024 * 1024)) + " MiB");
        syntax_result syn = parse_syntax(text);
        if (syn.errors.empty()) {
            semantic_result sem = analyze(syn.tree);
            r.warnings = std::move(sem.warnings);
            if (sem.errors.empty()) {
                sem.config.file = filename;
                r.config = std::move(sem.config);
            }
            r.errors = std::move(sem.errors);
        } else {
            // Semantic checks on a broken tree would mostly repeat the syntax errors.
            r.errors = std::move(syn.errors);
        }
        std::stable_sort(r.errors.begin(), r.errors.end(), before);
        std::stable_sort(r.warnings.begin(), r.warnings.end(), before);
        // The syntax stage stops itself; the semantic one is cut here.
        if (r.errors.size() > max_errors + 1) {
            r.errors.resize(max_errors);
            diagnostic d;
            d.message = "too many errors, giving up";
            r.errors.push_back(std::move(d));
        }
        if (r.warnings.size() > max_errors) r.warnings.resize(max_errors);
        for (auto& d : r.errors) d.file = filename;
        for (auto& d : r.warnings) d.file = filename;
        return r;
    } catch (const std::exception& e) {
        return failure(filename, std::string("internal error while reading the configuration: ") + e.what());
    } catch (...) {
        return failure(filename, "internal error while reading the configuration");
    }
}

parse_result parse_file(const std::string& path) noexcept {
    try {
        std::ifstream in(path, std::ios::binary);
        if (!in) return failure(path, std::string("cannot open: ") + std::strerror(errno));
        std::string text;
        char buf[65536];
        while (in.read(buf, sizeof buf) || in.gcount() > 0) {
            text.append(buf, static_cast<std::size_t>(in.gcount()));
            if (text.size() > max_file_size)
                return failure(path, "file is larger than " + std::to_string(max_file_size / (1024 * 1024)) + " MiB");
        }
        if (in.bad()) return failure(path, std::string("cannot read: ") + std::strerror(errno));
        return parse_text(text, path);
    } catch (const std::exception& e) {
        return failure(path, std::string("cannot read: ") + e.what());
    } catch (...) {
        return failure(path, "cannot read the file");
    }
}

}  // namespace mcproxy::config
