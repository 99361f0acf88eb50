/* init.c - PID 1 of the yieldlab guest.
 *
 * The kernel unpacks our initramfs and runs this program first. It sets up
 * the few file systems the experiments read (/proc, /sys, /dev, cgroup2),
 * brings lo up and raises the kernel's limits (tune.c), runs the
 * experiment named on the kernel command line, sends the result files and
 * guest.txt (what the guest saw: kernel, CPUs, limits) back over the
 * second serial port (format in wire.h) and powers the machine off. Whatever fails, it says what on the console, still sends
 * what it has, and still powers off, so the host never waits for a guest
 * that has given up.
 *
 * Kernel command line keys (all optional):
 *   yl.profile=NAME   smoke (default): foo of each model, run here, then
 *                     the driver's smoke profile if the driver is packed;
 *                     any other: /bin/yl-bench --profile NAME
 *   yl.where=vmN      passed to the driver as --where, and into env.txt
 *   yl.unit_ms=K      foo's --unit-ms for smoke (default 20)
 *   yl.timeout=S      kill the experiment after S seconds (default 600)
 *
 * Built with -static: the initramfs holds no C library.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tune.h"
#include "wire.h"

#define RESULTS_DIR "/results"
#define WORK_DIR "/tmp"

static int wire_fd = -1;     /* /dev/ttyS1, raw */
static int failures;         /* steps that failed; nonzero makes DONE rc 1 */
static time_t deadline;      /* CLOCK_MONOTONIC second when yl.timeout runs out */
static char logbuf[64 * 1024]; /* everything we said, sent as init.log */
static size_t loglen;

/* Prints "yl-init: ..." on the console and keeps a copy for init.log. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "yl-init: ");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    line[len++] = '\n';
    if (write(2, line, len) < 0) {
        /* no console: init.log still gets the line */
    }
    if (loglen + len <= sizeof logbuf) {
        memcpy(logbuf + loglen, line, len);
        loglen += len;
    }
}

/* Reports a failed step with errno's text and counts it. */
static void failed(const char *what)
{
    say("%s: %s", what, strerror(errno));
    failures++;
}

/* tune_guest's report of a step that failed. */
static void tune_failed(const char *what, int err)
{
    errno = err;
    failed(what);
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Mounts fstype on dir (creating dir), tolerating "already mounted". */
static void mount_fs(const char *fstype, const char *dir)
{
    mkdir(dir, 0755);
    if (mount(fstype, dir, fstype, MS_NOSUID | MS_NOEXEC, NULL) < 0 && errno != EBUSY) {
        char what[128];
        snprintf(what, sizeof what, "mount %s on %s", fstype, dir);
        failed(what);
    }
}

/* Makes fds 0-2 the console. The kernel tried before us, but our archive
 * holds no /dev/console node (packing one would need root), so only now,
 * with devtmpfs mounted, can it be opened. */
static void open_console(void)
{
    int fd = open("/dev/console", O_RDWR | O_NOCTTY);
    if (fd < 0 && mknod("/dev/console", S_IFCHR | 0600, makedev(5, 1)) == 0)
        fd = open("/dev/console", O_RDWR | O_NOCTTY);
    if (fd < 0) {
        failed("open /dev/console");
        return;
    }
    for (int i = 0; i < 3; i++)
        if (fd != i)
            dup2(fd, i);
    if (fd > 2)
        close(fd);
}

/* Opens ttyS1 in raw mode: no newline translation, no echo, 8 bits, so
 * the bytes of a file arrive on the host exactly as they are. */
static void open_wire(void)
{
    wire_fd = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);
    if (wire_fd < 0) {
        failed("open /dev/ttyS1 (results port)");
        return;
    }
    struct termios t;
    if (tcgetattr(wire_fd, &t) < 0) {
        failed("tcgetattr /dev/ttyS1");
        return;
    }
    cfmakeraw(&t);
    cfsetispeed(&t, B115200);
    cfsetospeed(&t, B115200);
    if (tcsetattr(wire_fd, TCSANOW, &t) < 0)
        failed("tcsetattr /dev/ttyS1");
}

static void wire_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wire_printf(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (wire_fd >= 0 && n > 0 && write_all(wire_fd, line, (size_t)n) < 0)
        failed("write /dev/ttyS1");
}

/* Sends len bytes from buf as the block called name. */
static void send_buf(const char *name, const char *buf, size_t len)
{
    if (wire_fd < 0)
        return;
    wire_printf(WIRE_FILE "%s %zu" WIRE_TAIL "\n", name, len);
    if (write_all(wire_fd, buf, len) < 0)
        failed("write /dev/ttyS1");
    wire_printf("\n" WIRE_END "%s %08x" WIRE_TAIL "\n", name, wire_fnv1a(WIRE_FNV_INIT, buf, len));
}

/* Sends the file at path as the block called name, streaming it. */
static void send_file(const char *name, const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        char what[300];
        snprintf(what, sizeof what, "open %s", path);
        failed(what);
        if (fd >= 0)
            close(fd);
        return;
    }
    if (wire_fd >= 0) {
        /* The size goes first, so send exactly that many bytes even if
         * the file changed: pad with NULs; the checksum then disagrees. */
        size_t left = (size_t)st.st_size;
        uint32_t h = WIRE_FNV_INIT;
        char buf[16384];
        wire_printf(WIRE_FILE "%s %zu" WIRE_TAIL "\n", name, left);
        while (left > 0) {
            size_t want = left < sizeof buf ? left : sizeof buf;
            ssize_t r = read(fd, buf, want);
            if (r <= 0) {
                memset(buf, 0, want);
                r = (ssize_t)want;
            }
            h = wire_fnv1a(h, buf, (size_t)r);
            if (write_all(wire_fd, buf, (size_t)r) < 0) {
                failed("write /dev/ttyS1");
                break;
            }
            left -= (size_t)r;
        }
        wire_printf("\n" WIRE_END "%s %08x" WIRE_TAIL "\n", name, h);
    }
    close(fd);
}

/* Reads key=value from /proc/cmdline into val; returns 1 if present. */
static int cmdline_get(const char *key, char *val, size_t cap)
{
    static char cmd[4096];
    if (!cmd[0]) {
        int fd = open("/proc/cmdline", O_RDONLY);
        if (fd >= 0) {
            ssize_t n = read(fd, cmd, sizeof cmd - 1);
            cmd[n > 0 ? n : 0] = '\0';
            close(fd);
        }
    }
    size_t klen = strlen(key);
    for (const char *p = cmd; *p;) {
        while (*p == ' ' || *p == '\n')
            p++;
        const char *end = p + strcspn(p, " \n");
        if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t n = (size_t)(end - p) - klen - 1;
            if (n >= cap)
                n = cap - 1;
            memcpy(val, p + klen + 1, n);
            val[n] = '\0';
            return 1;
        }
        p = end;
    }
    return 0;
}

/* Reaps children (orphans included, we are PID 1) until pid exits or the
 * deadline passes; on timeout kills pid's process group. Returns the exit
 * code, 128+signal, or 124 on timeout. */
static int wait_child(pid_t pid, unsigned timeout_s)
{
    struct timespec now, end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += timeout_s;
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        int st;
        pid_t w;
        while ((w = waitpid(-1, &st, WNOHANG)) > 0)
            if (w == pid)
                return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)) {
            say("pid %d still running after %u s: killing it", (int)pid, timeout_s);
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return 124;
        }
        struct timespec tick = {1, 0};
        sigtimedwait(&chld, NULL, &tick);
    }
}

/* Seconds left before yl.timeout (at least 1): every step shares it, so
 * the guest always gets to send its results before the host gives up. */
static unsigned time_left(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + 1 < deadline ? (unsigned)(deadline - now.tv_sec) : 1;
}

/* Runs argv with stdout/stderr to the given files (NULL: the console),
 * for at most the time left. Returns as wait_child, or -1 if it could not
 * start. */
static int run(char *const argv[], const char *out, const char *err)
{
    say("run %s", argv[0]);
    pid_t pid = fork();
    if (pid < 0) {
        failed("fork");
        return -1;
    }
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL); /* a blocked mask survives exec */
        setpgid(0, 0);
        const char *paths[2] = {out, err};
        for (int i = 0; i < 2; i++) {
            if (!paths[i])
                continue;
            int fd = open(paths[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd < 0 || dup2(fd, i + 1) < 0)
                _exit(126);
            close(fd);
        }
        char *envp[] = {"PATH=/bin", "HOME=/", "TERM=linux", NULL};
        execve(argv[0], argv, envp);
        fprintf(stderr, "yl-init: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return wait_child(pid, time_left());
}

/* Appends "key: value\n" (env.txt's style) to an env buffer. */
static void env_add(char *env, size_t cap, const char *key, const char *val)
{
    size_t n = strlen(env);
    snprintf(env + n, cap - n, "%s: %s\n", key, val);
}

/* The guest's own facts (guest.txt): kernel, the CPUs it can use asked
 * both ways a program would (affinity mask, the online list), and how long
 * the boot took to reach us. */
static void guest_facts(char *env, size_t cap)
{
    struct utsname u;
    char buf[64] = "?";
    if (uname(&u) == 0)
        env_add(env, cap, "guest_kernel", u.release);
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        snprintf(buf, sizeof buf, "%d", CPU_COUNT(&set));
    env_add(env, cap, "guest_affinity_cpus", buf);
    int fd = open("/sys/devices/system/cpu/online", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    env_add(env, cap, "guest_online_cpus", n > 0 ? buf : "?");
    struct timespec boot;
    clock_gettime(CLOCK_BOOTTIME, &boot);
    snprintf(buf, sizeof buf, "%.2f", (double)boot.tv_sec + (double)boot.tv_nsec / 1e9);
    env_add(env, cap, "guest_init_started_s", buf);
}

/* smoke, part one: foo of each model, run by init itself, so the check
 * needs nothing but the three programs. Their exit statuses go to env. */
static void smoke_foo(char *env, size_t cap)
{
    static const char *const models[] = {"tasks", "threads", "procs"};
    char unit_ms[16] = "20";
    cmdline_get("yl.unit_ms", unit_ms, sizeof unit_ms);
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char prog[64], out[64], err[64], name[64], rc[16];
        snprintf(prog, sizeof prog, "/bin/%s/foo", models[i]);
        snprintf(out, sizeof out, WORK_DIR "/foo-%s.out", models[i]);
        snprintf(err, sizeof err, WORK_DIR "/foo-%s.err", models[i]);
        char *argv[] = {prog, "--unit-ms", unit_ms, NULL};
        int st = run(argv, out, err);
        if (st != 0) {
            say("%s exited with status %d", prog, st);
            failures++;
        }
        snprintf(rc, sizeof rc, "%d", st);
        snprintf(name, sizeof name, "guest_foo_%s_status", models[i]);
        env_add(env, cap, name, rc);
        snprintf(name, sizeof name, "foo-%s.out", models[i]);
        send_file(name, out);
        snprintf(name, sizeof name, "foo-%s.err", models[i]);
        send_file(name, err);
    }
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Runs the driver on profile; it writes RESULTS_DIR, all of which is sent.
 * Its progress goes to the console, which the host shows live. */
static void bench(const char *profile, const char *where)
{
    char prog[] = "/bin/yl-bench";
    char *argv[] = {prog, "--profile", (char *)profile, "--out", RESULTS_DIR,
                    "--where", (char *)where, NULL};
    mkdir(RESULTS_DIR, 0755);
    if (chdir("/") < 0)
        failed("chdir /");
    int st = run(argv, NULL, NULL);
    if (st != 0) {
        say("%s exited with status %d", prog, st);
        failures++;
    }
    struct dirent **ents;
    int n = scandir(RESULTS_DIR, &ents, NULL, by_name);
    if (n < 0) {
        failed("scandir " RESULTS_DIR);
        return;
    }
    for (int i = 0; i < n; i++) {
        char path[512];
        struct stat sb;
        snprintf(path, sizeof path, RESULTS_DIR "/%s", ents[i]->d_name);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
            if (wire_name_ok(ents[i]->d_name))
                send_file(ents[i]->d_name, path);
            else
                say("not sending %s: name outside [A-Za-z0-9._-]", ents[i]->d_name);
        }
        free(ents[i]);
    }
    free(ents);
}

int main(void)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL); /* wait_child takes it synchronously */

    mount_fs("devtmpfs", "/dev");
    open_console();
    mount_fs("proc", "/proc");
    mount_fs("sysfs", "/sys");
    mount_fs("cgroup2", "/sys/fs/cgroup");
    mkdir(WORK_DIR, 01777);
    open_wire();

    char profile[64] = "smoke", where[32] = "vm", tmo[16] = "600";
    cmdline_get("yl.profile", profile, sizeof profile);
    cmdline_get("yl.where", where, sizeof where);
    cmdline_get("yl.timeout", tmo, sizeof tmo);
    unsigned timeout_s = (unsigned)strtoul(tmo, NULL, 10);
    if (timeout_s == 0)
        timeout_s = 600;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    deadline = now.tv_sec + (time_t)timeout_s;
    say("profile %s on %s", profile, where);

    char env[4096] = "";
    guest_facts(env, sizeof env);
    tune_guest(env, sizeof env, tune_failed);
    if (strcmp(profile, "smoke") == 0) {
        smoke_foo(env, sizeof env);
        /* part two, only if the driver was packed: the driver's own smoke
         * profile, which proves it runs here too. */
        if (access("/bin/yl-bench", X_OK) == 0)
            bench(profile, where);
        else
            say("no /bin/yl-bench in this image: driver part skipped");
    } else {
        bench(profile, where);
    }
    send_buf("guest.txt", env, strlen(env));

    say("done, %d failed step(s); powering off", failures);
    send_buf("init.log", logbuf, loglen);
    wire_printf(WIRE_DONE "%d" WIRE_TAIL "\n", failures ? 1 : 0);
    if (wire_fd >= 0)
        tcdrain(wire_fd); /* the last bytes must leave the UART before power-off */
    sync();
    reboot(RB_POWER_OFF);
    /* Still here: returning makes the kernel panic, and panic=-1 with
     * QEMU's -no-reboot ends the VM all the same. */
    say("power off: %s", strerror(errno));
    return 1;
}
