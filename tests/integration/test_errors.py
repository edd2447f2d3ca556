# SPDX-License-Identifier: GPL-2.0-or-later
"""Configurations and kernel limits the daemon must refuse: a non-zero exit
with a message that says where or what, and nothing left in the kernel."""
from __future__ import annotations

import pytest

from kernel_state import custom_mrules, mr_vifs
from scenario import FAMILIES, simple_config


@pytest.mark.parametrize("fam", FAMILIES)
def test_bad_config_names_file_and_line(topo, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    cfg = simple_config(fam) + "frobnicate proxy;\n"
    m = mcproxy.refused(net.proxy, cfg)
    assert m.returncode not in (0, None), m.log()
    line = len(cfg.splitlines())
    assert f"{m.conf_path}:{line}:" in m.log(), m.log()
    assert mr_vifs(net.proxy, fam.name) == []


@pytest.mark.parametrize("fam", FAMILIES)
def test_interface_in_two_instances_is_refused(topo, mcproxy, fam):
    net = topo.proxy_net((1, 1))
    cfg = (f"protocol {fam.protocol};\n"
           f"pinstance a: up0 ==> dn1;\n"
           f"pinstance b: dn1 ==> dn2;\n")
    m = mcproxy.refused(net.proxy, cfg)
    assert m.returncode not in (0, None), m.log()
    assert str(m.conf_path) in m.log() and "dn1" in m.log(), m.log()


@pytest.mark.parametrize("fam", FAMILIES)
def test_more_interfaces_than_the_kernel_allows(topo, mcproxy, fam):
    """The kernel has 32 VIFs/MIFs per table: 33 interfaces in one instance
    give an error exit, and whatever was added is removed again."""
    net = topo.proxy_net((1,))
    sink = topo.ns("sink")
    downs = ["dn1"]
    for i in range(2, 33):
        name = f"x{i}"
        topo.veth(net.proxy, name, sink, f"s{i}")
        net.proxy.add_addr(name, f"198.18.{i}.1/24")
        net.proxy.add_addr(name, f"2001:db8:ff{i:02x}::1/64")
        downs.append(name)
    m = mcproxy.refused(net.proxy, simple_config(fam, downs=downs, tuning={d: "" for d in downs}))
    assert m.returncode not in (0, None), m.log()
    # Actionable: the message names the limit (32) or what ran out.
    log = m.log()
    assert any(w in log.lower() for w in ("32", "vif", "mif")), log
    assert mr_vifs(net.proxy, fam.name) == []
    assert custom_mrules(net.proxy, fam.name) == []
