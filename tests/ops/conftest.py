# SPDX-License-Identifier: GPL-2.0-or-later
"""Markers of the operations tests."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "mroute: runs mcproxy for real, so it needs a kernel with multicast routing; "
        "tests/run_all.sh runs these through scripts/with-mroute-kernel.sh and the rest natively")
