#!/usr/bin/env bash
# Writes the licences of everything linked into the Windows build to DEST:
#   licences.sh TARGET_DIR DEST REPO
# DEST/THIRD-PARTY.txt lists every crate compiled into vneid-recon.exe for x86_64-pc-windows-gnu
# (normal dependencies only, from `cargo metadata`), with its licence expression and the licence
# files its package ships; beside it the Rust standard library's, mingw-w64's runtime and the
# embedded DejaVu font's licences. The PATH's cargo is used (the build script puts Debian's first).
set -euo pipefail
DEST=${2:?"usage: $0 TARGET_DIR DEST REPO"}
REPO=${3:?"usage: $0 TARGET_DIR DEST REPO"}
mkdir -p "$DEST"
count=$(cd "$REPO" && cargo metadata --format-version 1 --locked --filter-platform x86_64-pc-windows-gnu |
  python3 "$REPO/scripts/windows/licences.py" "$DEST")
echo "windows build: licences of $count crates" >&2
SYSROOT=$(rustc --print sysroot)
for file in COPYRIGHT LICENSE-MIT LICENSE-APACHE; do
  [ -f "$SYSROOT/lib/rustlib/src/rust/$file" ] && cp "$SYSROOT/lib/rustlib/src/rust/$file" "$DEST/rust-std-$file.txt"
done
[ -f /usr/share/doc/mingw-w64-common/copyright ] && cp /usr/share/doc/mingw-w64-common/copyright "$DEST/mingw-w64-runtime.txt"
cp "$REPO/assets/fonts/LICENSE-DejaVu.txt" "$DEST/DejaVu-fonts.txt"
if [ -f "$REPO/LICENSE" ]; then cp "$REPO/LICENSE" "$DEST/vneid-recon-LICENSE.txt"; fi
