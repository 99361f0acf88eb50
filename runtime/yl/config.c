/* config.c - runtime settings from the environment, so an experiment can be
 * re-run differently without recompiling. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int yl_config_from_env(yl_config *cfg)
{
    const char *s = getenv("YL_STACK_KIB");
    if (s && *s) {
        char *end;
        errno = 0;
        unsigned long long kib = strtoull(s, &end, 10);
        if (errno || *end || *s == '-' || kib < 4 || kib > 1024 * 1024) {
            yl__err("YL_STACK_KIB: expected a size in KiB from 4 to 1048576, got '%s'", s);
            return -1;
        }
        cfg->stack_size = (size_t)kib * 1024;
    }
    s = getenv("YL_TRACE");
    if (s && *s)
        cfg->trace_path = s;
    return 0;
}
