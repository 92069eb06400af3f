"""Bundle metadata and the list of what Saldo never loads, shared by the spec and the tests."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "Saldo"
APP_ID = "eu.saldo.desktop"
VERSION = re.search(r'__version__ = "([^"]+)"', (ROOT / "desktop_app/__init__.py").read_text()).group(1)  # type: ignore[union-attr]

# Qt parts Saldo never uses. Dropping them was verified to leave the self-test passing in a
# bare environment: translations, the GTK platform theme (and the GTK/cairo/pango stack it
# drags in), Wayland plugins (Saldo runs on xcb, cocoa, windows or offscreen), QtTest, QML.
DROP = [
    r"PySide6/Qt/translations/",
    r"PySide6/Qt/plugins/platformthemes/libqgtk3",
    r"PySide6/Qt/plugins/wayland",
    r"PySide6/Qt/plugins/platforms/libqwayland",
    r"PySide6/Qt/lib/libQt6Wayland",
    r"PySide6/Qt/lib/libQt6(Test|Qml|Quick|Pdf|VirtualKeyboard)",
    r"PySide6/Qt/plugins/(qmltooling|virtualkeyboard|sceneparsers|renderers|geometryloaders)",
    r"(^|/)lib(gtk-3|gdk-3|atk|cairo|pango|harfbuzz-gobject|gdk_pixbuf|epoxy)[^/]*\.so",
    r"PySide6/(Qt/)?(qml|typesystems|include|glue|scripts)/",
    r"PySide6/(designer|assistant|linguist|lupdate|lrelease|uic|rcc|qmlformat|qmllint)",
    # Saldo speaks HTTP through httpx2; embedded-Linux EGLFS is not a target
    r"PySide6/Qt/plugins/(tls|networkinformation|egldeviceintegrations|generic)/",
    r"PySide6/Qt/lib/libQt6(Network|EglFS|EglFsKms)",
    # libraries only Qt's networking and Wayland would load, wherever PyInstaller put them
    r"(^|/)lib(gssapi_krb5|krb5|krb5support|k5crypto|keyutils|com_err)\.so",
    r"(^|/)libQt6(Wayland|Wl|Network|EglFS|EglFsKms)",
    r"(^|/)libwayland-",
    # platform plugins for framebuffers, VNC and Vulkan displays (xcb, offscreen and minimal stay)
    r"PySide6/Qt/plugins/platforms/libq(linuxfb|vnc|eglfs|minimalegl|vkkhrdisplay)",
    # pyqtgraph's own application icons (its chart icons stay)
    r"pyqtgraph/icons/peegee/",
    # image formats Saldo never reads (PNG is built in; SVG and ICO stay for icons)
    r"PySide6/Qt/plugins/imageformats/libq(tiff|webp|jpeg|gif|icns|tga|wbmp|pdf)",
]
_DROP = re.compile("|".join(f"(?:{p})" for p in DROP))


def dropped(dest: str) -> bool:
    return bool(_DROP.search(dest.replace("\\", "/")))


def slim(binaries: list, datas: list) -> tuple[list, list]:
    """Filter PyInstaller's TOC lists (dest, source, kind) by the DROP patterns."""
    return [b for b in binaries if not dropped(b[0])], [d for d in datas if not dropped(d[0])]


def windows_version_info():  # pragma: no cover - only on Windows builds
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers = tuple(int(x) for x in [*VERSION.split("."), "0", "0", "0"][:4])
    strings = [
        vi.StringStruct("CompanyName", "Saldo"),
        vi.StringStruct("FileDescription", "Saldo personal finance"),
        vi.StringStruct("FileVersion", VERSION),
        vi.StringStruct("InternalName", "saldo"),
        vi.StringStruct("OriginalFilename", "saldo.exe"),
        vi.StringStruct("ProductName", APP_NAME),
        vi.StringStruct("ProductVersion", VERSION),
    ]
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            vi.StringFileInfo([vi.StringTable("040904B0", strings)]),
            vi.VarFileInfo([vi.VarStruct("Translation", [1033, 1200])]),
        ],
    )


if __name__ == "__main__":
    print(VERSION if sys.argv[1:] == ["version"] else APP_ID)
