// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Running without root: once every socket is open the daemon
/// becomes an unprivileged user that keeps only CAP_NET_ADMIN (multicast
/// routing, policy rules, net sysctls) and CAP_NET_RAW (raw sockets).
#pragma once

#include <optional>
#include <string>

namespace mcproxy::daemon {

/// @brief "mcproxy" if that user exists, else "nobody".
std::string default_user();

/// @brief Becomes `user` (its primary group, no supplementary groups)
/// keeping CAP_NET_ADMIN and CAP_NET_RAW, for this thread and the threads it
/// starts afterwards; nothing else stays, not even in the bounding set.
/// Returns an error message, or nullopt on success. A process that is not
/// root already (systemd User=/DynamicUser= with AmbientCapabilities=) stays
/// who it is, whatever `user` says.
std::optional<std::string> drop_privileges(const std::string& user);

/// @brief Who this process runs as, for the log: "user NAME (uid N)", or
/// "uid N" when the uid has no name (a systemd dynamic user without
/// libnss-systemd).
std::string current_identity();

}  // namespace mcproxy::daemon
