"""The digest page in a real browser (headless Chromium, installed by `make test`): it
renders at a phone's width with its figures and charts, and nothing personal."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess

import pytest

from bot.duties.digest import build_digest, write_files
from referral.storage import unit_of_work
from tests.integration.test_digest import NOW, SECRET_NAME, SECRET_PHONE, WEEK, seed

CHROMIUM = shutil.which("chromium")


def chromium(*args: str, cwd) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.fail("Chromium is missing: run the tests through `make test` (it installs it)")
    return subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_digest_page_renders_on_a_phone_with_its_figures_and_charts(sessions, tmp_path):
    seed(sessions)
    with unit_of_work(sessions) as session:
        digest = build_digest(session, WEEK, NOW, ack_after_s=10)
    html_path, _ = write_files(digest, tmp_path)
    dom = chromium("--dump-dom", html_path.as_uri(), cwd=tmp_path).stdout
    assert "Ringkasan mingguan layanan pengaduan MPKS" in dom and "Minggu 2026-W47" in dom
    assert '<b>12</b>kasus baru' in dom.replace("\n", "")
    assert SECRET_NAME not in dom and SECRET_PHONE not in dom
    shot = tmp_path / "phone.png"
    chromium("--window-size=412,1800", f"--screenshot={shot}", html_path.as_uri(), cwd=tmp_path)
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (412, 1800)  # a phone's width, the page drawn
    # the charts the page shows load in the browser (a page beside it counts the images that loaded)
    sources = re.findall(r'<img src="([^"]+)"', html_path.read_text())
    checker = html_path.parent / "check-images.html"
    checker.write_text("<title>0</title>" + "".join(
        f"<img src='{src}' onload='document.title=String(Number(document.title)+1)'>" for src in sources))
    loaded = chromium("--dump-dom", "--virtual-time-budget=3000", checker.as_uri(), cwd=tmp_path).stdout
    assert len(sources) == 2 and f"<title>{len(sources)}</title>" in loaded
