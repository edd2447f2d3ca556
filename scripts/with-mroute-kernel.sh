#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs a command under a Linux kernel with IPv4 and IPv6 multicast routing and
# multiple multicast tables: natively when this machine's kernel has them,
# otherwise inside a qemu VM that boots Debian's stock amd64 kernel and sees
# this machine's whole file system over virtio-9p (same binaries, same Python,
# same working directory). The command's output streams back and its exit
# status is this script's. doc/mroute-vm.md explains the design and figures.
#
# Usage: scripts/with-mroute-kernel.sh CMD [ARGS...]
#        scripts/with-mroute-kernel.sh --shell     (an interactive root shell there)
#        scripts/with-mroute-kernel.sh --prepare   (download and build the VM kernel and initramfs only)
#        scripts/with-mroute-kernel.sh --where     (print "native" or "vm" and why)
#
# Environment:
#   MCPROXY_VM=auto|always|never   auto (default): VM only when the kernel lacks multicast routing
#   MCPROXY_VM_KERNEL=6.1|6.12     Debian 12's kernel line to boot (default 6.1)
#   MCPROXY_VM_TIMEOUT=SECONDS     the VM is killed after this long (default 3600); exit 124
#   MCPROXY_VM_MEM=MiB             guest memory (default 6144)
#   MCPROXY_VM_CPUS=N              guest CPUs (default: this machine's)
#   MCPROXY_VM_CACHE=DIR           kernel and initramfs cache (default /var/cache/mcproxy-vm)
#   MCPROXY_VM_QUIET=1             no "running in a VM" line on stderr
#   MCPROXY_VM_ACCEL=kvm|tcg       accelerator (default: KVM when /dev/kvm runs a guest, else TCG)
# The command sees MCPROXY_MROUTE_KERNEL=native or vm, and in the VM
# MCPROXY_VM_ACCEL=kvm or tcg,... and TMPDIR=/run/tmp.
# Exit status: the command's; 124 on timeout; 125 when the VM could not be
# prepared or booted (one line on stderr says why).
set -uo pipefail

cache=${MCPROXY_VM_CACHE:-/var/cache/mcproxy-vm}
line=${MCPROXY_VM_KERNEL:-6.1}
mode=${MCPROXY_VM:-auto}
interactive=0
timeout=${MCPROXY_VM_TIMEOUT:-3600}
mem=${MCPROXY_VM_MEM:-6144}
cpus=${MCPROXY_VM_CPUS:-$(nproc)}
# Guest-side modules the tests need beyond what the kernel has built in.
guest_modules="veth bridge dummy"

die() { echo "with-mroute-kernel: $*" >&2; exit 125; }
say() { [ "${MCPROXY_VM_QUIET:-0}" = 1 ] || echo "with-mroute-kernel: $*" >&2; }

# Settings are checked before anything runs: a typo is an error, never a
# silent fallback.
case "$mode" in auto | always | never) ;; *) die "MCPROXY_VM must be auto, always or never, not '$mode'" ;; esac
case "$line" in 6.1 | 6.12) ;; *) die "MCPROXY_VM_KERNEL must be 6.1 or 6.12, not '$line'" ;; esac
case "${MCPROXY_VM_ACCEL:-}" in '' | kvm | tcg | tcg,*) ;; *) die "MCPROXY_VM_ACCEL must be kvm or tcg, not '$MCPROXY_VM_ACCEL'" ;; esac
case "$timeout" in '' | *[!0-9]*) die "MCPROXY_VM_TIMEOUT must be a number of seconds, not '$timeout'" ;; esac

# The same four features `mcproxy -c` checks (MRT_INIT, MRT6_INIT, MRT_TABLE,
# MRT6_TABLE), probed in a throw-away network namespace so that a multicast
# router already running here is neither disturbed nor mistaken for support.
native_probe() {
  unshare --net /usr/bin/python3 - 2>/dev/null <<'EOF'
import socket, struct, sys
MRT_INIT, MRT_TABLE = 200, 209    # linux/mroute.h: MRT_BASE, MRT_BASE + 9
MRT6_INIT, MRT6_TABLE = 200, 209  # linux/mroute6.h: MRT6_BASE, MRT6_BASE + 9
one = struct.pack("i", 1)
try:
    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
    s4.setsockopt(socket.IPPROTO_IP, MRT_TABLE, struct.pack("I", 100))
    s4.setsockopt(socket.IPPROTO_IP, MRT_INIT, one)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s6.setsockopt(socket.IPPROTO_IPV6, MRT6_TABLE, struct.pack("I", 100))
    s6.setsockopt(socket.IPPROTO_IPV6, MRT6_INIT, one)
except OSError as e:
    print(e, file=sys.stderr)
    sys.exit(1)
EOF
}

# Why the VM is needed, in one phrase (or nothing when it is not).
native_lacks() {
  if [ ! -e /proc/net/ip_mr_vif ]; then echo "no IPv4 multicast routing (CONFIG_IP_MROUTE)"
  elif [ ! -e /proc/net/ip6_mr_vif ]; then echo "no IPv6 multicast routing (CONFIG_IPV6_MROUTE)"
  elif ! native_probe; then echo "no multiple multicast tables (MRT_TABLE/MRT6_TABLE)"
  fi
}

choose() {
  case "$mode" in
    never) echo native ;;
    always) echo vm ;;
    auto) if [ -n "$(native_lacks)" ]; then echo vm; else echo native; fi ;;
    *) die "MCPROXY_VM must be auto, always or never, not '$mode'" ;;
  esac
}

# Debian 12 ships two kernel lines; the unsigned packages hold the same image
# as the signed ones without the shim dependency.
package_pattern() {
  case "$line" in
    6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
    6.12) echo '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
    *) die "MCPROXY_VM_KERNEL must be 6.1 or 6.12, not '$line'" ;;
  esac
}

install_host_tools() {
  local need=()
  command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
  # (grep without -q: an early exit would fail the pipe under pipefail)
  [ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -x switch_root >/dev/null || need+=(busybox-static)
  command -v cpio >/dev/null || need+=(cpio)
  command -v depmod >/dev/null || need+=(kmod)
  [ ${#need[@]} -eq 0 ] && return 0
  say "installing ${need[*]}"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$cache/apt.log" 2>&1 \
    || die "could not install ${need[*]} (apt-get failed; log: $cache/apt.log)"
}

newest_package() {
  local pattern pkg
  pattern=$(package_pattern) || exit 125
  pkg=$(apt-cache search --names-only "$pattern" 2>/dev/null | awk '{print $1}' | sort -V | tail -1)
  if [ -z "$pkg" ]; then
    apt-get update -qq >/dev/null 2>&1
    pkg=$(apt-cache search --names-only "$pattern" 2>/dev/null | awk '{print $1}' | sort -V | tail -1)
  fi
  echo "$pkg"
}

# Builds $dir: the unpacked kernel package (vmlinuz and modules, never
# installed into /boot) and an initramfs with a static busybox and the
# modules that mount the host's root over virtio-9p.
prepare_kernel() {
  local dir=$1 pkg root kver moddir initrd m f
  pkg=$(newest_package)
  [ -n "$pkg" ] || die "no Debian package matches $(package_pattern) (apt-get update failed?)"
  say "preparing the VM kernel from $pkg (cached in $dir)"
  rm -rf "$dir.new"; mkdir -p "$dir.new/dl" || die "cannot write $dir.new"
  chmod 755 "$dir.new/dl"
  (cd "$dir.new/dl" && apt-get download "$pkg") >"$dir.new/download.log" 2>&1 \
    || die "apt-get download $pkg failed: $(tail -1 "$dir.new/download.log")"
  root="$dir.new/root"
  dpkg -x "$dir.new"/dl/*.deb "$root" || die "dpkg -x of $pkg failed"
  rm -rf "$dir.new/dl"
  kver=$(find "$root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -1)
  if [ -z "$kver" ] || [ ! -f "$root/boot/vmlinuz-$kver" ]; then die "$pkg has no kernel image"; fi
  depmod -b "$root" "$kver" || die "depmod for $kver failed"
  moddir="$root/lib/modules/$kver"
  initrd="$dir.new/initrd"
  mkdir -p "$initrd"/{bin,proc,sys,dev,newroot,mod}
  cp /bin/busybox "$initrd/bin/busybox" || die "no static busybox"
  # Load order as modprobe resolves it for this very kernel (it changes
  # between package revisions): virtio PCI transport, then 9p over virtio.
  for m in virtio_pci 9pnet_virtio 9p; do
    modprobe -d "$root" -S "$kver" --show-depends "$m" 2>/dev/null || die "module $m missing from $pkg"
  done | awk '$1 == "insmod" && !seen[$2]++ {print $2}' >"$dir.new/order"
  : >"$initrd/mod/order"
  # busybox's insmod takes plain .ko files; Debian compresses the 6.12
  # line's modules with xz.
  local name
  while read -r f; do
    name=$(basename "$f"); name=${name%.xz}; name=${name%.zst}
    case "$f" in
      *.xz) xz -dc "$f" >"$initrd/mod/$name" ;;
      *.zst) zstd -qdc "$f" >"$initrd/mod/$name" ;;
      *) cp "$f" "$initrd/mod/$name" ;;
    esac || die "cannot copy module $f"
    echo "$name" >>"$initrd/mod/order"
  done <"$dir.new/order"
  for m in $guest_modules; do
    modprobe -d "$root" -S "$kver" --show-depends "$m" >/dev/null 2>&1 \
      || grep -qw "$m" "$moddir/modules.builtin" || die "module $m missing from $pkg"
  done
  cat >"$initrd/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /mod/order); do
  insmod /mod/$m || { echo "with-mroute-kernel: insmod $m failed"; poweroff -f; }
done
# cache=loose: the host does not change files while the VM runs, and without
# a guest page cache every Python import is a round trip through 9p.
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose,access=any hostroot /newroot \
  || { echo "with-mroute-kernel: mounting the host's root over 9p failed"; poweroff -f; }
job=$(sed -n 's/.*vmjob=\([^ ]*\).*/\1/p' /proc/cmdline)
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/sh "$job"
EOF
  chmod +x "$initrd/init"
  (cd "$initrd" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$dir.new/initrd.gz") \
    || die "building the initramfs failed"
  rm -rf "$initrd"
  echo "$kver" >"$dir.new/kver"
  echo "$pkg" >"$dir.new/package"
  rm -rf "$dir"; mv "$dir.new" "$dir" || die "cannot move $dir.new to $dir"
}

# Prepares once per kernel line; concurrent runs wait for each other.
ensure_prepared() {
  local dir="$cache/$line"
  mkdir -p "$cache" || die "cannot create $cache"
  exec 9>"$cache/.lock"
  flock 9 || die "cannot lock $cache/.lock"
  install_host_tools
  [ -f "$dir/kver" ] || prepare_kernel "$dir"
  flock -u 9
  exec 9>&-
}

# The job script the VM runs after switch_root: its own /run, /dev/pts,
# /dev/shm and TMPDIR (UNIX sockets cannot live on 9p, and pytest's capture
# truncates unlinked files, which 9p does not support), the caller's
# environment and working directory, output on the second serial port.
write_job() {
  local job=$1 dir=$2 kver=$3 accel=$4
  shift 4
  {
    echo 'mount -t proc proc /proc; mount -t sysfs sys /sys'
    echo 'mkdir -p /dev/pts /dev/shm; mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts; mount -t tmpfs shm /dev/shm'
    echo 'ln -sf pts/ptmx /dev/ptmx 2>/dev/null'
    echo 'mount -t tmpfs -o mode=755 run /run; mkdir -p /run/netns /run/lock /run/tmp; chmod 1777 /run/tmp'
    echo 'mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null'
    echo 'mount -t debugfs none /sys/kernel/debug 2>/dev/null'
    if [ "$interactive" = 1 ]; then
      # A login-like shell on the second serial port, which qemu connects
      # to this terminal; the window size is the caller's.
      printf 'exec 3<>/dev/ttyS1; stty -F /dev/ttyS1 sane rows %s cols %s\n' "${rows:-24}" "${cols:-80}"
    else
      echo 'exec 3>/dev/ttyS1; stty -F /dev/ttyS1 raw -echo 2>/dev/null'
    fi
    # The VM kernel's modules live in the cache, not in /lib/modules (the
    # host may not even have that folder). A modprobe that looks there comes
    # first in PATH and is the kernel's helper for loading on demand, so
    # what a test needs (tc's sch_ingress and cls_bpf, for instance) loads
    # as on an installed system.
    echo 'mkdir -p /run/mroute-vm/bin'
    printf 'printf "#!/bin/sh\\nexec /sbin/modprobe -d %%s \\"\\$@\\"\\n" %q >/run/mroute-vm/bin/modprobe\n' "$dir/root"
    echo 'chmod 755 /run/mroute-vm/bin/modprobe; echo /run/mroute-vm/bin/modprobe >/proc/sys/kernel/modprobe'
    echo "for m in $guest_modules; do /run/mroute-vm/bin/modprobe \$m || echo \"with-mroute-kernel: modprobe \$m failed\" >&3; done"
    echo 'ip link set lo up; hostname mroute-vm'
    # The caller's exported environment, less what describes the host's
    # terminal session.
    export -p | grep -vE '^declare -x (PWD|OLDPWD|SHLVL|TMPDIR|TERM|HOSTNAME|SSH_[A-Z_]*|DISPLAY)=' \
      | sed 's/^declare -x /export /'
    echo "export TMPDIR=/run/tmp MCPROXY_VM_ACCEL=$accel MCPROXY_MROUTE_KERNEL=vm"
    # shellcheck disable=SC2016  # expands in the VM
    echo 'export PATH=/run/mroute-vm/bin:$PATH'
    printf 'cd '; sh_quote "$(pwd)"; echo ' || exit 1'
    if [ "$interactive" = 1 ]; then
      printf 'export TERM='; sh_quote "${TERM:-vt100}"; echo
      echo "export PS1='mroute-vm:\\w# '"
      # shellcheck disable=SC2016  # expands in the VM
      echo 'echo "with-mroute-kernel: a shell in the VM ($(uname -r)); exit ends the VM" >&3'
      echo 'setsid -c bash --norc -i <&3 >&3 2>&3'
    else
      # The serial port is a terminal: without these, pytest and ctest
      # would colour output that ends up in a file or a pipe.
      echo 'export TERM=dumb NO_COLOR=1 PY_COLORS=0 CLICOLOR=0'
      local arg
      for arg in "$@"; do sh_quote "$arg"; printf ' '; done
      echo '</dev/null >&3 2>&3'
    fi
    echo 'rc=$?'
    # shellcheck disable=SC2016  # expands in the VM
    printf 'echo "$rc" >'; sh_quote "$job.rc"; echo
    echo 'sync; echo o >/proc/sysrq-trigger; sleep 30'
  } >"$job"
}

# Whether KVM really runs a guest here. /dev/kvm is not enough: under nested
# virtualisation it may refuse the vCPU's MSRs ("failed to set MSR 0x10a")
# or never run a guest instruction. The probe boots the VM kernel with no
# root file system: a working KVM reaches "Kernel panic" within a second or
# two (TCG: about 7 s). The answer is kept for this host boot (boot_id).
# MCPROXY_VM_ACCEL=kvm|tcg skips the probe.
kvm_usable() {  # kvm_usable DIR KVER
  case "${MCPROXY_VM_ACCEL:-}" in kvm) return 0 ;; tcg*) return 1 ;; esac
  [ -w /dev/kvm ] || return 1
  local stamp="$cache/kvm-probe" boot out verdict=no
  boot=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null)
  if [ -f "$stamp" ] && [ "$(sed -n 1p "$stamp")" = "$boot" ]; then
    [ "$(sed -n 2p "$stamp")" = yes ]; return
  fi
  out=$(mktemp "$cache/kvm-probe.XXXXXX") || return 1
  # (In a subshell: bash's "Aborted" note about qemu goes to /dev/null too.)
  (timeout 20 qemu-system-x86_64 -machine q35 -accel kvm -cpu host -smp 1 -m 256 -display none \
    -no-reboot -nic none -serial "file:$out" -kernel "$1/root/boot/vmlinuz-$2" \
    -append "console=ttyS0 panic=-1" </dev/null; true) >/dev/null 2>&1
  grep -q "Kernel panic" "$out" && verdict=yes
  rm -f "$out"
  printf '%s\n%s\n' "$boot" "$verdict" >"$stamp"
  [ "$verdict" = yes ] || say "/dev/kvm is here but does not run a guest (nested virtualisation?); using TCG"
  [ "$verdict" = yes ]
}

# The job runs under the VM's /bin/sh (dash on Debian), which knows no
# $'...': bash's printf %q uses that for arguments with a newline, so
# arguments are quoted the POSIX way, in single quotes.
sh_quote() {
  local q="'\\''"
  printf "'%s'" "${1//\'/$q}"
}

run_in_vm() {
  local dir="$cache/$line" kver job out console accel pid rc start
  kver=$(cat "$dir/kver")
  job=$(mktemp "$cache/job.XXXXXX") || die "cannot create a job file in $cache"
  out=$job.out; console=$job.console
  : >"$out"; : >"$console"
  rm -f "$job.rc"
  # KVM runs the host's own CPU model (`-cpu max` under KVM asks for MSRs
  # some hosts refuse: "failed to set MSR 0x10a"); TCG emulates every
  # feature it can.
  local cpu
  if kvm_usable "$dir" "$kver"; then accel=kvm cpu=host; else accel=tcg,thread=multi cpu=max; fi
  write_job "$job" "$dir" "$kver" "$accel" "$@"
  local why
  why=$(native_lacks); why=${why:-MCPROXY_VM=always}
  say "$why here; running the command in a qemu VM ($accel, $cpus CPUs) with Debian's $(cat "$dir/package")"
  local qemu=(qemu-system-x86_64 -machine q35 -accel "$accel" -cpu "$cpu" -smp "$cpus" -m "$mem"
    -display none -no-reboot -nic none -serial "file:$console")
  # shellcheck disable=SC2054  # the commas are qemu's option syntax
  qemu+=(-kernel "$dir/root/boot/vmlinuz-$kver" -initrd "$dir/initrd.gz"
    -append "console=ttyS0 quiet panic=-1 mitigations=off vmjob=$job"
    -fsdev local,id=hostroot,path=/,security_model=passthrough,multidevs=remap
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot)
  start=$(date +%s)
  # timeout(1) ends a VM that overstays with SIGTERM (qemu then exits) and
  # returns 124; no helper process is left holding this script's output.
  local vmrc=0 tailpid=
  if [ "$interactive" = 1 ]; then
    # The second serial port is this terminal (raw; Ctrl-C goes to the VM).
    timeout "$timeout" "${qemu[@]}" -chardev stdio,id=term,signal=off -serial chardev:term 2>"$job.qemu" &
    pid=$!
  else
    timeout "$timeout" "${qemu[@]}" -serial "file:$out" </dev/null >"$job.qemu" 2>&1 &
    pid=$!
    # Stream the command's output while the VM runs.
    tail -n +1 -f --pid="$pid" "$out" &
    tailpid=$!
  fi
  trap 'kill $pid 2>/dev/null' INT TERM
  wait "$pid" || vmrc=$?
  [ -z "$tailpid" ] || wait "$tailpid" 2>/dev/null
  trap - INT TERM
  [ "$vmrc" -ne 124 ] || touch "$job.timeout"
  if [ -f "$job.timeout" ]; then
    echo "with-mroute-kernel: the VM was killed after ${timeout}s (MCPROXY_VM_TIMEOUT); console tail:" >&2
    tail -20 "$console" >&2
    rc=124
  elif [ -f "$job.rc" ]; then
    rc=$(cat "$job.rc")
  else
    echo "with-mroute-kernel: the VM ended without the command's exit status; qemu said: $(tail -3 "$job.qemu" | tr '\n' ' ')" >&2
    echo "with-mroute-kernel: console tail:" >&2
    tail -20 "$console" >&2
    rc=125
  fi
  say "VM run took $(( $(date +%s) - start ))s, exit status $rc"
  [ -n "${MCPROXY_VM_KEEP:-}" ] || rm -f "$job" "$out" "$console" "$job.rc" "$job.qemu" "$job.timeout"
  return "$rc"
}

case "${1:-}" in
  "") echo "usage: $0 CMD [ARGS...] | --shell | --prepare | --where" >&2; exit 2 ;;
  --shell)
    if [ ! -t 0 ] || [ ! -t 1 ]; then die "--shell needs a terminal"; fi
    interactive=1
    read -r rows cols < <(stty size 2>/dev/null || echo "24 80")
    set -- bash ;;
  --where)
    if [ "$(choose)" = native ]; then echo "native"; else echo "vm: $(native_lacks)${mode:+ (MCPROXY_VM=$mode)}"; fi
    exit 0 ;;
  --prepare) ensure_prepared; exit 0 ;;
esac

# MCPROXY_MROUTE_KERNEL tells the command (and scripts that call this one
# for themselves, like debug/demo_netns.sh) that it already runs where the
# kernel has multicast routing: "native" or "vm".
if [ "$(choose)" = native ]; then
  MCPROXY_MROUTE_KERNEL=native exec "$@"
fi
[ "$(id -u)" -eq 0 ] || die "the VM shares this machine's root file system and needs root"
ensure_prepared
run_in_vm "$@"
