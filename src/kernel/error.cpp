// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/error.hpp"
#include "mcproxy/kernel/unique_fd.hpp"

#include <unistd.h>

#include <cstring>

namespace mcproxy::kernel {

error make_error(int errnum, std::string_view what, std::string_view hint) {
    std::string msg(what);
    msg += ": ";
    msg += std::strerror(errnum);
    if (!hint.empty()) {
        msg += " (";
        msg += hint;
        msg += ")";
    }
    return error{std::error_code(errnum, std::system_category()), std::move(msg)};
}

void unique_fd::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

}  // namespace mcproxy::kernel
