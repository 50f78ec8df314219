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
(cd "$REPO" && cargo metadata --format-version 1 --locked --filter-platform x86_64-pc-windows-gnu) |
python3 -c '
import json, os, sys, glob
meta = json.load(sys.stdin)
dest = sys.argv[1]
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
root = meta["resolve"]["root"]
linked, todo = set(), [root]
while todo:
    current = todo.pop()
    if current in linked:
        continue
    linked.add(current)
    for dep in nodes[current]["deps"]:
        if any(kind["kind"] is None for kind in dep["dep_kinds"]):
            todo.append(dep["pkg"])
linked.discard(root)
rows = sorted((packages[i]["name"], packages[i]["version"], i) for i in linked)
with open(os.path.join(dest, "THIRD-PARTY.txt"), "w", encoding="utf-8") as out:
    out.write("Thư viện dùng trong vneid-recon.exe / crates compiled into vneid-recon.exe\n\n")
    for name, version, pid in rows:
        out.write(f"{name} {version}: {packages[pid].get(\"license\") or \"(xem tệp giấy phép)\"}\n")
    for name, version, pid in rows:
        folder = os.path.dirname(packages[pid]["manifest_path"])
        files = sorted(f for pattern in ("LICEN[CS]E*", "COPYING*", "NOTICE*", "UNLICENSE*")
                       for f in glob.glob(os.path.join(folder, pattern)) if os.path.isfile(f))
        out.write(f"\n{\"=\" * 78}\n{name} {version}\n{\"=\" * 78}\n")
        if not files:
            out.write(f"Licence: {packages[pid].get(\"license\")}\n")
        for path in files:
            with open(path, encoding="utf-8", errors="replace") as handle:
                out.write(f"\n--- {os.path.basename(path)} ---\n{handle.read()}\n")
print(len(rows), file=sys.stderr)
' "$DEST" 2>"$DEST/.count"
echo "windows build: licences of $(cat "$DEST/.count") crates" >&2
rm -f "$DEST/.count"
SYSROOT=$(rustc --print sysroot)
for file in COPYRIGHT LICENSE-MIT LICENSE-APACHE; do
  [ -f "$SYSROOT/lib/rustlib/src/rust/$file" ] && cp "$SYSROOT/lib/rustlib/src/rust/$file" "$DEST/rust-std-$file.txt"
done
[ -f /usr/share/doc/mingw-w64-common/copyright ] && cp /usr/share/doc/mingw-w64-common/copyright "$DEST/mingw-w64-runtime.txt"
cp "$REPO/assets/fonts/LICENSE-DejaVu.txt" "$DEST/DejaVu-fonts.txt"
if [ -f "$REPO/LICENSE" ]; then cp "$REPO/LICENSE" "$DEST/vneid-recon-LICENSE.txt"; fi
