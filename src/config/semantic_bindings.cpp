// SPDX-License-Identifier: GPL-2.0-or-later
// Filter bindings, rulematching, per-downstream and instance settings.
#include "semantic_support.hpp"

namespace mcproxy::config::detail {
namespace {

std::string q(const std::string& s) { return "'" + s + "'"; }

const char* side_name(ast::side s) { return s == ast::side::upstream ? "upstream" : "downstream"; }
const char* dir_name(ast::direction d) { return d == ast::direction::in ? "in" : "out"; }

instance* find(model& m, const std::map<std::string, std::size_t>& index, const ast::name& n, diag_sink& sink) {
    auto it = index.find(n.text);
    if (it != index.end()) return &m.instances[it->second];
    sink.error(n.loc, "unknown instance " + q(n.text) + ": no 'pinstance " + n.text + ": ... ==> ...;' in the file",
               n.text, "the name of an instance defined with 'pinstance NAME: ...;'");
    return nullptr;
}

// Whether `iface` is on side `s` of `inst`; reports otherwise.
bool on_side(const instance& inst, ast::side s, const ast::name& iface, diag_sink& sink) {
    const bool up = inst.find_upstream(iface.text) != nullptr;
    const bool down = inst.find_downstream(iface.text) != nullptr;
    if (s == ast::side::upstream ? up : down) return true;
    std::string msg = "interface " + q(iface.text) + " is not " + (s == ast::side::upstream ? "an " : "a ") +
                      side_name(s) + " of instance " + q(inst.name);
    if (up || down) msg += std::string(" (it is ") + (up ? "an upstream" : "a downstream") + ")";
    std::vector<std::string> names;
    if (s == ast::side::upstream)
        for (const auto& u : inst.upstreams) names.push_back(u.name);
    else
        for (const auto& d : inst.downstreams) names.push_back(d.name);
    if (names.empty()) {
        msg += std::string(", expected none: it has no ") + side_name(s);
    } else {
        msg += std::string(", expected one of: ");
        for (std::size_t i = 0; i < names.size() && i < 8; ++i) msg += (i ? ", " : "") + names[i];
        if (names.size() > 8) msg += ", ...";
    }
    sink.error(iface.loc, msg, iface.text, std::string("an ") + side_name(s) + " interface of " + q(inst.name));
    return false;
}

// Binds flattened rules to an instance: '*' becomes the family's range and
// every concrete address must be of the instance's family.
std::optional<rule_set> bind_rules(const instance& inst, const std::vector<flat_rule>& flat, location binding,
                                   diag_sink& sink) {
    std::vector<rule> rules;
    bool ok = true;
    auto check = [&](const std::optional<address_range>& r, location loc, const std::string& text) {
        if (!r || r->first.fam() == inst.family) return true;
        sink.error(loc,
                   std::string(net::to_string(r->first.fam())) + " address " + q(text) + " does not match protocol " +
                       std::string(to_string(inst.protocol)) + " of instance " + q(inst.name) + " (bound at " +
                       to_string(binding) + ")",
                   text, std::string("an ") + std::string(net::to_string(inst.family)) + " address");
        return false;
    };
    for (const auto& f : flat) {
        const bool g = check(f.group, f.group_loc, f.group_text);
        const bool s = check(f.source, f.source_loc, f.source_text);
        if (!g || !s) {
            ok = false;
            continue;
        }
        if (f.iface && !inst.find_upstream(*f.iface) && !inst.find_downstream(*f.iface))
            sink.warn(f.iface_loc, "interface " + q(*f.iface) + " in this rule is not part of instance " +
                                       q(inst.name) + " (bound at " + to_string(binding) + "); the rule never matches");
        rules.push_back({{f.iface, f.group.value_or(address_range::all(inst.family)),
                          f.source.value_or(address_range::all(inst.family))},
                         f.loc});
    }
    if (!ok) return std::nullopt;
    return rule_set(std::move(rules));
}

struct binding_key {
    std::string instance;
    ast::side which;
    std::string iface;  // "*" for the default
    ast::direction dir;
    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted <=>
    friend auto operator<=>(const binding_key&, const binding_key&) = default;
};

void apply_filter(instance& inst, const ast::binding_stmt& b, filter f, bool defaults_only) {
    auto set = [&](interface_filters& fs) {
        auto& slot = b.dir == ast::direction::in ? fs.in : fs.out;
        if (!defaults_only || !slot) slot = f;
    };
    if (b.which == ast::side::upstream) {
        for (auto& u : inst.upstreams)
            if (!b.iface || u.name == b.iface->text) set(u.filters);
    } else {
        for (auto& d : inst.downstreams)
            if (!b.iface || d.name == b.iface->text) set(d.filters);
    }
}

void rulematching(const ast::rulematching_stmt& s, instance& inst, std::map<binding_key, location>& seen,
                  diag_sink& sink) {
    if (s.which != ast::side::upstream) {
        sink.error(s.loc, "rulematching applies to upstreams only, expected 'pinstance " + inst.name + " upstream * " +
                              dir_name(s.dir) + " rulematching ...'",
                   "downstream", "'upstream'");
        return;
    }
    if (s.iface)
        sink.warn(s.iface_loc, "rulematching applies to all upstreams of instance " + q(inst.name) + "; interface " +
                                   q(s.iface->text) + " is ignored (write '*')");
    auto [it, fresh] = seen.emplace(binding_key{inst.name, s.which, "*", s.dir}, s.loc);
    if (!fresh) {
        sink.error(s.loc, std::string("rulematching for 'upstream * ") + dir_name(s.dir) + "' of instance " +
                              q(inst.name) + " is already set at " + to_string(it->second),
                   "rulematching", "one rulematching per direction");
        return;
    }
    rule_matching rm;
    if (s.kind == "all") rm.kind = matching::all;
    else if (s.kind == "first") rm.kind = matching::first;
    else rm.kind = matching::mutex;
    if (rm.kind == matching::mutex) {
        if (s.dir == ast::direction::out) {
            sink.error(s.kind_loc, "'mutex' applies to 'upstream * in' only, expected 'all' or 'first'", "mutex",
                       "'all' or 'first'");
            return;
        }
        auto t = parse_time(*s.timeout, s.timeout_loc, "mutex timeout", true, sink);
        if (!t) return;
        if (t->count() == 0) {
            sink.error(s.timeout_loc, "mutex timeout must be greater than 0", *s.timeout, "a positive time");
            return;
        }
        rm.timeout = *t;
    }
    if (inst.upstreams.size() < 2)
        sink.warn(s.loc, "rulematching has no effect: instance " + q(inst.name) + " has fewer than two upstreams");
    (s.dir == ast::direction::in ? inst.upstream_in : inst.upstream_out) = rm;
}

void instance_options(const ast::instance_option_stmt& o, instance& inst, std::map<std::string, location>& seen,
                      diag_sink& sink) {
    for (const auto& s : o.settings) {
        auto [it, fresh] = seen.emplace(inst.name + "\n" + s.key, s.loc);
        if (!fresh) {
            sink.error(s.loc, q(s.key) + " of instance " + q(inst.name) + " is already set at " + to_string(it->second),
                       s.key, "each setting once");
            continue;
        }
        // s.key is route-idle-timeout, the only instance key the parser accepts.
        auto t = parse_time(*s.value, s.value_loc, s.key, false, sink);
        if (!t) continue;
        if (*t < std::chrono::seconds(1)) {
            sink.error(s.value_loc, "route-idle-timeout " + *s.value + " is out of range, expected 1 s .. 1 day",
                       *s.value, "1 s .. 1 day");
            continue;
        }
        inst.route_idle_timeout = *t;
    }
}

}  // namespace

void apply_bindings(const ast::file& tree, model& m, const std::map<std::string, std::size_t>& index,
                    table_resolver& tables, diag_sink& sink) {
    std::map<binding_key, location> seen;
    std::map<binding_key, location> seen_matching;
    std::map<std::string, location> seen_options;
    std::map<std::string, std::vector<const ast::tuning_stmt*>> tuning;
    // '*' bindings fill only the interfaces without their own binding, so
    // they are applied after all specific ones.
    std::vector<std::pair<const ast::binding_stmt*, filter>> defaults;
    std::size_t bound = 0;

    for (const auto& st : tree.statements) {
        if (const auto* b = std::get_if<ast::binding_stmt>(&st)) {
            instance* inst = find(m, index, b->instance, sink);
            if (!inst) continue;
            if (b->iface && !on_side(*inst, b->which, *b->iface, sink)) continue;
            binding_key key{inst->name, b->which, b->iface ? b->iface->text : "*", b->dir};
            auto [it, fresh] = seen.emplace(key, b->loc);
            if (!fresh) {
                sink.error(b->loc,
                           std::string("a filter for '") + side_name(b->which) + " " + key.iface + " " +
                               dir_name(b->dir) + "' of instance " + q(inst->name) + " is already bound at " +
                               to_string(it->second),
                           key.iface, "one filter per interface and direction");
                continue;
            }
            flat_table flat = b->table_ref ? tables.named(*b->table_ref) : tables.list(b->inline_rules);
            if (!flat) continue;
            bound += flat->size();
            if (bound > max_bound_rules) {
                sink.error(b->loc,
                           "filter bindings bind more than " + std::to_string(max_bound_rules) + " rules in total",
                           "", "smaller tables");
                return;
            }
            auto rules = bind_rules(*inst, *flat, b->loc, sink);
            if (!rules) continue;
            filter f{{b->whitelist ? filter_type::whitelist : filter_type::blacklist, std::move(*rules),
                      b->table_ref ? b->table_ref->text : std::string()},
                     b->loc};
            if (b->iface) {
                apply_filter(*inst, *b, std::move(f), false);
                continue;
            }
            if (b->which == ast::side::upstream && inst->upstreams.empty())
                sink.warn(b->loc, "instance " + q(inst->name) + " has no upstream; this binding has no effect");
            defaults.emplace_back(b, std::move(f));
        } else if (const auto* r = std::get_if<ast::rulematching_stmt>(&st)) {
            if (instance* inst = find(m, index, r->instance, sink)) rulematching(*r, *inst, seen_matching, sink);
        } else if (const auto* t = std::get_if<ast::tuning_stmt>(&st)) {
            instance* inst = find(m, index, t->instance, sink);
            if (!inst) continue;
            if (t->iface && !on_side(*inst, ast::side::downstream, *t->iface, sink)) continue;
            tuning[inst->name].push_back(t);
        } else if (const auto* o = std::get_if<ast::instance_option_stmt>(&st)) {
            if (instance* inst = find(m, index, o->instance, sink)) instance_options(*o, *inst, seen_options, sink);
        }
    }
    for (auto& [b, f] : defaults) {
        instance& inst = m.instances[index.at(b->instance.text)];
        auto& d = b->which == ast::side::upstream ? inst.upstream_defaults : inst.downstream_defaults;
        (b->dir == ast::direction::in ? d.in : d.out) = f;
        apply_filter(inst, *b, f, true);
    }
    for (auto& inst : m.instances) apply_tuning(inst, tuning[inst.name], sink);
}

}  // namespace mcproxy::config::detail
