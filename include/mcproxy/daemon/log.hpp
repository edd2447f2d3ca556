// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Logging for every build: stderr with timestamps, or syslog.
#pragma once

#include <mutex>
#include <string_view>

#include "mcproxy/core/types.hpp"

namespace mcproxy::daemon {

/// @brief Where log lines go.
enum class log_target { auto_detect, stderr_stream, syslog };

/// @brief A thread-safe logger shared by the main thread and instance threads.
///
/// Errors, warnings and notices are always written; debug with -d (or -v),
/// trace with -d -v or -vv. `auto_detect` writes to stderr when it is a
/// terminal and to syslog otherwise (e.g. under nohup or an init system).
class logger {
public:
    logger() = default;
    logger(const logger&) = delete;
    logger& operator=(const logger&) = delete;
    ~logger();

    /// @brief Sets the most detailed level written and the target.
    void configure(core::log_level max_level, log_target target);
    /// @brief Whether a line at `level` would be written.
    bool enabled(core::log_level level) const { return level <= max_level_; }
    /// @brief Writes one line (a newline is added).
    void write(core::log_level level, std::string_view text);

private:
    std::mutex mutex_;
    core::log_level max_level_ = core::log_level::notice;
    bool use_syslog_ = false;
};

/// @brief The most detailed level for the -d and -v options.
core::log_level level_for(bool debug, unsigned verbosity);

/// @brief "error", "warning", ...
const char* to_string(core::log_level level);

}  // namespace mcproxy::daemon
