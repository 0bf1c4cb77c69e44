"""The packaging files are sound without building: the spec compiles and names files and modules that
exist, it carries the native kernels where the frozen runtime looks for them and the build refuses to start
without them, the desktop entry is valid, the icon containers are well formed and the SVG renders."""
import configparser
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "octet.spec"
DESKTOP = ROOT / "packaging" / "linux" / "octet.desktop"
sys.path.insert(0, str(ROOT / "packaging"))
import build  # noqa: E402  (packaging/build.py)
from runtime.quant import native  # noqa: E402


def test_spec_compiles_and_its_data_files_exist():
    source = SPEC.read_text()
    compile(source, str(SPEC), "exec")
    for relative in re.findall(r'ROOT / "([^"]+)" / "([^"]+)"(?: / "([^"]+)")?', source):
        if relative[0] == "build":
            continue  # made by packaging/build.py (the icons rendered from the SVG)
        path = ROOT.joinpath(*filter(None, relative))
        assert path.exists(), path


def test_spec_hidden_imports_of_our_packages_exist():
    names = re.findall(r'"((?:runtime|app)\.[a-z_.]+)"', SPEC.read_text())
    assert "runtime.engine" in names and "runtime.weights.gguf" in names
    for name in names:
        module = ROOT.joinpath(*name.split("."))
        assert module.with_suffix(".py").is_file() or (module / "__init__.py").is_file(), name


def test_spec_data_files_exist():
    """Every file the spec copies by a fixed path (catalog, icon) is in the tree."""
    paths = re.findall(r'str\(ROOT((?: / "[^"]+")+)\)', SPEC.read_text())
    assert any("catalog.json" in path for path in paths)
    for path in paths:
        parts = re.findall(r'"([^"]+)"', path)
        if parts[0] != "resources" or parts[-1] != "translations":
            assert ROOT.joinpath(*parts).exists(), "/".join(parts)


def test_spec_carries_the_kernel_libraries_where_native_py_looks_for_them():
    """Binaries into runtime/quant/lib of the bundle: a frozen module's __file__ is its package path under the
    bundle's folder, so there is native.LIBRARY_DIR (beside native.py) in the packaged app. No C++ source ships."""
    source = SPEC.read_text()
    carried = re.search(r'KERNEL_LIBRARIES = \[\(str\(library\), "([^"]+)"\)\s+for library in sorted\(\(ROOT((?: / "[^"]+")+)\)'
                        r'\.glob\("([^"]+)"\)\)\]', source)
    assert carried and "binaries=KERNEL_LIBRARIES" in source and ".cpp" not in source
    bundle_folder, folder, pattern = carried.group(1), re.findall(r'"([^"]+)"', carried.group(2)), carried.group(3)
    assert ROOT.joinpath(*folder) == native.LIBRARY_DIR
    assert Path(bundle_folder) == native.LIBRARY_DIR.relative_to(ROOT)
    assert Path(native.library_path("avx2").name).match(pattern)


def test_build_refuses_missing_or_stale_kernel_libraries(tmp_path):
    libraries, sources = tmp_path / "lib", tmp_path / "native"
    sources.mkdir()
    (sources / "kernels.cpp").write_text("// source")
    os.utime(sources / "kernels.cpp", (1_000, 1_000))
    with pytest.raises(SystemExit, match="not built.*make setup"):
        build.check_kernels(libraries, sources)
    wanted = [native.library_path(isa, libraries) for isa in native.VARIANTS[native.machine()]]
    libraries.mkdir()
    for library in wanted[:-1]:
        library.write_bytes(b"\x7fELF")
    with pytest.raises(SystemExit, match=wanted[-1].name):
        build.check_kernels(libraries, sources)
    wanted[-1].write_bytes(b"\x7fELF")
    assert build.check_kernels(libraries, sources) == wanted
    os.utime(sources / "kernels.cpp")  # the source edited after the build
    with pytest.raises(SystemExit, match="older than their sources"):
        build.check_kernels(libraries, sources)


def test_spec_excludes_dev_tools_and_unused_qt():
    source = SPEC.read_text()
    for name in ("pytest", "hypothesis", "transformers", "mistral_common", "triton", "nvidia", "QtWebEngineCore", "QtQml"):
        assert f'"{name}"' in source, name


def test_desktop_entry_has_the_required_keys():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP, encoding="utf-8")
    main = entry["Desktop Entry"]
    assert main["Type"] == "Application" and main["Name"] == "Octet" and main["Icon"] == "octet"
    assert main["Exec"] == "octet" and main["Terminal"] == "false"
    assert main["Categories"].endswith(";") and main["Keywords"].endswith(";")


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils is not installed")
def test_desktop_entry_validates():
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


def test_install_scripts_parse():
    for script in ("install.sh", "uninstall.sh"):
        subprocess.run(["sh", "-n", str(ROOT / "packaging" / "linux" / script)], check=True)


def test_uninstall_removes_the_program_and_cache_and_keeps_the_data(tmp_path):
    home = tmp_path / "home"
    kept = home / ".local" / "share" / "Octet" / "history.sqlite3"
    removed = [home / ".local" / "lib" / "octet" / "octet", home / ".cache" / "Octet" / "kernels" / "k.so"]
    for path in [kept, *removed]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}
    subprocess.run(["sh", str(ROOT / "packaging" / "linux" / "uninstall.sh")], env=env, check=True, capture_output=True)
    assert kept.exists() and not any(path.exists() for path in removed)
    assert not (home / ".cache" / "Octet").exists()


def test_ico_and_icns_hold_every_png():
    pngs = {size: b"\x89PNG" + bytes([size % 256]) * size for size in build.PNG_SIZES}
    ico = build.ico_bytes(pngs)
    assert struct.unpack("<HHH", ico[:6]) == (0, 1, len(build.ICO_SIZES))
    width, _, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", ico[6:22])
    assert width == 16 and ico[offset:offset + length] == pngs[16]
    icns = build.icns_bytes(pngs)
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert icns[8:12] == b"icp4" and pngs[512] in icns


def test_svg_renders_at_icon_sizes(qapp):
    pngs = build.render_pngs(build.SVG, sizes=(16, 256))
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") for png in pngs.values())
    assert struct.unpack(">II", pngs[256][16:24]) == (256, 256)
