"""Build the packaged app from a clone: `.venv/bin/python packaging/build.py` -> dist/octet/.

Checks that the native kernels are built (runtime/quant/lib/, by `make setup`), installs PyInstaller into this
Python if it is missing, compiles the translations, renders the icons from resources/icons/octet.svg, runs
packaging/octet.spec, adds the Linux desktop files, and prints the build time and the bundle's size.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from runtime.quant import native  # noqa: E402  (torch-free: where the kernels' libraries are, and which)

SPEC = ROOT / "packaging" / "octet.spec"
SVG = ROOT / "resources" / "icons" / "octet.svg"
WORK = ROOT / "build"
ICONS = WORK / "icons"
DIST = ROOT / "dist"
BUNDLE = DIST / "octet"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # the hicolor theme's usual sizes
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = {b"icp4": 16, b"icp5": 32, b"icp6": 64, b"ic07": 128, b"ic08": 256, b"ic09": 512}


def ensure_pyinstaller() -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pyinstaller"], check=True)


def compile_translations() -> None:
    script = ROOT / "tools" / "build_translations.py"
    if script.exists():
        subprocess.run([sys.executable, str(script), "--compile"], check=True, cwd=ROOT)
    else:
        print("no tools/build_translations.py: the app is built without translations", flush=True)


# -- icons ------------------------------------------------------------------------------------------
def render_pngs(svg: Path, sizes=PNG_SIZES) -> dict[int, bytes]:
    """The SVG drawn at each size, as PNG bytes (Qt's SVG renderer, offscreen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QImage painting needs one)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: Qt cannot read this SVG")
    pngs = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format_ARGB32)
        image.fill(Qt.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.WriteOnly)
        image.save(buffer, "PNG")
        pngs[size] = bytes(data)
    return pngs


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (readable since Windows Vista)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        png = pngs[size]
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset + len(images))
        images += png
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """A macOS .icns holding PNG images."""
    body = b"".join(kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for kind, size in ICNS_TYPES.items() if size in pngs)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def make_icons(target: Path = ICONS) -> Path:
    """hicolor/<N>x<N>/apps/octet.png for Linux, octet.ico for Windows, octet.icns for macOS."""
    pngs = render_pngs(SVG)
    for size, png in pngs.items():
        folder = target / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "octet.png").write_bytes(png)
    scalable = target / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable / "octet.svg")
    (target / "octet.ico").write_bytes(ico_bytes(pngs))
    (target / "octet.icns").write_bytes(icns_bytes(pngs))
    return target


# -- the bundle -------------------------------------------------------------------------------------
def check_kernels(folder: Path = native.LIBRARY_DIR, sources: Path = native.SOURCE_DIR) -> list[Path]:
    """This machine's kernel libraries (every instruction set's), each built and newer than the C++ sources;
    else exits saying how to build them: without them the app would run on torch's slower kernels."""
    arch = native.machine()
    if arch not in native.VARIANTS:
        print(f"no native kernels for {arch}: the app will run on torch's kernels", flush=True)
        return []
    libraries = [native.library_path(isa, folder) for isa in native.VARIANTS[arch]]
    rebuild = "build them with `make setup` (or `.venv/bin/python -m runtime.quant.native`), then package again"
    missing = [library.name for library in libraries if not library.is_file()]
    if missing:
        raise SystemExit(f"the native kernels are not built ({', '.join(missing)} missing in {folder}): {rebuild}")
    newest_source = max((path.stat().st_mtime for path in sources.rglob("*") if path.is_file()), default=0)
    stale = [library.name for library in libraries if library.stat().st_mtime < newest_source]
    if stale:
        raise SystemExit(f"the native kernels are older than their sources in {sources} ({', '.join(stale)}): "
                         f"{rebuild}")
    return libraries


def run_pyinstaller() -> None:
    env = {**os.environ, "OCTET_ICON_DIR": str(ICONS)}
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(DIST), "--workpath", str(WORK / "pyinstaller"), str(SPEC)],
                   check=True, cwd=ROOT, env=env)


def add_linux_files(bundle: Path = BUNDLE) -> None:
    """The desktop entry, the icons and the install scripts beside the executable (Linux only)."""
    share = bundle / "share"
    shutil.copytree(ICONS / "hicolor", share / "icons" / "hicolor", dirs_exist_ok=True)
    (share / "applications").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "packaging" / "linux" / "octet.desktop", share / "applications" / "octet.desktop")
    for script in ("install.sh", "uninstall.sh"):
        shutil.copyfile(ROOT / "packaging" / "linux" / script, bundle / script)
        (bundle / script).chmod(0o755)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def largest_parts(folder: Path, count: int = 8) -> list[tuple[int, str]]:
    internal = folder / "_internal"
    parts = [(folder_bytes(p) if p.is_dir() else p.stat().st_size, p.name) for p in internal.iterdir()]
    return sorted(parts, reverse=True)[:count]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--icons-only", action="store_true", help="only render the icons into build/icons")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    make_icons()
    if args.icons_only:
        return 0
    check_kernels()
    ensure_pyinstaller()
    compile_translations()
    run_pyinstaller()
    if sys.platform.startswith("linux"):
        add_linux_files()
    seconds = time.perf_counter() - started
    print(f"built {BUNDLE} in {seconds / 60:.1f} min; size {folder_bytes(BUNDLE) / 2**20:.0f} MiB")
    for size, name in largest_parts(BUNDLE):
        print(f"  {size / 2**20:8.1f} MiB  _internal/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
