// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/status_gather.hpp"

namespace mcproxy::daemon {

status_gather::status_gather(control_request request, std::size_t count, reply_callback reply)
    : request_(request), slots_(count), missing_(count), reply_(std::move(reply)) {}

std::shared_ptr<status_gather> status_gather::create(control_request request, std::size_t count,
                                                     reply_callback reply) {
    auto g = std::make_shared<status_gather>(request, count, std::move(reply));
    if (count == 0) g->reply_(status_reply(g->request_, {}));
    return g;
}

void status_gather::deliver(std::size_t index, instance_status status) {
    std::vector<instance_status> all;
    {
        std::lock_guard lock(mutex_);
        if (index >= slots_.size() || slots_[index] || missing_ == 0) return;
        slots_[index] = std::move(status);
        if (--missing_ > 0) return;
        all.reserve(slots_.size());
        for (auto& s : slots_) all.push_back(std::move(*s));
    }
    // Formatting outside the lock: nobody else touches the slots any more.
    reply_(status_reply(request_, all));
}

}  // namespace mcproxy::daemon
