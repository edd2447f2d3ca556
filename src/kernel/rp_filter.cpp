// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/rp_filter.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "mcproxy/kernel/unique_fd.hpp"

namespace mcproxy::kernel {

namespace {
// Interface names become path components: refuse anything that could escape.
bool valid_name(std::string_view name) {
    if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..") return false;
    return std::none_of(name.begin(), name.end(), [](char c) { return c == '/' || c == '\0'; });
}

std::string path_of(std::string_view name) {
    return "/proc/sys/net/ipv4/conf/" + std::string(name) + "/rp_filter";
}
}  // namespace

result<int> read_rp_filter(std::string_view name) {
    if (!valid_name(name)) return make_error(EINVAL, "reading rp_filter", "bad interface name");
    const auto path = path_of(name);
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        const int e = errno;  // before building the message, which allocates
        return make_error(e, "reading " + path, e == ENOENT ? "no such interface" : "");
    }
    std::array<char, 16> buf{};
    const ssize_t n = ::read(fd.get(), buf.data(), buf.size() - 1);
    if (n <= 0) {
        const int e = n < 0 ? errno : EIO;
        return make_error(e, "reading " + path);
    }
    if (buf[0] < '0' || buf[0] > '2') return make_error(EPROTO, "reading " + path, "unexpected content");
    return buf[0] - '0';
}

status write_rp_filter(std::string_view name, int value) {
    if (!valid_name(name)) return make_error(EINVAL, "setting rp_filter", "bad interface name");
    if (value < 0 || value > 2) return make_error(EINVAL, "setting rp_filter", "value must be 0, 1 or 2");
    const auto path = path_of(name);
    unique_fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) {
        const int e = errno;  // before building the message, which allocates
        return make_error(e, "opening " + path,
                          e == EACCES || e == EROFS ? "run as root; is /proc/sys read-only?" : "");
    }
    const char text[2] = {static_cast<char>('0' + value), '\n'};
    if (const ssize_t n = ::write(fd.get(), text, sizeof text); n != static_cast<ssize_t>(sizeof text)) {
        const int e = n < 0 ? errno : EIO;  // a short write sets no errno
        return make_error(e, "writing " + path);
    }
    return {};
}

rp_filter_guard& rp_filter_guard::operator=(rp_filter_guard&& o) noexcept {
    if (this != &o) {
        (void)restore();
        saved_ = std::exchange(o.saved_, {});
    }
    return *this;
}

status rp_filter_guard::set(std::string_view name, int value) {
    const bool known = std::any_of(saved_.begin(), saved_.end(), [&](const auto& s) { return s.first == name; });
    if (!known) {
        auto old = read_rp_filter(name);
        if (!old) return old.err();
        if (auto s = write_rp_filter(name, value); !s) return s;
        saved_.emplace_back(std::string(name), *old);
        return {};
    }
    return write_rp_filter(name, value);
}

status rp_filter_guard::restore() {
    status first;
    // Restore in reverse order, so "all" set first is put back last.
    for (std::size_t i = saved_.size(); i-- > 0;) {
        auto s = write_rp_filter(saved_[i].first, saved_[i].second);
        if (!s && s.code().value() != ENOENT && first.ok()) first = s;
    }
    saved_.clear();
    return first;
}

void rp_filter_guard::forget(std::string_view name) {
    std::erase_if(saved_, [&](const auto& s) { return s.first == name; });
}

}  // namespace mcproxy::kernel
