// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief A NETLINK_ROUTE socket: build requests, wait for acknowledgements,
/// run dumps and read multicast notifications, with bounded loops.
#pragma once

#include "mcproxy/kernel/error.hpp"
#include "mcproxy/kernel/unique_fd.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct nlmsghdr;

namespace mcproxy::kernel {

/// @brief Builder of one netlink message: header, fixed part, attributes.
class netlink_message {
public:
    /// @brief Starts a message of `type` with `flags` (NLM_F_REQUEST is added).
    netlink_message(std::uint16_t type, std::uint16_t flags);
    /// @brief Appends the fixed-size family header (ifinfomsg, fib_rule_hdr ...).
    template <class T>
    void append_struct(const T& t) {
        append_bytes({reinterpret_cast<const std::uint8_t*>(&t), sizeof t});
    }
    /// @brief Appends attribute `type` with raw payload.
    void add_attr(std::uint16_t type, std::span<const std::uint8_t> payload);
    /// @brief Appends a u32 attribute.
    void add_u32(std::uint16_t type, std::uint32_t v);
    /// @brief Appends a u8 attribute.
    void add_u8(std::uint16_t type, std::uint8_t v);
    /// @brief Appends a NUL-terminated string attribute.
    void add_string(std::uint16_t type, std::string_view s);
    /// @brief The finished message (length set; sequence set by the socket).
    std::vector<std::uint8_t>& bytes() { return buf_; }

private:
    void append_bytes(std::span<const std::uint8_t> b);
    std::vector<std::uint8_t> buf_;
};

/// @brief One netlink attribute seen while parsing.
struct netlink_attr {
    std::uint16_t type = 0;                 ///< attribute type (flags masked off)
    std::span<const std::uint8_t> payload;  ///< attribute payload
};

/// @brief Calls f for each attribute in `data` (bounds-checked; stops at the first malformed one).
void for_each_attr(std::span<const std::uint8_t> data, const std::function<void(const netlink_attr&)>& f);

/// @brief Payload of a netlink message after its header, bounded by nlmsg_len.
std::span<const std::uint8_t> netlink_payload(const nlmsghdr& h);

/// @brief NETLINK_ROUTE socket, non-blocking.
class netlink_socket {
public:
    /// @brief Callback for each message of a dump or notification batch.
    using handler = std::function<void(const nlmsghdr&)>;

    /// @brief Opens and binds, subscribing to the RTNLGRP_* groups given (may be none).
    static result<netlink_socket> open(std::initializer_list<unsigned> groups = {});
    /// @brief Descriptor for the event loop.
    int native_handle() const { return fd_.get(); }

    /// @brief Sends msg with NLM_F_ACK and waits for the kernel's answer.
    status request(netlink_message& msg, std::string_view what);
    /// @brief Sends a dump request (NLM_F_DUMP) and calls on_message per reply until done.
    status dump(netlink_message& msg, const handler& on_message, std::string_view what);
    /// @brief Reads every queued notification without blocking. ENOBUFS means
    /// notifications were lost: the caller must dump again.
    status read_pending(const handler& on_message);

    /// @brief How long request() and dump() wait for each reply.
    static constexpr std::chrono::milliseconds reply_timeout{2000};

private:
    explicit netlink_socket(unique_fd fd) : fd_(std::move(fd)) {}
    status send(netlink_message& msg, std::string_view what);
    /// Receives replies to `seq`; stops on ACK/error (request) or DONE (dump).
    status collect(std::uint32_t seq, bool is_dump, const handler& on_message, std::string_view what);

    unique_fd fd_;
    std::uint32_t seq_ = 0;
    std::uint32_t port_ = 0;
    std::vector<std::uint8_t> buffer_;
};

}  // namespace mcproxy::kernel
