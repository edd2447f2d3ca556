# SPDX-License-Identifier: GPL-2.0-or-later
"""The API documentation builds as HTML from include/ without one doxygen
warning, through doc/Doxyfile directly, the CMake `doc` target and `make doc`
of the qmake build; and a warning does fail the build.

Run: /usr/bin/python3 -m pytest -q tests/ops/test_doc.py
Needs: doxygen (Debian package doxygen); cmake; qmake (qt5-qmake) for the
qmake case. No root. Builds into temporary folders only.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
DOXYFILE = TOP / "doc" / "Doxyfile"

pytestmark = pytest.mark.skipif(shutil.which("doxygen") is None, reason="doxygen missing (Debian package doxygen)")


def doxygen(out: Path, *extra: str) -> subprocess.CompletedProcess:
    """Runs doxygen as both builds do: doc/Doxyfile plus an output folder."""
    config = DOXYFILE.read_text() + f"\nOUTPUT_DIRECTORY={out}\n" + "".join(line + "\n" for line in extra)
    return subprocess.run(["doxygen", "-"], input=config, capture_output=True, text=True, cwd=TOP,
                          timeout=300, check=False)


def test_include_documents_without_warnings(tmp_path):
    r = doxygen(tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "", r.stderr
    html = tmp_path / "html"
    assert (html / "index.html").is_file()
    # The shared contracts are there, with their members' briefs.
    page = (html / "classmcproxy_1_1net_1_1address__set.html").read_text()
    assert "Union: the addresses in" in page
    assert (html / "structmcproxy_1_1core_1_1membership.html").is_file()


def test_a_warning_fails_the_build(tmp_path):
    header = tmp_path / "src" / "undocumented.hpp"
    header.parent.mkdir()
    header.write_text("/// @file\n/// @brief A header.\n#pragma once\n"
                      "/// @brief Documented.\nstruct documented {\n    int member;\n};\n")
    r = doxygen(tmp_path / "out", f"INPUT={header.parent}", f"STRIP_FROM_PATH={header.parent}")
    assert r.returncode != 0
    assert "member" in r.stderr and "not documented" in r.stderr


@pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake missing")
def test_cmake_doc_target(tmp_path):
    build = tmp_path / "build"
    configure = subprocess.run(["cmake", "-S", str(TOP), "-B", str(build), "-DMCPROXY_TESTS=OFF",
                                "-DMCPROXY_BENCH=OFF"], capture_output=True, text=True, timeout=300, check=False)
    assert configure.returncode == 0, configure.stdout + configure.stderr
    r = subprocess.run(["cmake", "--build", str(build), "--target", "doc"], capture_output=True, text=True,
                       timeout=300, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (build / "doc" / "html" / "index.html").is_file()


@pytest.mark.skipif(shutil.which("qmake") is None or shutil.which("make") is None,
                    reason="qmake or make missing (qt5-qmake, make)")
def test_qmake_make_doc(tmp_path):
    env = dict(os.environ, QT_SELECT="qt5")
    q = subprocess.run(["qmake", str(TOP / "mcproxy.pro")], cwd=tmp_path, capture_output=True, text=True,
                       env=env, timeout=120, check=False)
    assert q.returncode == 0, q.stdout + q.stderr
    r = subprocess.run(["make", "doc"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300,
                       check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "doc" / "html" / "index.html").is_file()
