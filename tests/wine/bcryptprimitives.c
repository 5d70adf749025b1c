/* A stand-in for bcryptprimitives.dll, which Wine 8 (Debian 12's) lacks and which Rust's
 * standard library imports on Windows 10 and later for ProcessPrng. Installed into the wine
 * prefix of scripts/test-install-foreign only; real Windows has its own. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom */

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x7fffffff ? 0x7fffffff : (ULONG)len;
    if (!SystemFunction036(data, chunk)) {
      return FALSE;
    }
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
