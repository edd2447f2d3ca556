// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/datagram_batch.hpp"

#include <algorithm>
#include <cerrno>

namespace mcproxy::kernel {

namespace {
constexpr int max_interrupted_reads = 8;
}  // namespace

datagram_batch::datagram_batch(std::size_t slots, std::size_t slot_size, std::size_t control_size)
    : slots_(std::max<std::size_t>(slots, 1)), slot_size_(slot_size), control_size_(control_size) {}

result<std::size_t> datagram_batch::read(int fd, std::size_t max) {
    if (!data_) {
        // Not value-initialised: untouched slots cost address space, not memory.
        data_.reset(new std::uint8_t[slots_ * slot_size_]);
        if (control_size_ > 0) control_.reset(new std::uint8_t[slots_ * control_size_]);
        headers_.resize(slots_);
        iovs_.resize(slots_);
    }
    const std::size_t want = std::min(max, slots_);
    if (want == 0) return std::size_t{0};
    for (std::size_t i = 0; i < want; ++i) {
        iovs_[i] = iovec{data_.get() + i * slot_size_, slot_size_};
        msghdr& h = headers_[i].msg_hdr;
        h = msghdr{};
        h.msg_iov = &iovs_[i];
        h.msg_iovlen = 1;
        if (control_size_ > 0) {
            h.msg_control = control_.get() + i * control_size_;
            h.msg_controllen = control_size_;
        }
        headers_[i].msg_len = 0;
    }
    for (int attempt = 0; attempt < max_interrupted_reads; ++attempt) {
        const int n = ::recvmmsg(fd, headers_.data(), static_cast<unsigned>(want), MSG_DONTWAIT, nullptr);
        if (n >= 0) return static_cast<std::size_t>(n);
        if (errno == EAGAIN || errno == EWOULDBLOCK) return std::size_t{0};
        if (errno != EINTR) return make_error(errno, "reading a batch of datagrams (recvmmsg)");
    }
    return std::size_t{0};
}

std::span<const std::uint8_t> datagram_batch::bytes(std::size_t i) const {
    return {data_.get() + i * slot_size_, std::min<std::size_t>(headers_[i].msg_len, slot_size_)};
}

bool datagram_batch::truncated(std::size_t i) const { return (headers_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0; }

}  // namespace mcproxy::kernel
