// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Positions in a configuration file and the diagnostics that name them.
#pragma once

#include <string>
#include <vector>

namespace mcproxy::config {

/// @brief A 1-based line and column (in bytes) in the configuration text.
/// Line 0 means "no position" (for example: the file could not be opened).
struct location {
    unsigned line = 0;  ///< 1-based line; 0: no position
    unsigned column = 0;  ///< 1-based column in bytes
    friend bool operator==(const location&, const location&) = default;
};

/// @brief "line:col" for messages that point at another place.
std::string to_string(const location& loc);

/// @brief Whether a diagnostic stops the configuration from being used.
enum class severity { error, warning };

/// @brief One error or warning with where it is, what was found and what was expected.
struct diagnostic {
    severity level = severity::error;  ///< error or warning
    std::string file;  ///< the configuration file's name, as given
    location loc;  ///< where in the file
    std::string message;   ///< the whole sentence, e.g. "expected ';', found 'pinstance'"
    std::string found;     ///< the offending text, empty if not applicable
    std::string expected;  ///< what would have been valid, empty if not applicable

    /// @brief "file:line:col: error: message" (compiler style, so editors can jump to it).
    std::string to_string() const;
};

/// @brief All diagnostics rendered one per line.
std::string to_string(const std::vector<diagnostic>& list);

}  // namespace mcproxy::config
