// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/net/address_set.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <new>
#include <type_traits>

namespace mcproxy::net {

// The block stores addresses as raw bytes and copies them with memcpy.
static_assert(std::is_trivially_copyable_v<address> && alignof(address) <= alignof(std::uint32_t));

address_set::block* address_set::allocate(std::size_t capacity) {
    void* p = ::operator new(sizeof(block) + capacity * sizeof(address));
    return new (p) block{{1}, 0, static_cast<std::uint32_t>(capacity)};
}

address_set address_set::from_sorted(std::span<const address> sorted) {
    address_set r;
    if (sorted.empty()) return r;
    r.b_ = allocate(sorted.size());
    std::memcpy(static_cast<void*>(r.b_->data()), sorted.data(), sorted.size() * sizeof(address));
    r.b_->size = static_cast<std::uint32_t>(sorted.size());
    return r;
}

address_set::address_set(std::initializer_list<address> l) : address_set(std::vector<address>(l)) {}

address_set::address_set(std::vector<address> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    *this = from_sorted(v);
}

address_set::address_set(const address_set& o) noexcept : b_(o.b_) {
    if (b_) b_->refs.fetch_add(1, std::memory_order_relaxed);
}

address_set& address_set::operator=(const address_set& o) noexcept {
    if (this == &o) return *this;
    block* b = o.b_;
    if (b) b->refs.fetch_add(1, std::memory_order_relaxed);
    release();
    b_ = b;
    return *this;
}

address_set& address_set::operator=(address_set&& o) noexcept {
    if (this != &o) {
        release();
        b_ = o.b_;
        o.b_ = nullptr;
    }
    return *this;
}

void address_set::release() noexcept {
    if (b_ && b_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        b_->~block();
        ::operator delete(static_cast<void*>(b_));
    }
    b_ = nullptr;
}

void address_set::own(std::size_t extra) {
    const std::size_t n = size();
    if (b_ && b_->refs.load(std::memory_order_acquire) == 1 && n + extra <= b_->capacity) return;
    // Growth keeps inserting one by one linear; a shared block is copied at its size.
    const std::size_t cap = extra == 0 ? n : std::max<std::size_t>(4, n + std::max(extra, n / 2));
    block* nb = allocate(cap);
    if (n) std::memcpy(static_cast<void*>(nb->data()), b_->data(), n * sizeof(address));
    nb->size = static_cast<std::uint32_t>(n);
    release();
    b_ = nb;
}

std::size_t address_set::heap_bytes() const { return b_ ? sizeof(block) + b_->capacity * sizeof(address) : 0; }

bool address_set::contains(const address& a) const { return std::binary_search(begin(), end(), a); }

bool address_set::insert(const address& a) {
    const std::size_t at = static_cast<std::size_t>(std::lower_bound(begin(), end(), a) - begin());
    if (at < size() && b_->data()[at] == a) return false;
    own(1);
    address* d = b_->data();
    std::memmove(static_cast<void*>(d + at + 1), d + at, (b_->size - at) * sizeof(address));
    d[at] = a;
    ++b_->size;
    return true;
}

bool address_set::erase(const address& a) {
    const std::size_t at = static_cast<std::size_t>(std::lower_bound(begin(), end(), a) - begin());
    if (at == size() || b_->data()[at] != a) return false;
    if (size() == 1) {
        release();
        return true;
    }
    own(0);
    address* d = b_->data();
    std::memmove(static_cast<void*>(d + at), d + at + 1, (b_->size - at - 1) * sizeof(address));
    --b_->size;
    return true;
}

namespace {
// The result of a set operation, built in a reused buffer and stored at its
// exact size (long-lived sets carry no growth slack).
template <typename Op>
address_set combine(const address_set& a, const address_set& b, Op op) {
    thread_local std::vector<address> scratch;
    scratch.clear();
    op(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(scratch));
    return address_set::from_sorted(scratch);
}
}  // namespace

address_set operator+(const address_set& a, const address_set& b) {
    if (b.empty() || a.b_ == b.b_) return a;
    if (a.empty()) return b;
    return combine(a, b, [](auto... x) { return std::set_union(x...); });
}

address_set operator*(const address_set& a, const address_set& b) {
    if (a.b_ == b.b_) return a;
    return combine(a, b, [](auto... x) { return std::set_intersection(x...); });
}

address_set operator-(const address_set& a, const address_set& b) {
    if (a.empty() || b.empty()) return a;
    if (a.b_ == b.b_) return {};
    return combine(a, b, [](auto... x) { return std::set_difference(x...); });
}

bool operator==(const address_set& a, const address_set& b) {
    return a.b_ == b.b_ || std::equal(a.begin(), a.end(), b.begin(), b.end());
}

std::string address_set::to_string() const {
    std::string s = "{";
    for (const address* p = begin(); p != end(); ++p) {
        if (p != begin()) s += ", ";
        s += p->to_string();
    }
    return s + "}";
}

}  // namespace mcproxy::net
