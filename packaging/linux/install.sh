#!/bin/sh
# Install the unpacked Octet folder for the current user (no root): the app goes to
# ~/.local/lib/octet, a link to ~/.local/bin/octet, the menu entry and icons under ~/.local/share.
# Your conversations and models stay in ~/.local/share/Octet; uninstall.sh never touches them.
set -eu
HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
APP_DIR=$HOME/.local/lib/octet
BIN_DIR=$HOME/.local/bin

if [ ! -x "$HERE/octet" ] || [ ! -d "$HERE/_internal" ]; then
    echo "install.sh: run me from the unpacked Octet folder (octet and _internal/ beside me)" >&2
    exit 1
fi
if [ "$HERE" != "$APP_DIR" ]; then
    rm -rf "$APP_DIR.new"
    mkdir -p "$APP_DIR.new"
    cp -R "$HERE/." "$APP_DIR.new/"
    rm -rf "$APP_DIR"
    mv "$APP_DIR.new" "$APP_DIR"
fi
mkdir -p "$BIN_DIR" "$DATA_HOME/applications"
ln -sf "$APP_DIR/octet" "$BIN_DIR/octet"
for icon in "$APP_DIR"/share/icons/hicolor/*/apps/octet.*; do
    size_dir=$(basename "$(dirname "$(dirname "$icon")")")
    mkdir -p "$DATA_HOME/icons/hicolor/$size_dir/apps"
    cp "$icon" "$DATA_HOME/icons/hicolor/$size_dir/apps/"
done
sed -e "s|^Exec=.*|Exec=\"$APP_DIR/octet\"|" -e "s|^TryExec=.*|TryExec=$APP_DIR/octet|" \
    "$APP_DIR/share/applications/octet.desktop" > "$DATA_HOME/applications/octet.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA_HOME/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$DATA_HOME/icons/hicolor" || true
echo "Octet is installed: find it in your applications menu, or run $BIN_DIR/octet"
