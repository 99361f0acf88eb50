/* tune.h - the guest's kernel limits and loopback, set up by init. */
#ifndef YL_VM_TUNE_H
#define YL_VM_TUNE_H
#include <stddef.h>

/* Brings lo up, raises the limits the C100K sweep and the thread servers
 * meet (see tune.c), appends "guest_KEY: value" lines to env (cap bytes),
 * and calls fail(what, errno) for each step that did not work. */
void tune_guest(char *env, size_t cap, void (*fail)(const char *what, int err));

#endif
