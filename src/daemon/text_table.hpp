// SPDX-License-Identifier: GPL-2.0-or-later
// A left-aligned text table with a header row, columns as wide as their
// widest cell; the last column is not padded (no trailing blanks).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace mcproxy::daemon::detail {

class text_table {
public:
    explicit text_table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }

    void add(std::vector<std::string> row) {
        row.resize(rows_.front().size());
        rows_.push_back(std::move(row));
    }
    bool empty() const { return rows_.size() == 1; }

    /// Appends the table, each line starting with `indent` spaces.
    void render(std::string& out, std::size_t indent) const {
        const std::size_t cols = rows_.front().size();
        std::vector<std::size_t> width(cols, 0);
        for (const auto& r : rows_)
            for (std::size_t c = 0; c < cols; ++c) width[c] = std::max(width[c], r[c].size());
        for (const auto& r : rows_) {
            std::string line(indent, ' ');
            for (std::size_t c = 0; c < cols; ++c) {
                line += r[c];
                if (c + 1 < cols) line.append(width[c] - r[c].size() + 2, ' ');
            }
            while (!line.empty() && line.back() == ' ') line.pop_back();
            out += line;
            out += '\n';
        }
    }

private:
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace mcproxy::daemon::detail
