// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Several datagrams of one socket read with one recvmmsg call.
#pragma once

#include "mcproxy/kernel/error.hpp"

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace mcproxy::kernel {

/// @brief Receive slots for recvmmsg: a burst of upcalls and reports costs one
/// system call per `slots` datagrams instead of one each.
///
/// The slot memory is allocated on the first read and never initialised, so
/// only the pages the kernel writes into become resident.
class datagram_batch {
public:
    /// @brief `slots` datagrams of up to `slot_size` bytes, each with
    /// `control_size` bytes of ancillary data (0: none asked for).
    datagram_batch(std::size_t slots, std::size_t slot_size, std::size_t control_size);

    /// @brief Reads up to min(max, slots) datagrams without blocking; 0 when
    /// none is queued. EINTR is retried a bounded number of times.
    result<std::size_t> read(int fd, std::size_t max);

    /// @brief Slots available per read.
    std::size_t slots() const { return slots_; }
    /// @brief The bytes of datagram `i` of the last read.
    std::span<const std::uint8_t> bytes(std::size_t i) const;
    /// @brief Whether datagram `i` did not fit its slot (its tail is lost).
    bool truncated(std::size_t i) const;
    /// @brief The message header of datagram `i` (for CMSG_FIRSTHDR/CMSG_NXTHDR).
    msghdr& header(std::size_t i) { return headers_[i].msg_hdr; }

private:
    std::size_t slots_, slot_size_, control_size_;
    std::unique_ptr<std::uint8_t[]> data_;
    std::unique_ptr<std::uint8_t[]> control_;
    std::vector<mmsghdr> headers_;
    std::vector<iovec> iovs_;
};

}  // namespace mcproxy::kernel
