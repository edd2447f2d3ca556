// SPDX-License-Identifier: GPL-2.0-or-later
#include "mcproxy/kernel/feature_check.hpp"

#include "mcproxy/kernel/mroute4.hpp"
#include "mcproxy/kernel/mroute6.hpp"
#include "mcproxy/kernel/policy_rules.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>

namespace mcproxy::kernel {

namespace {

constexpr std::uint32_t scratch_table = 4242;
constexpr int probe_timeout_ms = 5000;
// Per-socket membership need: 224.0.0.2 and 224.0.0.22 on each of up to 32 downstreams.
constexpr long wanted_igmp_memberships = 2 * max_vifs;

// errno of each probe (0 = worked), filled in the child.
struct probes {
    int unshare = 0;
    int mrt4 = 0, mrt6 = 0, table4 = 0, table6 = 0, rule4 = 0, rule6 = 0;
};

int errno_of(const status& s) { return s.ok() ? 0 : s.code().value(); }

template <class T>
int errno_of(const result<T>& r) { return r.ok() ? 0 : r.code().value(); }

int probe_rule(net::family fam) {
    auto rules = policy_rules::open();
    if (!rules) return rules.code().value();
    mroute_rule r{fam, scratch_table, "lo", "", rule_priority_base};
    if (auto s = rules->add(r); !s) return s.code().value();
    return errno_of(rules->remove(r));
}

probes run_probes() {
    probes p;
    p.mrt4 = errno_of(mroute4::open());
    p.mrt6 = errno_of(mroute6::open());
    p.table4 = errno_of(mroute4::open(scratch_table));
    p.table6 = errno_of(mroute6::open(scratch_table));
    p.rule4 = probe_rule(net::family::ipv4);
    p.rule6 = probe_rule(net::family::ipv6);
    return p;
}

// Runs the probes in a child inside a new network namespace, so nothing of
// the running system (its tables, rules, forwarding flags) is touched.
probes probe_in_scratch_namespace() {
    probes p;
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) < 0) {
        p.unshare = errno;
        return p;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        p.unshare = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        return p;
    }
    if (pid == 0) {
        ::close(fds[0]);
        probes c;
        if (::unshare(CLONE_NEWNET) < 0) c.unshare = errno;
        else c = run_probes();
        const ssize_t w = ::write(fds[1], &c, sizeof c);
        ::_exit(w == static_cast<ssize_t>(sizeof c) ? 0 : 1);
    }
    ::close(fds[1]);
    pollfd pf{fds[0], POLLIN, 0};
    bool got = false;
    if (::poll(&pf, 1, probe_timeout_ms) > 0) got = ::read(fds[0], &p, sizeof p) == static_cast<ssize_t>(sizeof p);
    ::close(fds[0]);
    if (!got) {
        ::kill(pid, SIGKILL);
        p = probes{};
        p.unshare = ETIMEDOUT;
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return p;
}

bool has_capability(const __user_cap_data_struct (&data)[2], int cap) {
    return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

check_result check_privileges() {
    check_result r{"privileges (root or CAP_NET_ADMIN + CAP_NET_RAW)", false, true, {}, {}};
    __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (::syscall(SYS_capget, &hdr, data) < 0) {
        const int e = errno;  // before building the message, which allocates
        r.detail = std::string("capget failed: ") + std::strerror(e);
    } else {
        const bool admin = has_capability(data, CAP_NET_ADMIN), raw = has_capability(data, CAP_NET_RAW);
        r.ok = admin && raw;
        r.detail = ::geteuid() == 0 ? "uid 0" : "uid " + std::to_string(::geteuid());
        r.detail += std::string(", CAP_NET_ADMIN ") + (admin ? "yes" : "no") + ", CAP_NET_RAW " + (raw ? "yes" : "no");
    }
    r.hint = "run as root, or: setcap cap_net_admin,cap_net_raw+ep $(command -v mcproxy)";
    return r;
}

std::string errno_text(int e) { return e == 0 ? std::string("works") : std::string(std::strerror(e)); }

check_result from_probe(std::string name, bool required, int e, const std::string& missing_hint, bool scratch) {
    check_result r{std::move(name), e == 0, required, errno_text(e), {}};
    if (scratch && e == 0) r.detail += " (probed in a scratch network namespace)";
    // Missing features (ENOPROTOOPT, EOPNOTSUPP, EAFNOSUPPORT) and any other
    // error get the feature's hint; only a permission error gets another.
    if (e == EPERM || e == EACCES) r.hint = "run as root or with CAP_NET_ADMIN and CAP_NET_RAW";
    else if (e != 0) r.hint = missing_hint;
    return r;
}

// The current namespace's default table: free, or owned by another daemon.
check_result default_table(net::family fam) {
    const bool v4 = fam == net::family::ipv4;
    check_result r{std::string(v4 ? "IPv4" : "IPv6") + " default multicast table free", false, false, {}, {}};
    const int e = v4 ? errno_of(mroute4::open()) : errno_of(mroute6::open());
    r.ok = e == 0;
    if (e == 0) r.detail = "not in use";
    else if (e == EADDRINUSE) r.detail = "in use by another multicast router (mrouted, pimd, smcroute, igmpproxy or a running mcproxy)";
    else r.detail = std::strerror(e);
    r.hint = e == EADDRINUSE ? "stop the other router, or give every instance its own table: pinstance NAME(TABLE): ..."
                             : "see the multicast routing lines above";
    return r;
}

std::optional<long> read_long(const std::string& path) {
    std::ifstream f(path);
    long v = 0;
    if (f >> v) return v;
    return std::nullopt;
}

check_result limit(const std::string& name, const std::string& path, long wanted, const std::string& why,
                   const std::string& sysctl) {
    check_result r{name, false, false, {}, {}};
    auto v = read_long(path);
    if (!v) {
        // Some of these are global and only exist in the initial network namespace.
        r.ok = wanted == 0;
        r.detail = "cannot read " + path + (wanted == 0 ? " (not used by mcproxy)" : "");
        r.hint = "is /proc mounted? In a container, check it on the host";
        return r;
    }
    r.ok = *v >= wanted;
    r.detail = std::to_string(*v) + (why.empty() ? "" : " (" + why + ")");
    r.hint = "sysctl -w " + sysctl + "=" + std::to_string(wanted);
    return r;
}

}  // namespace

std::vector<check_result> run_feature_checks() {
    std::vector<check_result> out;
    out.push_back(check_privileges());
    const bool privileged = out.back().ok;

    probes p = probe_in_scratch_namespace();
    const bool scratch = p.unshare == 0;
    if (!scratch && privileged) p = run_probes();  // no CAP_SYS_ADMIN for unshare: probe here
    if (!privileged) p = probes{EPERM, EPERM, EPERM, EPERM, EPERM, EPERM, EPERM};

    out.push_back(from_probe("IPv4 multicast routing (MRT_INIT)", true, p.mrt4,
                             "enable CONFIG_IP_MROUTE in the kernel", scratch));
    out.push_back(from_probe("IPv6 multicast routing (MRT6_INIT)", false, p.mrt6,
                             "enable CONFIG_IPV6_MROUTE in the kernel (needed for MLD instances)", scratch));
    out.push_back(from_probe("multiple IPv4 multicast tables (MRT_TABLE)", false, p.table4,
                             "enable CONFIG_IP_MROUTE_MULTIPLE_TABLES (needed for pinstance NAME(TABLE))", scratch));
    out.push_back(from_probe("multiple IPv6 multicast tables (MRT6_TABLE)", false, p.table6,
                             "enable CONFIG_IPV6_MROUTE_MULTIPLE_TABLES (needed for MLD pinstance NAME(TABLE))",
                             scratch));
    out.push_back(from_probe("IPv4 multicast policy rules (RTNL_FAMILY_IPMR)", false, p.rule4,
                             "enable CONFIG_IP_MROUTE_MULTIPLE_TABLES and CONFIG_IP_MULTIPLE_TABLES", scratch));
    out.push_back(from_probe("IPv6 multicast policy rules (RTNL_FAMILY_IP6MR)", false, p.rule6,
                             "enable CONFIG_IPV6_MROUTE_MULTIPLE_TABLES and CONFIG_IPV6_MULTIPLE_TABLES", scratch));
    if (privileged) {
        if (p.mrt4 == 0) out.push_back(default_table(net::family::ipv4));
        if (p.mrt6 == 0) out.push_back(default_table(net::family::ipv6));
    }

    const auto memberships = read_long("/proc/sys/net/ipv4/igmp_max_memberships").value_or(0);
    // The daemon spreads its joins (224.0.0.2 and 224.0.0.22 on every
    // downstream) over as many sockets as this limit makes necessary.
    out.push_back(limit("net.ipv4.igmp_max_memberships", "/proc/sys/net/ipv4/igmp_max_memberships", 1,
                        "per socket; mcproxy uses " +
                            std::to_string(memberships > 0 ? (wanted_igmp_memberships + memberships - 1) / memberships
                                                           : 0) +
                            " socket(s) for 32 downstream interfaces",
                        "net.ipv4.igmp_max_memberships"));
    if (!out.back().ok) out.back().hint = "sysctl -w net.ipv4.igmp_max_memberships=20 (the kernel default)";
    out.push_back(limit("net.ipv4.igmp_max_msf", "/proc/sys/net/ipv4/igmp_max_msf", 0,
                        "not used: mcproxy programs forwarding entries, not socket source filters",
                        "net.ipv4.igmp_max_msf"));
    out.push_back(limit("net.ipv6.mld_max_msf", "/proc/sys/net/ipv6/mld_max_msf", 0,
                        "not used: mcproxy programs forwarding entries, not socket source filters",
                        "net.ipv6.mld_max_msf"));
    out.push_back(check_result{"interfaces per instance", true, false,
                               std::to_string(max_vifs) + " (kernel MAXVIFS/MAXMIFS, fixed at build time)", {}});
    return out;
}

std::string format_checks(const std::vector<check_result>& results) {
    std::string s;
    for (const auto& r : results) {
        s += r.ok ? "[ OK ] " : "[FAILED] ";
        s += r.name;
        if (!r.ok && !r.required) s += " (optional)";
        if (!r.detail.empty()) s += ": " + r.detail;
        if (!r.ok && !r.hint.empty()) s += " -> " + r.hint;
        s += '\n';
    }
    return s;
}

bool required_checks_passed(const std::vector<check_result>& results) {
    return std::all_of(results.begin(), results.end(), [](const check_result& r) { return r.ok || !r.required; });
}

}  // namespace mcproxy::kernel
