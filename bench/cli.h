/* cli.h - the command-line conventions every yieldlab program shares.
 *
 *   prog --help           usage on stdout, exit 0
 *   bad flag or value     "prog: --flag: what is wrong" on stderr, exit 2
 *   --timeout S           the whole experiment is killed after S seconds
 *   --csv                 rows on stdout, human summary on stderr
 *   --preempt-us Q        libyl preempts a unit after Q µs (YL_PREEMPT_US)
 */
#ifndef YL_CLI_H
#define YL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The program's short name for messages (set by cli_init from argv[0]). */
extern const char *cli_prog;

/* Records the program name and the usage text printed by --help. */
void cli_init(int argc, char **argv, const char *usage);

/* A flag a program accepts, for cli_parse. */
enum cli_kind {
    CLI_U64,    /* --name N: *(uint64_t *)dst, within [min, max] */
    CLI_STR,    /* --name S: *(const char **)dst, non-empty */
    CLI_BOOL,   /* --name: *(bool *)dst = true */
    CLI_CHOICE, /* --name C: *(int *)dst = index of C in choices */
};
struct cli_opt {
    const char *name;   /* with the dashes: "--unit-ms" */
    enum cli_kind kind;
    void *dst;
    uint64_t min, max;  /* CLI_U64 only */
    const char *const *choices; /* CLI_CHOICE only, NULL-terminated */
};

/* Parses argv against opts (terminated by an entry with name NULL). Also
 * takes --help (handled by cli_init), --timeout S (default default_timeout
 * seconds, 0 = none; arms cli_timeout) and --preempt-us Q (sets
 * YL_PREEMPT_US for libyl: tasks are preempted after Q µs). Any other argument exits 2 with a
 * message naming it. */
void cli_parse(int argc, char **argv, const struct cli_opt *opts, unsigned default_timeout);

/* Prints "prog: <message>" on stderr and exits 2 (bad usage). */
_Noreturn void cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "prog: <message>" on stderr and exits 1 (failure at run time). */
_Noreturn void cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "prog: <message>" on stderr and returns. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parses the value of flag as an unsigned integer in [min, max]; on error
 * exits 2 with a message naming the flag. */
uint64_t cli_u64(const char *flag, const char *val, uint64_t min, uint64_t max);

/* Returns the index of val in choices (NULL-terminated); exits 2 naming the
 * flag and listing the choices when it is none of them. */
int cli_choice(const char *flag, const char *val, const char *const *choices);

/* Arms a watchdog: after sec seconds the process prints "prog: timed out
 * after S s" and dies with exit 124; children made with cli_fork die too. */
void cli_timeout(unsigned sec);

/* Writes one whole line (a newline is added) with a single write(2), so
 * lines from several threads or processes never interleave and nothing
 * sits in a stdio buffer when the process forks. */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* fork() for experiment children: the child is killed if the parent dies
 * (no orphans on any exit path) and inherits no buffered stdio. Returns as
 * fork() does. */
pid_t cli_fork(void);

#endif
