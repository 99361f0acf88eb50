/* env.c - env.txt: the machine and the run, one "key: value" per line, so
 * that a figure can always be traced back to where it was measured.
 */
#include "driver.h"
#include "schedkern.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* Reads the first line of path into buf without its newline; false if the
 * file cannot be read (many /sys files are absent in a guest). */
static bool first_line(const char *path, char *buf, size_t sz)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool ok = fgets(buf, (int)sz, f) != NULL;
    fclose(f);
    if (ok)
        buf[strcspn(buf, "\n")] = '\0';
    return ok && buf[0];
}

/* Finds "key<blanks>: value" in a /proc file (cpuinfo, meminfo). */
static bool proc_field(const char *path, const char *key, char *buf, size_t sz)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[4096];
    bool found = false;
    size_t k = strlen(key);
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, k) != 0 || (line[k] != ' ' && line[k] != '\t' && line[k] != ':'))
            continue;
        char *c = strchr(line, ':');
        if (!c)
            continue;
        c++;
        while (*c == ' ' || *c == '\t')
            c++;
        c[strcspn(c, "\n")] = '\0';
        snprintf(buf, sz, "%s", c);
        found = true;
    }
    fclose(f);
    return found;
}

unsigned env_cpu_list(char *buf, size_t bufsz, char sep)
{
    cpu_set_t set;
    buf[0] = '\0';
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 0;
    unsigned n = 0;
    size_t len = 0;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &set))
            continue;
        int w = snprintf(buf + len, bufsz - len, "%s%d", n ? (char[]){sep, 0} : "", c);
        if (w < 0 || (size_t)w >= bufsz - len)
            break;
        len += (size_t)w;
        n++;
    }
    return n;
}

/* The hypervisor's own name: Xen says so in /sys; the others answer
 * CPUID leaf 0x40000000 with a 12-byte signature. */
static void hypervisor_name(char *buf, size_t sz)
{
    if (first_line("/sys/hypervisor/type", buf, sz))
        return;
    snprintf(buf, sz, "none detected");
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    if (!(c & (1u << 31))) /* the "hypervisor present" bit */
        return;
    __cpuid(0x40000000, a, b, c, d);
    char sig[13];
    memcpy(sig, &b, 4);
    memcpy(sig + 4, &c, 4);
    memcpy(sig + 8, &d, 4);
    sig[12] = '\0';
    static const struct {
        const char *sig, *name;
    } known[] = {
        {"KVMKVMKVM", "KVM"},          {"TCGTCGTCGTCG", "QEMU TCG"},
        {"Microsoft Hv", "Hyper-V"},   {"VMwareVMware", "VMware"},
        {"XenVMMXenVMM", "Xen"},       {"VBoxVBoxVBox", "VirtualBox"},
        {"bhyve bhyve ", "bhyve"},     {" lrpepyh  vr", "Parallels"},
        {"ACRNACRNACRN", "ACRN"},      {"QNXQVMBSQG", "QNX"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strncmp(sig, known[i].sig, 12) == 0) {
            snprintf(buf, sz, "%s", known[i].name);
            return;
        }
    for (int i = 0; i < 12; i++)
        if (sig[i] && (sig[i] < ' ' || sig[i] > '~'))
            sig[i] = '?';
    snprintf(buf, sz, "unknown (cpuid signature '%s')", sig);
#endif
}

static const char *compiler(void)
{
#if defined(__clang__)
    return "clang " __VERSION__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return __VERSION__;
#endif
}

static const char *sanitizer(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return "address";
#elif defined(__SANITIZE_THREAD__)
    return "thread";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return "address";
#elif __has_feature(thread_sanitizer)
    return "thread";
#else
    return "none";
#endif
#else
    return "none";
#endif
}

/* The versions of the other languages' runtimes (peers/README.md), as
 * BIN/peers/versions prints them: "node_version: v20.20.2" or "go_version:
 * not installed, ...". Asked once per run (env.txt is written twice); a bin
 * folder without the script (a guest image) gives nothing. */
static const char *peer_versions(const char *bin)
{
    static char text[2048];
    static bool asked;
    if (asked || !bin)
        return text;
    asked = true;
    char cmd[4096];
    if ((size_t)snprintf(cmd, sizeof cmd, "%s/peers/versions", bin) >= sizeof cmd ||
        access(cmd, X_OK) != 0)
        return text;
    FILE *p = popen(cmd, "r");
    if (!p)
        return text;
    size_t len = 0;
    char line[512];
    while (fgets(line, sizeof line, p)) {
        /* Only "word_version: ..." lines, so env.txt stays key: value. */
        size_t k = strspn(line, "abcdefghijklmnopqrstuvwxyz_");
        size_t l = strlen(line);
        if (k < 9 || strncmp(line + k - 8, "_version", 8) != 0 || line[k] != ':' ||
            line[l - 1] != '\n' || len + l >= sizeof text)
            continue;
        memcpy(text + len, line, l + 1);
        len += l;
    }
    pclose(p);
    return text;
}

/* What the server experiment depends on: the wrk that yl-load runs, the
 * fd limit (yl-load raises its soft limit to the hard one, for itself and
 * the server, as both ends of every connection live on this machine) and
 * the local ports a client address has. */
static void env_load(FILE *f)
{
    char v[256] = "";
    FILE *p = popen("wrk -v 2>&1", "r");
    if (p) {
        if (!fgets(v, sizeof v, p))
            v[0] = '\0';
        pclose(p);
    }
    char a[64], b[64]; /* "wrk debian/4.1.0-3+b2 [epoll] Copyright ..." */
    if (strncmp(v, "wrk ", 4) == 0 && sscanf(v, "%63s %63s", a, b) == 2)
        fprintf(f, "wrk: %s\n", b);
    else
        fprintf(f, "wrk: not installed\n");
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        fprintf(f, "nofile: soft %llu, hard %llu (yl-load raises the soft limit to the hard one)\n",
                (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    if (first_line("/proc/sys/net/ipv4/ip_local_port_range", v, sizeof v))
        fprintf(f, "ip_local_port_range: %s\n", v);
}

int env_write(const char *dir, const struct env_info *in)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -1;
    char v[4096];

    if (!proc_field("/proc/cpuinfo", "model name", v, sizeof v) &&
        !proc_field("/proc/cpuinfo", "Hardware", v, sizeof v))
        snprintf(v, sizeof v, "unknown");
    fprintf(f, "cpu_model: %s\n", v);
    fprintf(f, "cpus_online: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    if (first_line("/sys/devices/system/cpu/online", v, sizeof v))
        fprintf(f, "cpus_online_list: %s\n", v);
    unsigned n = env_cpu_list(v, sizeof v, ',');
    fprintf(f, "affinity: %s (%u cpus)\n", v, n);
    if (first_line("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list", v, sizeof v))
        fprintf(f, "cpu0_siblings: %s\n", v);
    if (proc_field("/proc/meminfo", "MemTotal", v, sizeof v))
        fprintf(f, "mem_total: %s\n", v);
    fprintf(f, "page_size: %ld\n", sysconf(_SC_PAGESIZE));

    struct utsname u;
    if (uname(&u) == 0)
        fprintf(f, "kernel: %s %s %s %s\n", u.sysname, u.release, u.version, u.machine);
    /* What SCHED_OTHER is here: the sched programs' kernel rows. */
    fprintf(f, "fair_class: %s (SCHED_OTHER; EEVDF since Linux 6.6, CFS before)\n",
            kern_fair_class());
    char flags[8192];
    bool vm = proc_field("/proc/cpuinfo", "flags", flags, sizeof flags) &&
              strstr(flags, " hypervisor") != NULL;
    char hv[256];
    hypervisor_name(hv, sizeof hv);
    vm = vm || strcmp(hv, "none detected") != 0;
    fprintf(f, "virtualized: %s\n", vm ? "yes" : "no");
    fprintf(f, "hypervisor: %s\n", hv);
    if (first_line("/sys/class/dmi/id/sys_vendor", v, sizeof v))
        fprintf(f, "dmi_vendor: %s\n", v);
    if (first_line("/sys/class/dmi/id/product_name", v, sizeof v))
        fprintf(f, "dmi_product: %s\n", v);
    if (!first_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", v, sizeof v))
        snprintf(v, sizeof v, "unavailable");
    fprintf(f, "governor: %s\n", v);
    if (first_line("/sys/kernel/mm/transparent_hugepage/enabled", v, sizeof v))
        fprintf(f, "thp: %s\n", v);
    /* The limits a spawn sweep runs into first. */
    if (first_line("/proc/sys/kernel/threads-max", v, sizeof v))
        fprintf(f, "threads_max: %s\n", v);
    if (first_line("/proc/sys/kernel/pid_max", v, sizeof v))
        fprintf(f, "pid_max: %s\n", v);
    if (first_line("/proc/sys/vm/max_map_count", v, sizeof v))
        fprintf(f, "max_map_count: %s\n", v);

    env_load(f);
    fprintf(f, "compiler: %s\n", compiler());
    fputs(peer_versions(in->bin), f);
    fprintf(f, "sanitizer: %s\n", sanitizer());
    fprintf(f, "profile: %s\n", in->profile);
    fprintf(f, "profile_path: %s\n", in->profile_path);
    fprintf(f, "where: %s\n", in->where);
    fprintf(f, "bin: %s\n", in->bin);
    fprintf(f, "date: %s\n", in->started_utc);
    if (in->wall_s >= 0) {
        fprintf(f, "wall_s: %.1f\n", in->wall_s);
        fprintf(f, "experiments: %u measured, %u failed, %u skipped%s\n", in->measured,
                in->failed, in->skipped, in->interrupted ? " (interrupted)" : "");
    } else {
        fprintf(f, "wall_s: running\n");
    }
    if (fclose(f) != 0) {
        free(buf);
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/env.txt", dir);
    int rc = write_file_atomic(path, buf, len);
    free(buf);
    return rc;
}
