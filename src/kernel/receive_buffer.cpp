// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/receive_buffer.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace mcproxy::kernel {

result<int> set_receive_buffer(int fd, int bytes) {
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0 &&
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) != 0)
        return make_error(errno, "setting the socket receive buffer");
    int granted = 0;
    socklen_t len = sizeof granted;
    if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len) != 0)
        return make_error(errno, "reading the socket receive buffer");
    return granted;
}

}  // namespace mcproxy::kernel
