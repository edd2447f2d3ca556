// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/privileges.hpp"

#include <cap-ng.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mcproxy::daemon {

std::string default_user() { return getpwnam("mcproxy") != nullptr ? "mcproxy" : "nobody"; }

std::optional<std::string> drop_privileges(const std::string& user) {
    if (geteuid() != 0) return std::nullopt;  // already unprivileged (started with capabilities)
    errno = 0;
    const passwd* pw = getpwnam(user.c_str());
    if (pw == nullptr)
        return "user '" + user + "' does not exist (create it, or choose one with -U USER, or --keep-root)";
    if (pw->pw_uid == 0) return "user '" + user + "' is root; use --keep-root to run as root on purpose";
    capng_get_caps_process();
    if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID) || !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETGID))
        return "running as root without CAP_SETUID/CAP_SETGID, so mcproxy cannot become user '" + user +
               "': start it as an unprivileged user with CAP_NET_ADMIN and CAP_NET_RAW (systemd: User= and "
               "AmbientCapabilities=), or give --keep-root to stay root on purpose";
    capng_clear(CAPNG_SELECT_BOTH);
    if (capng_updatev(CAPNG_ADD, static_cast<capng_type_t>(CAPNG_EFFECTIVE | CAPNG_PERMITTED), CAP_NET_ADMIN,
                      CAP_NET_RAW, -1) != 0)
        return "cannot prepare the capability set";
    // Drops supplementary groups, sets gid and uid, keeps the capabilities
    // above across the change and empties the bounding set.
    if (int rc = capng_change_id(static_cast<int>(pw->pw_uid), static_cast<int>(pw->pw_gid),
                                 static_cast<capng_flags_t>(CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING));
        rc != 0) {
        const int e = errno;  // before building the message, which allocates
        return "cannot become user '" + user + "' (libcap-ng error " + std::to_string(rc) + ": " +
               std::strerror(e) + ")";
    }
    // Nothing may give privileges back (setuid binaries, file capabilities).
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        const int e = errno;
        return std::string("PR_SET_NO_NEW_PRIVS: ") + std::strerror(e);
    }
    return std::nullopt;
}

std::string current_identity() {
    const uid_t uid = geteuid();
    const passwd* pw = getpwuid(uid);
    const std::string id = "uid " + std::to_string(uid);
    return pw != nullptr ? "user " + std::string(pw->pw_name) + " (" + id + ")" : id;
}

}  // namespace mcproxy::daemon
