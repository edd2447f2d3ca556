// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/log.hpp"

#include <syslog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace mcproxy::daemon {

logger::~logger() {
    if (use_syslog_) closelog();
}

void logger::configure(core::log_level max_level, log_target target) {
    std::lock_guard lock(mutex_);
    max_level_ = max_level;
    const bool want_syslog =
        target == log_target::syslog || (target == log_target::auto_detect && !isatty(STDERR_FILENO));
    if (want_syslog && !use_syslog_) openlog("mcproxy", LOG_PID, LOG_DAEMON);
    if (!want_syslog && use_syslog_) closelog();
    use_syslog_ = want_syslog;
}

void logger::write(core::log_level level, std::string_view text) {
    if (!enabled(level)) return;
    std::lock_guard lock(mutex_);
    if (use_syslog_) {
        static constexpr int priority[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_DEBUG, LOG_DEBUG};
        syslog(priority[static_cast<int>(level)], "%.*s", static_cast<int>(text.size()), text.data());
        return;
    }
    const auto now = std::chrono::system_clock::now();
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
    std::tm tm{};
    localtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
    std::fprintf(stderr, "%s.%06lld %s: %.*s\n", stamp, static_cast<long long>(micros), to_string(level),
                 static_cast<int>(text.size()), text.data());
}

core::log_level level_for(bool debug, unsigned verbosity) {
    unsigned steps = (debug ? 1u : 0u) + verbosity;
    if (steps == 0) return core::log_level::notice;
    if (steps == 1) return core::log_level::debug;
    return core::log_level::trace;
}

const char* to_string(core::log_level level) {
    switch (level) {
        case core::log_level::error: return "error";
        case core::log_level::warning: return "warning";
        case core::log_level::notice: return "notice";
        case core::log_level::debug: return "debug";
        case core::log_level::trace: return "trace";
    }
    return "?";
}

}  // namespace mcproxy::daemon
