"""Before the window: can Qt's X11 platform plugin load on this Linux desktop? Qt itself only says
"could not load the Qt platform plugin xcb" (often naming another library) and aborts, so `problem()`
lists the system libraries the plugin lacks (ldd) and the Debian/Ubuntu packages that provide them.
Plain Python: it runs before anything imports Qt's GUI modules.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

# The libraries Qt 6's xcb plugin links against that a desktop may lack, and their Debian/Ubuntu packages.
PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-shm.so.0": "libxcb-shm0", "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xinput.so.0": "libxcb-xinput0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0", "libX11-xcb.so.1": "libx11-xcb1", "libxcb.so.1": "libxcb1",
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6", "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}


def xcb_plugin() -> Path | None:
    """Qt's xcb plugin in the installed PySide6 (or the packaged app), if there is one."""
    import PySide6  # the package only: its __init__ loads no GUI library

    for base in (Path(PySide6.__file__).parent / "Qt" / "plugins", Path(PySide6.__file__).parent / "plugins"):
        plugin = base / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def uses_xcb(environ=os.environ) -> bool:
    """Whether Qt will pick its X11 plugin: on Linux, unless QT_QPA_PLATFORM names another first."""
    if not sys.platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0]
    return chosen in ("", "xcb") and not (chosen == "" and environ.get("WAYLAND_DISPLAY"))


def missing_libraries(library: Path) -> list[str]:
    """The shared libraries `library` needs that the system cannot find (ldd's "not found"), in order."""
    if shutil.which("ldd") is None:
        return []
    done = subprocess.run(["ldd", str(library)], capture_output=True, text=True, timeout=30)
    missing = [line.split("=>")[0].strip() for line in done.stdout.splitlines() if "not found" in line]
    return list(dict.fromkeys(missing))


def problem(environ=os.environ) -> str | None:
    """None when the window can start as far as can be known; else what to install, in words."""
    plugin = xcb_plugin() if uses_xcb(environ) else None
    missing = missing_libraries(plugin) if plugin else []
    return describe_missing(missing) if missing else None


def describe_missing(missing: list[str]) -> str:
    packages = [PACKAGES[name] for name in missing if name in PACKAGES]
    unknown = [name for name in missing if name not in PACKAGES]
    text = ("Octet cannot open its window: Qt's X11 plugin needs system libraries that are not installed: "
            + ", ".join(missing) + ".")
    if packages:
        text += "\nOn Debian or Ubuntu, install them with:\n    sudo apt install " + " ".join(packages)
    if unknown:
        text += "\nFind the package that provides " + ", ".join(unknown) + " in your distribution."
    return text
