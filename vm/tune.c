/* tune.c - what the guest's kernel must allow before the experiments run.
 *
 * The host's container cannot raise its hard RLIMIT_NOFILE (no
 * CAP_SYS_RESOURCE), so its idle sweeps stop at 19k connections; init is
 * root with every capability, so the guest is where 100k idle keep-alive
 * connections (200k sockets: both ends are ours) and 100k threads can be
 * tried. Nothing else in the initramfs configures the kernel, so:
 *   - lo starts down: bring it up; the kernel then gives it 127.0.0.1/8,
 *     whose local route covers the 127.0.0.2.. source addresses yl-load
 *     binds to get past the port range;
 *   - fs.nr_open, fs.file-max: the fd ceilings (yl-load raises its own
 *     RLIMIT_NOFILE to fs.nr_open when it may);
 *   - kernel.pid_max (32768 on a small machine), kernel.threads-max and
 *     vm.max_map_count (65530: two maps per thread stack stop a thread
 *     server near 32k): so a thread or process server stops at the memory
 *     cap of its profile line, not at a default meant for desktops;
 *   - the listen backlog, so a burst of 100k connects is not refused.
 * Every value read back goes to guest.txt, which the report shows.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tune.h"

static const struct {
    const char *key, *value;
} limits[] = {
    {"fs.nr_open", "1048576"},
    {"fs.file-max", "2097152"},
    {"kernel.pid_max", "4194304"},
    {"kernel.threads-max", "1048576"},
    {"vm.max_map_count", "1048576"},
    {"net.core.somaxconn", "65535"},
    {"net.ipv4.tcp_max_syn_backlog", "65535"},
};

/* /proc/sys path of a dotted key. */
static void sysctl_path(const char *key, char *path, size_t cap)
{
    int n = snprintf(path, cap, "/proc/sys/%s", key);
    for (char *p = path + 10; n > 0 && *p; p++)
        if (*p == '.')
            *p = '/';
}

/* Writes value to the sysctl key; 0 or an errno. */
static int sysctl_set(const char *key, const char *value)
{
    char path[128];
    sysctl_path(key, path, sizeof path);
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return errno;
    size_t len = strlen(value);
    int e = write(fd, value, len) == (ssize_t)len ? 0 : errno;
    close(fd);
    return e;
}

/* Reads the sysctl key's first line into val ("?" if it cannot). */
static void sysctl_get(const char *key, char *val, size_t cap)
{
    char path[128];
    sysctl_path(key, path, sizeof path);
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, val, cap - 1) : -1;
    if (fd >= 0)
        close(fd);
    val[n > 0 ? n : 0] = '\0';
    val[strcspn(val, "\n")] = '\0';
    if (n <= 0)
        snprintf(val, cap, "?");
}

/* Sets IFF_UP on lo; 0 or an errno. */
static int lo_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
    int e = 0;
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
        e = errno;
    else if (!(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
            e = errno;
    }
    close(s);
    return e;
}

static void env_line(char *env, size_t cap, const char *key, const char *val)
{
    size_t n = strlen(env);
    if (n < cap)
        snprintf(env + n, cap - n, "guest_%s: %s\n", key, val);
}

void tune_guest(char *env, size_t cap, void (*fail)(const char *what, int err))
{
    int e = lo_up();
    if (e)
        fail("bring lo up", e);
    env_line(env, cap, "lo", e ? "down" : "up (127.0.0.1/8)");
    char what[160], val[64];
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        if ((e = sysctl_set(limits[i].key, limits[i].value)) != 0) {
            snprintf(what, sizeof what, "sysctl %s=%s", limits[i].key, limits[i].value);
            fail(what, e);
        }
        sysctl_get(limits[i].key, val, sizeof val);
        env_line(env, cap, limits[i].key, val);
    }
    /* init's own limit, which every program inherits: the new ceiling. */
    struct rlimit rl = {1048576, 1048576};
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        fail("setrlimit RLIMIT_NOFILE 1048576", errno);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        snprintf(val, sizeof val, "%llu", (unsigned long long)rl.rlim_cur);
        env_line(env, cap, "rlimit_nofile", val);
    }
}
