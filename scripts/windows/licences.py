#!/usr/bin/env python3
"""Writes DEST/THIRD-PARTY.txt from `cargo metadata` on standard input: every crate compiled into
vneid-recon.exe for x86_64-pc-windows-gnu (normal dependencies only, followed from the root), its
licence expression, and the licence files its package ships. Prints the number of crates."""

import glob
import json
import os
import sys

PATTERNS = ("LICEN[CS]E*", "COPYING*", "NOTICE*", "UNLICENSE*")


def linked_packages(meta):
    nodes = {node["id"]: node for node in meta["resolve"]["nodes"]}
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
    return linked


def main():
    dest = sys.argv[1]
    meta = json.load(sys.stdin)
    packages = {package["id"]: package for package in meta["packages"]}
    rows = sorted((packages[i]["name"], packages[i]["version"], i) for i in linked_packages(meta))
    with open(os.path.join(dest, "THIRD-PARTY.txt"), "w", encoding="utf-8", newline="\r\n") as out:
        out.write("Thư viện dùng trong vneid-recon.exe / crates compiled into vneid-recon.exe\n\n")
        for name, version, pid in rows:
            licence = packages[pid].get("license") or "(xem tệp giấy phép bên dưới)"
            out.write(f"{name} {version}: {licence}\n")
        for name, version, pid in rows:
            folder = os.path.dirname(packages[pid]["manifest_path"])
            files = sorted(
                path
                for pattern in PATTERNS
                for path in glob.glob(os.path.join(folder, pattern))
                if os.path.isfile(path)
            )
            rule = "=" * 78
            out.write(f"\n{rule}\n{name} {version}\n{rule}\n")
            if not files:
                out.write(f"Licence: {packages[pid].get('license')}\n")
            for path in files:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    out.write(f"\n--- {os.path.basename(path)} ---\n{handle.read()}\n")
    print(len(rows))


if __name__ == "__main__":
    main()
