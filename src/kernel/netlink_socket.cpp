// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/netlink_socket.hpp"

#include "sys_util.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <ctime>

namespace mcproxy::kernel {

namespace {
constexpr std::size_t receive_buffer = 1 << 16;
constexpr int max_datagrams = 100000;  // bound on one dump or one batch of notifications

std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }
}  // namespace

netlink_message::netlink_message(std::uint16_t type, std::uint16_t flags) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<std::uint16_t>(flags | NLM_F_REQUEST);
    buf_.resize(sizeof h);
    std::memcpy(buf_.data(), &h, sizeof h);
}

void netlink_message::append_bytes(std::span<const std::uint8_t> b) {
    buf_.insert(buf_.end(), b.begin(), b.end());
    buf_.resize(align4(buf_.size()));
    const auto len = static_cast<std::uint32_t>(buf_.size());
    std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
}

void netlink_message::add_attr(std::uint16_t type, std::span<const std::uint8_t> payload) {
    rtattr a{};
    a.rta_type = type;
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(payload.size()));
    std::vector<std::uint8_t> b(sizeof a);
    std::memcpy(b.data(), &a, sizeof a);
    b.insert(b.end(), payload.begin(), payload.end());
    append_bytes(b);
}

void netlink_message::add_u32(std::uint16_t type, std::uint32_t v) {
    add_attr(type, {reinterpret_cast<const std::uint8_t*>(&v), sizeof v});
}

void netlink_message::add_u8(std::uint16_t type, std::uint8_t v) { add_attr(type, {&v, 1}); }

void netlink_message::add_string(std::uint16_t type, std::string_view s) {
    std::vector<std::uint8_t> b(s.begin(), s.end());
    b.push_back(0);
    add_attr(type, b);
}

void for_each_attr(std::span<const std::uint8_t> data, const std::function<void(const netlink_attr&)>& f) {
    std::size_t off = 0;
    while (off + sizeof(rtattr) <= data.size()) {
        rtattr a{};
        std::memcpy(&a, data.data() + off, sizeof a);
        if (a.rta_len < sizeof(rtattr) || off + a.rta_len > data.size()) return;
        f(netlink_attr{static_cast<std::uint16_t>(a.rta_type & NLA_TYPE_MASK),
                       data.subspan(off + RTA_LENGTH(0), a.rta_len - RTA_LENGTH(0))});
        off += align4(a.rta_len);
    }
}

std::span<const std::uint8_t> netlink_payload(const nlmsghdr& h) {
    if (h.nlmsg_len < NLMSG_HDRLEN) return {};
    return {reinterpret_cast<const std::uint8_t*>(&h) + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN};
}

result<netlink_socket> netlink_socket::open(std::initializer_list<unsigned> groups) {
    unique_fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd.valid()) return make_error(errno, "opening a rtnetlink socket");
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) < 0)
        return make_error(errno, "binding a rtnetlink socket");
    for (unsigned g : groups)
        if (auto s = detail::set_option(fd.get(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g,
                                        "subscribing to rtnetlink group " + std::to_string(g));
            !s)
            return s.err();
    // Extended error messages (NLMSGERR_ATTR_MSG) are optional; ignore failure.
    const int one = 1;
    ::setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    socklen_t len = sizeof local;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &len);
    netlink_socket s(std::move(fd));
    s.port_ = local.nl_pid;
    // Sequence numbers start from the clock so replies to an earlier run cannot match.
    s.seq_ = static_cast<std::uint32_t>(::time(nullptr));
    return s;
}

status netlink_socket::send(netlink_message& msg, std::string_view what) {
    auto& b = msg.bytes();
    const std::uint32_t seq = ++seq_;
    std::memcpy(b.data() + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof seq);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd_.get(), b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
        return make_error(errno, what);
    return {};
}

status netlink_socket::collect(std::uint32_t seq, bool is_dump, const handler& on_message, std::string_view what) {
    buffer_.resize(receive_buffer);
    for (int i = 0; i < max_datagrams; ++i) {
        pollfd p{fd_.get(), POLLIN, 0};
        const int r = ::poll(&p, 1, static_cast<int>(reply_timeout.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return make_error(r == 0 ? ETIMEDOUT : errno, what, "no answer from the kernel");
        const ssize_t n = ::recv(fd_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            return make_error(errno, what);
        }
        std::size_t off = 0;
        const auto size = static_cast<std::size_t>(n);
        while (off + sizeof(nlmsghdr) <= size) {
            nlmsghdr h{};
            std::memcpy(&h, buffer_.data() + off, sizeof h);
            if (h.nlmsg_len < sizeof(nlmsghdr) || off + h.nlmsg_len > size) break;
            const auto* hp = reinterpret_cast<const nlmsghdr*>(buffer_.data() + off);
            off += NLMSG_ALIGN(h.nlmsg_len);
            if (h.nlmsg_seq != seq || h.nlmsg_pid != port_) continue;  // not ours (e.g. stale)
            if (h.nlmsg_type == NLMSG_ERROR) {
                nlmsgerr e{};
                if (h.nlmsg_len < NLMSG_LENGTH(sizeof e)) return make_error(EPROTO, what);
                std::memcpy(&e, NLMSG_DATA(hp), sizeof e);
                if (e.error == 0) return {};
                return make_error(-e.error, what);
            }
            if (h.nlmsg_type == NLMSG_DONE) return {};
            if (is_dump) on_message(*hp);
        }
    }
    return make_error(E2BIG, what, "reply larger than expected");
}

status netlink_socket::request(netlink_message& msg, std::string_view what) {
    auto& b = msg.bytes();
    std::uint16_t flags = 0;
    std::memcpy(&flags, b.data() + offsetof(nlmsghdr, nlmsg_flags), sizeof flags);
    flags = static_cast<std::uint16_t>(flags | NLM_F_ACK);
    std::memcpy(b.data() + offsetof(nlmsghdr, nlmsg_flags), &flags, sizeof flags);
    if (auto s = send(msg, what); !s) return s;
    return collect(seq_, false, {}, what);
}

status netlink_socket::dump(netlink_message& msg, const handler& on_message, std::string_view what) {
    if (auto s = send(msg, what); !s) return s;
    return collect(seq_, true, on_message, what);
}

status netlink_socket::read_pending(const handler& on_message) {
    buffer_.resize(receive_buffer);
    for (int i = 0; i < max_datagrams; ++i) {
        const ssize_t n = ::recv(fd_.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return {};
            if (errno == EINTR) continue;
            return make_error(errno, "reading rtnetlink notifications",
                              errno == ENOBUFS ? "notifications were lost; dump the state again" : "");
        }
        std::size_t off = 0;
        const auto size = static_cast<std::size_t>(n);
        while (off + sizeof(nlmsghdr) <= size) {
            nlmsghdr h{};
            std::memcpy(&h, buffer_.data() + off, sizeof h);
            if (h.nlmsg_len < sizeof(nlmsghdr) || off + h.nlmsg_len > size) break;
            on_message(*reinterpret_cast<const nlmsghdr*>(buffer_.data() + off));
            off += NLMSG_ALIGN(h.nlmsg_len);
        }
    }
    return {};
}

}  // namespace mcproxy::kernel
