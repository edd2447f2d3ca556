// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/daemon/kernel_port.hpp"

#include <utility>

#include "mcproxy/kernel/receive_buffer.hpp"
#include "mcproxy/wire/igmp_codec.hpp"
#include "mcproxy/wire/mld_codec.hpp"

namespace mcproxy::daemon {

namespace {

net::address group(const char* text) { return *net::address::parse(text); }

kernel::error encode_error(wire::error e) {
    return kernel::error{std::make_error_code(std::errc::invalid_argument),
                         std::string("cannot encode message: ") + wire::to_string(e)};
}

}  // namespace

kernel::result<kernel_port> kernel_port::open(net::family fam, std::optional<std::uint32_t> table) {
    kernel_port p(fam);
    if (fam == net::family::ipv4) {
        auto mr = kernel::mroute4::open(table);
        if (!mr) return mr.err();
        auto igmp = kernel::igmp_socket::open();
        if (!igmp) return igmp.err();
        p.mr4_.emplace(std::move(mr.value()));
        p.igmp_.emplace(std::move(igmp.value()));
    } else {
        auto mr = kernel::mroute6::open(table);
        if (!mr) return mr.err();
        auto mld = kernel::mld_socket::open();
        if (!mld) return mld.err();
        p.mr6_.emplace(std::move(mr.value()));
        p.mld_.emplace(std::move(mld.value()));
    }
    // Report bursts (a host joining thousands of groups) must wait in the
    // kernel, not be dropped there: a large buffer on every input socket.
    for (int fd : p.descriptors())
        if (auto r = kernel::set_receive_buffer(fd, kernel::report_receive_buffer); !r) return r.err();
    return p;
}

std::vector<int> kernel_port::descriptors() const {
    if (mr4_) return {mr4_->native_handle()};
    return {mr6_->native_handle(), mld_->native_handle()};
}

std::size_t kernel_port::read(const std::function<void(kernel_input&&)>& sink, std::size_t limit) {
    std::size_t n = 0;
    if (mr4_) {
        // Upcalls and reports in batches: one recvmmsg per batch, and no
        // read that only finds the queue empty after a short batch.
        (void)mr4_->receive_batch(limit, [&](kernel::mroute4_message&& m) {
            ++n;
            std::visit([&](auto&& v) { sink(kernel_input(std::forward<decltype(v)>(v))); }, std::move(m));
        });
        return n;
    }
    while (n < limit) {
        auto r = mr6_->receive();
        if (!r || !r.value()) break;
        ++n;
        sink(kernel_input(*r.value()));
    }
    while (n < limit) {
        auto r = mld_->receive();
        if (!r || !r.value()) break;
        ++n;
        sink(kernel_input(std::move(*r.value())));
    }
    return n;
}

kernel::status kernel_port::add_interface(unsigned ifindex) {
    return mr4_ ? mr4_->add_vif(ifindex) : mr6_->add_mif(ifindex);
}

kernel::status kernel_port::remove_interface(unsigned ifindex) {
    return mr4_ ? mr4_->remove_vif(ifindex) : mr6_->remove_mif(ifindex);
}

kernel::status kernel_port::join_router_groups(unsigned ifindex) {
    if (mr4_) {
        if (auto s = memberships4_.join(ifindex, group("224.0.0.22")); !s) return s;
        return memberships4_.join(ifindex, group("224.0.0.2"));
    }
    if (auto s = mld_->join(ifindex, group("ff02::16")); !s) return s;
    return mld_->join(ifindex, group("ff02::2"));
}

void kernel_port::leave_router_groups(unsigned ifindex) {
    if (mr4_) {
        (void)memberships4_.leave(ifindex, group("224.0.0.22"));
        (void)memberships4_.leave(ifindex, group("224.0.0.2"));
        return;
    }
    (void)mld_->leave(ifindex, group("ff02::16"));
    (void)mld_->leave(ifindex, group("ff02::2"));
}

kernel::status kernel_port::set_route(const kernel::mfc_entry& e) {
    return mr4_ ? mr4_->set_route(e) : mr6_->set_route(e);
}

kernel::status kernel_port::remove_route(const net::address& source, const net::address& g) {
    return mr4_ ? mr4_->remove_route(source, g) : mr6_->remove_route(source, g);
}

kernel::result<kernel::sg_counters> kernel_port::counters(const net::address& source,
                                                          const net::address& g) const {
    return mr4_ ? mr4_->counters(source, g) : mr6_->counters(source, g);
}

kernel::status kernel_port::send(unsigned ifindex, const net::address& source, const net::address& destination,
                                 const wire::message& msg) {
    if (igmp_) {
        if (auto e = wire::encode_igmp(msg, send_buffer_)) return encode_error(*e);
        return igmp_->send(ifindex, source, destination, send_buffer_);
    }
    if (auto e = wire::encode_mld(msg, source, destination, send_buffer_)) return encode_error(*e);
    return mld_->send(ifindex, source, destination, send_buffer_);
}

kernel::status kernel_port::close() {
    if (mr4_) return mr4_->close();
    return mr6_->close();
}

}  // namespace mcproxy::daemon
