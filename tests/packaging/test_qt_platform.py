"""Before the window: a desktop that lacks a library Qt's X11 plugin needs gets the Debian/Ubuntu packages
to install, not Qt's abort naming another library. Real shared libraries, built here and then removed."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.startup import qt_platform

ROOT = Path(__file__).resolve().parents[2]
needs_toolchain = pytest.mark.skipif(not (shutil.which("gcc") and shutil.which("ldd")), reason="needs gcc and ldd")


def plugin_linked_against(tmp_path: Path, *sonames: str) -> Path:
    """A shared library that needs `sonames`, which are then deleted (as on a desktop that lacks them)."""
    for soname in sonames:
        subprocess.run(["gcc", "-shared", "-fPIC", "-x", "c", "-", "-o", str(tmp_path / soname),
                        f"-Wl,-soname,{soname}"], input=f"int f_{abs(hash(soname))}(void) {{ return 1; }}",
                       text=True, check=True)
    plugin = tmp_path / "libqxcb.so"
    links = [f"-l:{soname}" for soname in sonames]
    subprocess.run(["gcc", "-shared", "-fPIC", "-x", "c", "-", "-o", str(plugin), f"-L{tmp_path}",
                    "-Wl,--no-as-needed", *links], input="int plugin(void) { return 0; }", text=True, check=True)
    for soname in sonames:
        (tmp_path / soname).unlink()
    return plugin


@needs_toolchain
def test_missing_libraries_are_found_by_ldd_in_order(tmp_path, monkeypatch):
    """Sonames no system has, so the test does not depend on which X11 libraries this machine carries."""
    plugin = plugin_linked_against(tmp_path, "libocttest-one.so.4", "libocttest-two.so.1", "libfoo-unknown.so.7")
    monkeypatch.setattr(qt_platform, "xcb_plugin", lambda: plugin)
    text = qt_platform.problem({"DISPLAY": ":0"})
    assert "not installed: libocttest-one.so.4, libocttest-two.so.1, libfoo-unknown.so.7." in text
    assert "provides libocttest-one.so.4, libocttest-two.so.1, libfoo-unknown.so.7 in your distribution" in text


def test_missing_libraries_name_the_packages_to_install():
    text = qt_platform.describe_missing(["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libfoo-unknown.so.7"])
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1, libfoo-unknown.so.7" in text
    assert "sudo apt install libxcb-icccm4 libxcb-keysyms1\n" in text + "\n"
    assert "provides libfoo-unknown.so.7" in text
    assert "provides libxcb" not in text


@needs_toolchain
def test_a_complete_plugin_and_other_platforms_are_no_problem(tmp_path, monkeypatch):
    plugin = plugin_linked_against(tmp_path)
    monkeypatch.setattr(qt_platform, "xcb_plugin", lambda: plugin)
    assert qt_platform.problem({"DISPLAY": ":0"}) is None
    assert not qt_platform.uses_xcb({"QT_QPA_PLATFORM": "offscreen"})
    assert not qt_platform.uses_xcb({"WAYLAND_DISPLAY": "wayland-0"})
    assert qt_platform.uses_xcb({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"})


def test_the_app_says_what_to_install_instead_of_aborting(tmp_path):
    """On a machine whose Qt plugin lacks libraries (this kind of machine: no X11 desktop libraries),
    `python -m app` prints the packages and exits 1, before Qt aborts."""
    plugin = qt_platform.xcb_plugin()
    if plugin is None or not qt_platform.missing_libraries(plugin):
        pytest.skip("Qt's xcb plugin has all its libraries here")
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=":99", OCTET_DATA_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "app"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert done.returncode == 1 and "sudo apt install" in done.stderr, done.stderr
