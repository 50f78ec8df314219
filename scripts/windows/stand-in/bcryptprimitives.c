/* A stand-in for bcryptprimitives.dll!ProcessPrng, which Rust's standard library imports (since
 * 1.78) and Wine 8.0 lacks. Real Windows 10 and later have it: this DLL is only ever copied into
 * the *test* Wine prefix by scripts/windows/wine.sh, never shipped. It fills the buffer from
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
