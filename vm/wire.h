/* wire.h - how the guest's files travel back to the host over the second
 * serial port (/dev/ttyS1 in the guest, a plain file on the host).
 *
 * The stream is a sequence of blocks, then one closing line:
 *
 *   === FILE <name> <size> ===\n
 *   <exactly size raw bytes>\n
 *   === END <name> <fnv1a32 as 8 hex digits> ===\n
 *   ...
 *   === DONE <rc> ===\n
 *
 * The size makes the content opaque (a CSV may hold any line, even one that
 * looks like a marker); the checksum catches a port that dropped or mangled
 * bytes; DONE tells a finished guest from one that died or timed out, and
 * carries the guest's overall exit status (0 = every step worked). A name is
 * one path component of [A-Za-z0-9._-], so the host never writes outside
 * its output folder. Anything outside a block (boot noise) is skipped.
 */
#ifndef YL_VM_WIRE_H
#define YL_VM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define WIRE_FILE "=== FILE "
#define WIRE_END "=== END "
#define WIRE_DONE "=== DONE "
#define WIRE_TAIL " ==="
#define WIRE_NAME_MAX 128

/* Feeds len bytes into a running FNV-1a hash (start from WIRE_FNV_INIT). */
#define WIRE_FNV_INIT 2166136261u
static inline uint32_t wire_fnv1a(uint32_t h, const void *buf, size_t len)
{
    const unsigned char *p = buf;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

/* True when name is a valid block name (non-empty, one component, no "..",
 * only [A-Za-z0-9._-], shorter than WIRE_NAME_MAX). */
static inline int wire_name_ok(const char *name)
{
    size_t n = 0;
    for (const char *c = name; *c; c++, n++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                 (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-';
        if (!ok)
            return 0;
    }
    return n > 0 && n < WIRE_NAME_MAX && name[0] != '.';
}

#endif
