// SPDX-License-Identifier: GPL-2.0-or-later
/// @file
/// @brief Sorted set of addresses with the set operators the RFC tables use.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "mcproxy/net/address.hpp"

namespace mcproxy::net {

/// @brief A sorted, duplicate-free set of addresses.
///
/// The operators read like the RFC 3376 6.4 / RFC 3810 7.4 tables:
/// `a + b` union, `a * b` intersection, `a - b` difference. The addresses
/// lie sorted in one shared block (16+1 bytes per entry, no node overhead),
/// so every operator is a linear merge. Copies share the block until one of
/// them changes (copy on write): the same source list is held by the
/// router's report, the aggregator's per-downstream and merged state and
/// the upstream host, and 500,000 joined (S,G) would otherwise be stored
/// four times over. An empty set holds no block.
class address_set {
public:
    /// @brief Iterates the addresses in ascending order.
    using const_iterator = const address*;

    address_set() = default;
    /// @brief From a braced list; sorts and removes duplicates.
    address_set(std::initializer_list<address> l);
    /// @brief From any list; sorts and removes duplicates.
    explicit address_set(std::vector<address> v);
    /// @brief From a list already sorted and free of duplicates.
    static address_set from_sorted(std::span<const address> sorted);
    /// @brief A copy that shares the block of `o`.
    address_set(const address_set& o) noexcept;
    /// @brief Takes the block of `o`, which is left empty.
    address_set(address_set&& o) noexcept : b_(o.b_) { o.b_ = nullptr; }
    /// @brief Shares the block of `o`; this set's old block is released.
    address_set& operator=(const address_set& o) noexcept;
    /// @brief Takes the block of `o`, which is left empty.
    address_set& operator=(address_set&& o) noexcept;
    /// @brief Releases the block; the last set holding it frees it.
    ~address_set() { release(); }

    bool empty() const { return b_ == nullptr; }  ///< whether there is no address
    std::size_t size() const { return b_ ? b_->size : 0; }  ///< number of addresses
    const_iterator begin() const { return b_ ? b_->data() : nullptr; }  ///< iterator to the smallest address
    const_iterator end() const { return b_ ? b_->data() + b_->size : nullptr; }  ///< iterator past the largest address
    std::span<const address> items() const { return {begin(), end()}; }  ///< the sorted addresses
    std::vector<address> to_vector() const { return {begin(), end()}; }  ///< a copy of the sorted addresses
    /// @brief Heap bytes of the block (counted by every set sharing it).
    std::size_t heap_bytes() const;

    /// @brief Whether `a` is in the set.
    bool contains(const address& a) const;
    /// @brief Inserts; returns true if it was not there.
    bool insert(const address& a);
    /// @brief Removes; returns true if it was there.
    bool erase(const address& a);
    void clear() { release(); }  ///< removes every address

    /// @brief Union: the addresses in `a` or `b` (`A + B` of the RFC tables).
    friend address_set operator+(const address_set& a, const address_set& b);
    /// @brief Intersection: the addresses in both (`A * B`).
    friend address_set operator*(const address_set& a, const address_set& b);
    /// @brief Difference: the addresses of `a` not in `b` (`A - B`).
    friend address_set operator-(const address_set& a, const address_set& b);
    /// @brief Adds every address of `b`.
    address_set& operator+=(const address_set& b) { return *this = *this + b; }
    /// @brief Removes every address of `b`.
    address_set& operator-=(const address_set& b) { return *this = *this - b; }
    friend bool operator==(const address_set& a, const address_set& b);

    /// @brief "{a, b, c}" for logs and test failure messages.
    std::string to_string() const;

private:
    /// Header of the shared block; the addresses follow it.
    struct block {
        std::atomic<std::uint32_t> refs;
        std::uint32_t size;
        std::uint32_t capacity;
        address* data() { return reinterpret_cast<address*>(this + 1); }
    };
    static block* allocate(std::size_t capacity);
    void release() noexcept;
    /// Makes the block this set's own, with room for `extra` more addresses.
    void own(std::size_t extra);

    block* b_ = nullptr;
};

}  // namespace mcproxy::net
