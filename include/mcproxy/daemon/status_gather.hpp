// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Collects one status snapshot per instance from the instance
/// threads and answers a `show` request once all have arrived.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "mcproxy/daemon/control_protocol.hpp"
#include "mcproxy/daemon/control_server.hpp"

namespace mcproxy::daemon {

/// @brief Fan-in of snapshots for one request.
///
/// The main thread creates it and posts a task to every instance thread;
/// each task calls deliver() with its position and snapshot. The last one
/// formats the reply (in instance order) and sends it. Shared ownership
/// keeps it alive until the last instance has delivered; an instance that
/// never delivers is covered by the server's handler timeout.
class status_gather {
public:
    /// @brief For `count` instances; with 0 it answers at once.
    static std::shared_ptr<status_gather> create(control_request request, std::size_t count, reply_callback reply);
    /// @brief Hands in the snapshot of instance `index` (any thread, once
    /// per index; repeats and out-of-range indexes are ignored).
    void deliver(std::size_t index, instance_status status);

    /// @brief Use create().
    status_gather(control_request request, std::size_t count, reply_callback reply);

private:
    std::mutex mutex_;
    control_request request_;
    std::vector<std::optional<instance_status>> slots_;
    std::size_t missing_;
    reply_callback reply_;
};

}  // namespace mcproxy::daemon
