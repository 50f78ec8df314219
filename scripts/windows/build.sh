#!/usr/bin/env bash
# Builds vneid-recon for Windows on a Debian bookworm machine, from Debian's packages only:
#   scripts/windows/build.sh OUT_DIR
# writes OUT_DIR/vneid-recon.exe (x86_64-pc-windows-gnu, release) and
# OUT_DIR/vneid-recon-<version>-windows-x64.zip (the .exe, the licences, HUONG-DAN.txt, the .cmd).
#
# The compiler is Debian's `rustc-web` (whatever version the archive offers) with `rust-web-src` of
# exactly that version, unpacked into a cache folder of its own so the rustup toolchain of the
# Linux build is left alone; std is rebuilt for Windows with `-Zbuild-std` (RUSTC_BOOTSTRAP=1, as a
# stable compiler needs for that). mingw-w64 (the posix-thread gcc) links. The shared libraries the
# unpacked compiler needs (its LLVM, libgit2 for cargo) and mingw-w64 are installed with apt-get.
#
# Environment: VNEID_WINDOWS_CACHE (default ~/.cache/vneid-recon-windows) keeps the unpacked
# toolchain and, unless VNEID_WINDOWS_TARGET_DIR says otherwise, the target directory.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:?"usage: $0 OUT_DIR"}
CACHE=${VNEID_WINDOWS_CACHE:-$HOME/.cache/vneid-recon-windows}
TARGET_DIR=${VNEID_WINDOWS_TARGET_DIR:-$CACHE/target}
TARGET=x86_64-pc-windows-gnu
say() { echo "windows build: $*" >&2; }
die() { echo "windows build: $*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "cần quyền root để cài gói Debian: $*"; fi
}

# 1. Debian packages that install as usual: the cross linker, zip, and what apt-get needs.
need_apt=()
command -v x86_64-w64-mingw32-gcc-posix >/dev/null || need_apt+=(mingw-w64)
command -v zip >/dev/null || need_apt+=(zip)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# 2. The compiler Debian offers, and the standard library's source of exactly its version.
version_of() { apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p'; }
RUSTC_VERSION=$(version_of rustc-web)
if [ -z "$RUSTC_VERSION" ] || [ "$RUSTC_VERSION" = "(none)" ]; then
  # A machine whose package lists were never fetched knows no package yet.
  as_root apt-get update -qq
  RUSTC_VERSION=$(version_of rustc-web)
fi
SRC_VERSION=$(version_of rust-web-src)
[ -n "$RUSTC_VERSION" ] && [ "$RUSTC_VERSION" != "(none)" ] ||
  die "Debian offers no rustc-web (run 'apt-get update'; bookworm-security must be in the sources)"
[ -n "$SRC_VERSION" ] && [ "$SRC_VERSION" != "(none)" ] ||
  die "Debian offers no rust-web-src for rustc-web $RUSTC_VERSION"
[ "$RUSTC_VERSION" = "$SRC_VERSION" ] ||
  die "rustc-web $RUSTC_VERSION and rust-web-src $SRC_VERSION differ: -Zbuild-std needs the source of exactly the compiler's version"
SHORT=$(echo "$RUSTC_VERSION" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
TOOLCHAIN=$CACHE/rustc-web-$RUSTC_VERSION
if [ ! -x "$TOOLCHAIN/usr/bin/cargo" ] || [ ! -d "$TOOLCHAIN/usr/src/rustc-${RUSTC_VERSION%%+*}/library" ]; then
  say "unpacking rustc-web $RUSTC_VERSION into $TOOLCHAIN"
  rm -rf "$TOOLCHAIN.partial" && mkdir -p "$TOOLCHAIN.partial/debs"
  (cd "$TOOLCHAIN.partial/debs" && apt-get download -q \
    "rustc-web=$RUSTC_VERSION" "cargo-web=$RUSTC_VERSION" "rust-web-src=$RUSTC_VERSION" \
    "libstd-rust-web-dev=$RUSTC_VERSION" "libstd-rust-web-$SHORT=$RUSTC_VERSION" 2>&1 |
    grep -v 'unsandboxed' >&2 || true)
  for deb in "$TOOLCHAIN.partial"/debs/*.deb; do dpkg -x "$deb" "$TOOLCHAIN.partial"; done
  rm -rf "$TOOLCHAIN.partial/debs" "$TOOLCHAIN"
  mv "$TOOLCHAIN.partial" "$TOOLCHAIN"
fi
# The shared libraries the unpacked compiler and cargo load (plain libraries, nothing else moves).
LLVM=$(apt-cache depends "libstd-rust-web-$SHORT" 2>/dev/null | grep -o 'libllvm[0-9]*' | head -n1)
libs=()
for lib in $LLVM libgit2-1.5; do
  dpkg -s "$lib" >/dev/null 2>&1 || libs+=("$lib")
done
if [ ${#libs[@]} -gt 0 ]; then
  say "installing ${libs[*]}"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${libs[@]}" >/dev/null
fi
export PATH="$TOOLCHAIN/usr/bin:$PATH"
export LD_LIBRARY_PATH="$TOOLCHAIN/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export RUSTC="$TOOLCHAIN/usr/bin/rustc" RUSTDOC="$TOOLCHAIN/usr/bin/rustdoc"
unset RUSTUP_TOOLCHAIN
say "using $(rustc --version) and $(cargo --version), std source $SRC_VERSION"

# 3. The build.
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc-posix
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc-posix
export CXX_x86_64_pc_windows_gnu=x86_64-w64-mingw32-g++-posix
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
export CARGO_TARGET_DIR="$TARGET_DIR"
started=$(date +%s)
(cd "$REPO" && cargo build --release --locked --target "$TARGET" \
  -Zbuild-std=std,panic_abort --bin vneid-recon ${VNEID_WINDOWS_EXTRA:-})
say "built in $(( $(date +%s) - started )) s"

# 4. The .exe and the zip.
mkdir -p "$OUT"
EXE="$TARGET_DIR/$TARGET/release/vneid-recon.exe"
cp "$EXE" "$OUT/vneid-recon.exe"
# The symbols are for debugging the build, not for the offices (about 140 MB → 40 MB).
x86_64-w64-mingw32-strip "$OUT/vneid-recon.exe"
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -n1)
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
PACKAGE="$STAGE/vneid-recon-$VERSION-windows-x64"
mkdir -p "$PACKAGE/giay-phep"
cp "$OUT/vneid-recon.exe" "$PACKAGE/"
cp "$REPO/scripts/windows/HUONG-DAN.txt" "$REPO/scripts/windows/Mo trang van phong.cmd" "$PACKAGE/"
"$REPO/scripts/windows/licences.sh" "$TARGET_DIR" "$PACKAGE/giay-phep" "$REPO"
rm -f "$OUT/vneid-recon-$VERSION-windows-x64.zip"
(cd "$STAGE" && TZ=UTC find "vneid-recon-$VERSION-windows-x64" -exec touch -d '2024-01-15 00:00:00' {} + &&
  find "vneid-recon-$VERSION-windows-x64" -type f | LC_ALL=C sort |
  zip -q -X -D "$OUT/vneid-recon-$VERSION-windows-x64.zip" -@)
say "$(du -h "$OUT/vneid-recon.exe" | cut -f1) $OUT/vneid-recon.exe"
say "$(du -h "$OUT/vneid-recon-$VERSION-windows-x64.zip" | cut -f1) $OUT/vneid-recon-$VERSION-windows-x64.zip"
