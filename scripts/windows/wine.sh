#!/usr/bin/env bash
# Runs a Windows program under Wine, in the test prefix:
#   scripts/windows/wine.sh PROGRAM [ARGS…]
# The prefix (VNEID_WINE_PREFIX, default ~/.cache/vneid-recon-windows/wine-prefix) is made on first
# use, with two things Wine 8.0 needs for Rust programs: a stand-in bcryptprimitives.dll with
# ProcessPrng (Rust's std imports it since 1.78; Windows 10 and later have it, Wine 8.0 does not;
# built here from stand-in/, never shipped) and zlib1.dll (Debian's libz-mingw-w64), which Wine's
# user32 loads. wine64 and mingw-w64 are installed with apt-get when missing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${VNEID_WINDOWS_CACHE:-$HOME/.cache/vneid-recon-windows}
export WINEPREFIX=${VNEID_WINE_PREFIX:-$CACHE/wine-prefix}
export WINEDEBUG=${WINEDEBUG:--all}
# The stand-in is preferred to Wine's own bcryptprimitives; no Mono or Gecko installer dialogs.
export WINEDLLOVERRIDES="bcryptprimitives=n,b;mscoree=;mshtml=${WINEDLLOVERRIDES:+;$WINEDLLOVERRIDES}"
die() { echo "wine.sh: $*" >&2; exit 1; }

WINE=$(command -v wine64 || true)
[ -n "$WINE" ] || [ ! -x /usr/lib/wine/wine64 ] || WINE=/usr/lib/wine/wine64
missing=()
[ -n "$WINE" ] || missing+=(wine64)
command -v x86_64-w64-mingw32-gcc-posix >/dev/null || missing+=(mingw-w64)
[ -f /usr/x86_64-w64-mingw32/lib/zlib1.dll ] || missing+=(libz-mingw-w64)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "thiếu ${missing[*]}: cài bằng apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  WINE=$(command -v wine64 || echo /usr/lib/wine/wine64)
fi
[ $# -ge 1 ] || die "usage: $0 PROGRAM [ARGS…]"

SYSTEM32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -f "$WINEPREFIX/.vneid-ready" ]; then
  mkdir -p "$WINEPREFIX"
  "$WINE" wineboot -i >/dev/null 2>&1 || true
  "${WINESERVER:-/usr/lib/wine/wineserver}" -w 2>/dev/null || true
  x86_64-w64-mingw32-gcc-posix -O2 -shared -o "$SYSTEM32/bcryptprimitives.dll" \
    "$HERE/stand-in/bcryptprimitives.c" "$HERE/stand-in/bcryptprimitives.def" -ladvapi32
  cp /usr/x86_64-w64-mingw32/lib/zlib1.dll "$SYSTEM32/"
  touch "$WINEPREFIX/.vneid-ready"
fi
exec "$WINE" "$@"
