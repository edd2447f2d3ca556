// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once
// Temporary files and directories for unit tests under $TMPDIR (POSIX; /tmp
// when unset). The tests create UNIX sockets there, which some file systems
// cannot hold (9p, as shared into the multicast-routing VM of
// scripts/with-mroute-kernel.sh, answers ENXIO): the caller's TMPDIR wins.

#include <cstdlib>
#include <string>
#include <vector>

namespace mcproxy_test {

/// "$TMPDIR/<stem>XXXXXX" as a writable buffer for mkstemp()/mkdtemp().
inline std::vector<char> temp_template(const std::string& stem) {
    const char* dir = std::getenv("TMPDIR");
    std::string path = std::string(dir && *dir ? dir : "/tmp") + "/" + stem + "XXXXXX";
    return std::vector<char>(path.c_str(), path.c_str() + path.size() + 1);
}

}  // namespace mcproxy_test
