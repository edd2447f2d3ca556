// SPDX-License-Identifier: GPL-2.0-or-later
// Instances: protocol scoping, names, interfaces, peering, kernel tables.
#include <set>

#include "semantic_support.hpp"

namespace mcproxy::config::detail {
namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

protocol_version to_version(const std::string& v) {
    if (v == "igmpv1") return protocol_version::igmpv1;
    if (v == "igmpv2") return protocol_version::igmpv2;
    if (v == "mldv1") return protocol_version::mldv1;
    if (v == "mldv2") return protocol_version::mldv2;
    return protocol_version::igmpv3;
}

// Linux dev_valid_name(): 1..15 bytes (IFNAMSIZ 16 with the NUL), not "."
// or "..", no '/', ':' or white space.
bool check_iface_name(const ast::name& n, diag_sink& sink) {
    std::string why;
    if (n.text.empty()) why = "it is empty";
    else if (n.text.size() > 15) why = "it is longer than 15 characters";
    else if (n.text == "." || n.text == "..") why = "'.' and '..' are not allowed";
    else if (n.text.find_first_of("/: \t") != std::string::npos) why = "it contains '/', ':' or white space";
    if (why.empty()) return true;
    sink.error(n.loc, "invalid interface name " + q(n.text) + ": " + why, n.text, "a Linux interface name");
    return false;
}

}  // namespace

void build_instances(const ast::file& tree, model& m, std::map<std::string, std::size_t>& index, diag_sink& sink) {
    // A protocol statement applies to the instances after it; instances
    // before the first one use the first one, so a file with a single
    // protocol line means what it always meant, wherever that line is.
    std::optional<protocol_version> current;
    const ast::protocol_stmt* first_protocol = nullptr;
    std::size_t protocol_count = 0;
    for (const auto& st : tree.statements)
        if (const auto* p = std::get_if<ast::protocol_stmt>(&st)) {
            if (!first_protocol) first_protocol = p;
            ++protocol_count;
        }
    if (first_protocol) current = to_version(first_protocol->version);

    std::map<std::string, location> first_def;
    const ast::protocol_stmt* pending_protocol = nullptr;  // a protocol with no instance after it yet
    bool warned_default = false;
    std::vector<const ast::instance_stmt*> defs;
    for (const auto& st : tree.statements) {
        if (const auto* p = std::get_if<ast::protocol_stmt>(&st)) {
            if (pending_protocol && protocol_count > 1)
                sink.warn(pending_protocol->loc, "this protocol statement applies to no instance: the next "
                                                 "protocol statement comes before any 'pinstance' definition");
            current = to_version(p->version);
            pending_protocol = p;
            continue;
        }
        const auto* d = std::get_if<ast::instance_stmt>(&st);
        if (!d) continue;
        pending_protocol = nullptr;
        if (!current && !warned_default) {
            sink.warn(d->loc, "no 'protocol' statement in the file; using IGMPv3");
            warned_default = true;
        }
        auto [it, fresh] = first_def.emplace(d->instance_name.text, d->instance_name.loc);
        if (!fresh) {
            sink.error(d->instance_name.loc,
                       "instance " + q(d->instance_name.text) + " is already defined at " + to_string(it->second),
                       d->instance_name.text, "a new instance name");
            continue;
        }
        instance inst;
        inst.name = d->instance_name.text;
        inst.protocol = current.value_or(protocol_version::igmpv3);
        inst.family = family_of(inst.protocol);
        inst.loc = d->loc;
        std::set<std::string> ups;
        std::set<std::string> downs;
        std::set<std::string> all;
        for (const auto& u : d->upstreams) {
            if (!check_iface_name(u, sink)) continue;
            if (!ups.insert(u.text).second) {
                sink.error(u.loc, "interface " + q(u.text) + " is listed twice as upstream of instance " + q(inst.name),
                           u.text, "each upstream once");
                continue;
            }
            all.insert(u.text);
            if (all.size() == max_interfaces_per_instance + 1)
                sink.error(u.loc, "instance " + q(inst.name) + " has more than " +
                                      std::to_string(max_interfaces_per_instance) +
                                      " interfaces; the kernel allows 32 per table (split it into several instances)",
                           u.text, "at most 32 interfaces");
            inst.upstreams.push_back({{u.text, false, {}}, u.loc});
        }
        for (const auto& dn : d->downstreams) {
            if (!check_iface_name(dn, sink)) continue;
            if (!downs.insert(dn.text).second) {
                sink.error(dn.loc,
                           "interface " + q(dn.text) + " is listed twice as downstream of instance " + q(inst.name),
                           dn.text, "each downstream once");
                continue;
            }
            const bool peer = ups.count(dn.text) != 0;
            if (!peer) {
                all.insert(dn.text);
                if (all.size() == max_interfaces_per_instance + 1)
                    sink.error(dn.loc,
                               "instance " + q(inst.name) + " has more than " +
                                   std::to_string(max_interfaces_per_instance) +
                                   " interfaces; the kernel allows 32 per table (split it into several instances)",
                               dn.text, "at most 32 interfaces");
            }
            downstream ds;
            ds.name = dn.text;
            ds.peering = peer;
            ds.loc = dn.loc;
            inst.downstreams.push_back(std::move(ds));
        }
        for (auto& u : inst.upstreams)
            if (downs.count(u.name)) {
                u.peering = true;
                inst.peering.push_back(u.name);
            }
        if (d->table) {
            if (*d->table == 0 || *d->table > 0xFFFFFFFEull)
                sink.error(d->table_loc, "table number " + std::to_string(*d->table) + " is out of range, expected 1..4294967294",
                           std::to_string(*d->table), "1..4294967294");
            else
                inst.table = static_cast<std::uint32_t>(*d->table);
            inst.table_explicit = true;
        }
        index[inst.name] = m.instances.size();
        m.instances.push_back(std::move(inst));
        defs.push_back(d);
    }

    // An interface may be in one IPv4 and one IPv6 instance, never in two of one family.
    std::map<std::pair<net::family, std::string>, std::pair<std::string, location>> owner;
    for (const auto& inst : m.instances) {
        auto claim = [&](const std::string& n, location loc) {
            auto [it, fresh] = owner.emplace(std::make_pair(inst.family, n), std::make_pair(inst.name, loc));
            if (!fresh && it->second.first != inst.name)
                sink.error(loc,
                           "interface " + q(n) + " is already used by " + std::string(net::to_string(inst.family)) +
                               " instance " + q(it->second.first) + " at " + to_string(it->second.second) +
                               "; an interface may belong to one IPv4 and one IPv6 instance",
                           n, "an interface not used by another " + std::string(net::to_string(inst.family)) + " instance");
        };
        for (const auto& u : inst.upstreams) claim(u.name, u.loc);
        for (const auto& d : inst.downstreams) claim(d.name, d.loc);
    }

    // Kernel tables: explicit numbers must differ within a family (IPv4 and
    // IPv6 multicast routing tables are separate); the others get the lowest
    // free number from 1, never 253..255 (the kernel's default, main, local).
    std::map<std::pair<net::family, std::uint32_t>, std::size_t> used;
    for (std::size_t i = 0; i < m.instances.size(); ++i) {
        auto& inst = m.instances[i];
        if (!inst.table_explicit || inst.table == 0) continue;
        auto [it, fresh] = used.emplace(std::make_pair(inst.family, inst.table), i);
        if (!fresh) {
            const auto& other = m.instances[it->second];
            sink.error(defs[i]->table_loc,
                       "table " + std::to_string(inst.table) + " is already used by " +
                           std::string(net::to_string(inst.family)) + " instance " + q(other.name) + " at " +
                           to_string(defs[it->second]->table_loc),
                       std::to_string(inst.table), "a table number not used by another instance");
        }
    }
    // The first instance of a family without a table number uses the
    // kernel's default multicast table (0 here): the common single-instance
    // setup then needs no policy rules and no MRT_TABLE support.
    std::set<net::family> default_used;
    for (auto& inst : m.instances) {
        if (inst.table_explicit) continue;
        if (default_used.insert(inst.family).second) {
            inst.table = 0;
            continue;
        }
        std::uint32_t n = 1;
        while (used.count({inst.family, n}) || (n >= 253 && n <= 255)) ++n;
        inst.table = n;
        used.emplace(std::make_pair(inst.family, n), 0);
    }
}

}  // namespace mcproxy::config::detail
