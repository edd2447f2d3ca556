# SPDX-License-Identifier: GPL-2.0-or-later
"""Every manual page doc/*.[1-8] renders without a single warning, both
through man(1) (`man --warnings -l`, what a user runs) and through groff
with every warning category on (`groff -man -ww -z`), and its .TH line
names the section its file name says.

Run: /usr/bin/python3 -m pytest -q tests/ops/test_manuals.py
Needs: man-db (man) and groff-base (groff); no root.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
PAGES = sorted((TOP / "doc").glob("*.[1-8]"))
ENV = dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80", MAN_KEEP_FORMATTING="0", MANPAGER="cat", PAGER="cat")


def run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, env=ENV, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)


def test_there_are_pages():
    names = {p.name for p in PAGES}
    assert {"mcproxy.8", "mcproxy.conf.5", "mcproxy-tester.1"} <= names, names


@pytest.mark.skipif(shutil.which("man") is None, reason="man missing (Debian package man-db)")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_man_renders_without_warnings(page):
    r = run(["man", "--warnings", "-l", str(page)])
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr
    text = re.sub(r".\x08", "", r.stdout)  # drop the overstrike bold of a terminal
    assert "NAME" in text and len(text.splitlines()) > 10


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff missing (Debian package groff-base)")
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_groff_finds_no_warnings(page):
    r = run(["groff", "-man", "-ww", "-z", "-Tutf8", str(page)])
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff missing (Debian package groff-base)")
def test_the_check_sees_a_warning(tmp_path):
    """A page with an undefined macro must fail the check above."""
    bad = tmp_path / "bad.8"
    bad.write_text(".TH BAD 8\n.SH NAME\nbad \\- a broken page\n.XYZ not a macro\n")
    r = run(["groff", "-man", "-ww", "-z", "-Tutf8", str(bad)])
    assert "XYZ" in r.stderr
    if shutil.which("man"):
        r = run(["man", "--warnings", "-l", str(bad)])
        assert "XYZ" in r.stderr


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_th_line_matches_the_file_name(page):
    th = next((line for line in page.read_text().splitlines() if line.startswith(".TH ")), None)
    assert th, f"{page.name}: no .TH line"
    fields = re.findall(r'"[^"]*"|\S+', th)
    name, section = fields[1].strip('"'), fields[2].strip('"')
    assert section == page.suffix[1:], th
    assert name.lower() == page.stem.lower(), th
