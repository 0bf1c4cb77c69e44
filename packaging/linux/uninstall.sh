#!/bin/sh
# Remove what install.sh put in place for the current user, and Octet's cache (compiled kernels, the
# starter model's download: ~/.cache/Octet). Your conversations, settings and models
# (~/.local/share/Octet, or $OCTET_DATA_DIR) are kept: delete that folder yourself to remove them.
set -eu
DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
APP_DIR=$HOME/.local/lib/octet

rm -f "$DATA_HOME/applications/octet.desktop"
rm -f "$DATA_HOME"/icons/hicolor/*/apps/octet.png "$DATA_HOME/icons/hicolor/scalable/apps/octet.svg"
if [ -L "$HOME/.local/bin/octet" ]; then rm -f "$HOME/.local/bin/octet"; fi
rm -rf "$APP_DIR"
rm -rf "${XDG_CACHE_HOME:-$HOME/.cache}/Octet"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA_HOME/applications" || true
echo "Octet is uninstalled. Your data is still in $DATA_HOME/Octet."
