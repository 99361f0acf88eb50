/* test_vm.c - the QEMU guest: the results-port extractor on hand-made
 * streams, and a real boot of the smoke profile that must bring foo's
 * eight lines of each model back over the second serial port. */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/files.h"
#include "support/run.h"
#include "../vm/wire.h"

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Reads a whole file (NUL-terminated, length in *len); NULL if absent. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (n + 2 > cap) {
            cap = cap ? cap * 2 : 256;
            buf = realloc(buf, cap);
            cr_assert_not_null(buf);
        }
        buf[n++] = (char)c;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static char *path_in(const char *dir, const char *name)
{
    static char buf[4][4096];
    static int slot;
    char *p = buf[slot++ & 3];
    snprintf(p, sizeof buf[0], "%s/%s", dir, name);
    return p;
}

/* Writes one block as the guest's init does; hash_xor spoils the checksum. */
static void put_block(FILE *f, const char *name, const char *data, size_t len, unsigned hash_xor)
{
    fprintf(f, WIRE_FILE "%s %zu" WIRE_TAIL "\n", name, len);
    fwrite(data, 1, len, f);
    fprintf(f, "\n" WIRE_END "%s %08x" WIRE_TAIL "\n", name,
            wire_fnv1a(WIRE_FNV_INIT, data, len) ^ hash_xor);
}

/* Runs unwire on the stream in dir/serial.raw into dir/out. */
static int unwire(const char *dir, char **out, char **err)
{
    char raw[4096], outdir[4096];
    snprintf(raw, sizeof raw, "%s/serial.raw", dir);
    snprintf(outdir, sizeof outdir, "%s/out", dir);
    mkdir(outdir, 0755);
    const char *argv[] = {YL_BIN_DIR "/vm/unwire", "--in", raw, "--out", outdir, NULL};
    return run_prog(argv, out, err, 30);
}

static char tmp[64];

static void make_tmp(void)
{
    snprintf(tmp, sizeof tmp, "/tmp/yl-vm-test-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp));
}

static void drop_tmp(void)
{
    rm_tree(tmp);
}

static FILE *open_stream(void)
{
    FILE *f = fopen(path_in(tmp, "serial.raw"), "wb");
    cr_assert_not_null(f);
    return f;
}

TestSuite(vm, .init = make_tmp, .fini = drop_tmp);

/* Content that looks like markers, NUL bytes and no final newline must all
 * come back byte for byte; noise between blocks is skipped. */
Test(vm, unwire_restores_files_exactly)
{
    static const char tricky[] = "a,b\n=== END data.csv 00000000 ===\n=== DONE 1 ===\n\0\xff\x01 end";
    FILE *f = open_stream();
    fputs("[    1.23] boot noise\n\n", f);
    put_block(f, "data.csv", tricky, sizeof tricky - 1, 0);
    fputs("more noise === FILE nope ===\n", f);
    put_block(f, "empty.txt", "", 0, 0);
    put_block(f, "foo-tasks.out", foo_article, strlen(foo_article), 0);
    fputs(WIRE_DONE "0" WIRE_TAIL "\n", f);
    fclose(f);

    char *out, *err;
    int st = unwire(tmp, &out, &err);
    cr_expect_eq(st, 0, "unwire exited %d: %s", st, err);
    char listing[128];
    snprintf(listing, sizeof listing, "data.csv %zu\nempty.txt 0\nfoo-tasks.out %zu\n",
             sizeof tricky - 1, strlen(foo_article));
    cr_expect_str_eq(out, listing, "unwire listed:\n%s", out);
    size_t len;
    char *got = slurp(path_in(tmp, "out/data.csv"), &len);
    cr_assert_not_null(got);
    cr_expect_eq(len, sizeof tricky - 1);
    cr_expect(memcmp(got, tricky, len) == 0, "data.csv differs from what was sent");
    free(got);
    got = slurp(path_in(tmp, "out/empty.txt"), &len);
    cr_assert_not_null(got);
    cr_expect_eq(len, 0);
    free(got);
    got = slurp(path_in(tmp, "out/foo-tasks.out"), NULL);
    cr_expect_str_eq(got, foo_article);
    free(got);
    free(out);
    free(err);
}

Test(vm, unwire_rejects_a_bad_checksum)
{
    FILE *f = open_stream();
    put_block(f, "data.csv", "x,y\n", 4, 1);
    fputs(WIRE_DONE "0" WIRE_TAIL "\n", f);
    fclose(f);
    char *err;
    int st = unwire(tmp, NULL, &err);
    cr_expect_eq(st, 1);
    cr_expect(strstr(err, "checksum") != NULL, "stderr: %s", err);
    cr_expect(access(path_in(tmp, "out/data.csv"), F_OK) != 0, "a damaged file was kept as good");
    cr_expect(access(path_in(tmp, "out/data.csv.partial"), F_OK) == 0);
    free(err);
}

Test(vm, unwire_keeps_a_cut_block_as_partial)
{
    FILE *f = open_stream();
    put_block(f, "a.txt", "whole\n", 6, 0);
    fprintf(f, WIRE_FILE "trace-tasks.csv 1000" WIRE_TAIL "\nonly the beginning");
    fclose(f);
    char *out, *err;
    int st = unwire(tmp, &out, &err);
    cr_expect_eq(st, 1);
    cr_expect(strstr(err, "18 of 1000 bytes") != NULL, "stderr: %s", err);
    cr_expect(strstr(err, "no DONE line") != NULL, "stderr: %s", err);
    cr_expect_str_eq(out, "a.txt 6\n");
    char *got = slurp(path_in(tmp, "out/trace-tasks.csv.partial"), NULL);
    cr_expect_str_eq(got, "only the beginning");
    free(got);
    free(out);
    free(err);
}

Test(vm, unwire_refuses_names_that_leave_the_folder)
{
    FILE *f = open_stream();
    put_block(f, "../escaped", "bad\n", 4, 0);
    put_block(f, "ok.txt", "good\n", 5, 0);
    fputs(WIRE_DONE "0" WIRE_TAIL "\n", f);
    fclose(f);
    char *out, *err;
    int st = unwire(tmp, &out, &err);
    cr_expect_eq(st, 1);
    cr_expect(strstr(err, "refusing block name '../escaped'") != NULL, "stderr: %s", err);
    cr_expect(access(path_in(tmp, "escaped"), F_OK) != 0, "a file was written outside --out");
    cr_expect_str_eq(out, "ok.txt 5\n");
    free(out);
    free(err);
}

Test(vm, unwire_passes_on_the_guest_failure)
{
    FILE *f = open_stream();
    put_block(f, "init.log", "yl-init: mount proc: No such device\n", 36, 0);
    fputs(WIRE_DONE "1" WIRE_TAIL "\n", f);
    fclose(f);
    char *err;
    cr_expect_eq(unwire(tmp, NULL, &err), 3, "stderr: %s", err);
    free(err);
}

Test(vm, unwire_bad_usage_names_the_flag)
{
    const char *argv[] = {YL_BIN_DIR "/vm/unwire", "--out", tmp, NULL};
    char *err;
    cr_expect_eq(run_prog(argv, NULL, &err, 10), 2);
    cr_expect(strstr(err, "--in") != NULL, "stderr: %s", err);
    free(err);
    const char *argv2[] = {YL_BIN_DIR "/vm/unwire", "--bogus", NULL};
    cr_expect_eq(run_prog(argv2, NULL, &err, 10), 2);
    cr_expect(strstr(err, "--bogus") != NULL, "stderr: %s", err);
    free(err);
}

static int have_qemu(void)
{
    const char *path = getenv("PATH");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path ? path : "/usr/bin:/bin");
    for (char *save, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char p[4200];
        snprintf(p, sizeof p, "%s/qemu-system-x86_64", d);
        if (access(p, X_OK) == 0)
            return 1;
    }
    return 0;
}

/* The whole path: kernel download (cached), static build, initramfs, boot
 * (TCG here: about 5 s), foo in each model inside, results over ttyS1.
 * The generous timeout covers the first static build on a fresh tree. */
Test(vm, smoke_boot_brings_foo_back_over_the_serial_port, .timeout = 900)
{
    if (!have_qemu())
        cr_skip_test("qemu-system-x86_64 is not installed (mk/deps.sh vm): no guest boot");
    char script[4096];
    snprintf(script, sizeof script, "%s/vm/run.sh", YL_SRC_DIR);
    const char *argv[] = {script, "--cpus", "1", "--profile", "smoke", "--quiet",
                          "--out", tmp, NULL};
    char *err;
    int st = run_prog(argv, NULL, &err, 800);
    cr_assert_eq(st, 0, "vm/run.sh exited %d:\n%s", st, err);

    static const char *const models[] = {"tasks", "threads", "procs"};
    for (size_t i = 0; i < 3; i++) {
        char name[64];
        snprintf(name, sizeof name, "foo-%s.out", models[i]);
        char *got = slurp(path_in(tmp, name), NULL);
        cr_assert_not_null(got, "%s did not come back", name);
        cr_expect_str_eq(got, foo_article, "%s in the guest printed:\n%s", models[i], got);
        free(got);
    }
    char *guest = slurp(path_in(tmp, "guest.txt"), NULL);
    cr_assert_not_null(guest, "guest.txt did not come back");
    cr_expect(strstr(guest, "guest_affinity_cpus: 1\n") != NULL, "guest.txt:\n%s", guest);
    cr_expect(strstr(guest, "guest_online_cpus: 0\n") != NULL, "guest.txt:\n%s", guest);
    /* init's tuning (vm/tune.c): lo up for 127.0.0.x, and the fd ceiling
     * the C100K sweep needs, read back from the guest's kernel. */
    cr_expect(strstr(guest, "guest_lo: up") != NULL, "guest.txt:\n%s", guest);
    cr_expect(strstr(guest, "guest_fs.nr_open: 1048576\n") != NULL, "guest.txt:\n%s", guest);
    cr_expect(strstr(guest, "guest_rlimit_nofile: 1048576\n") != NULL, "guest.txt:\n%s", guest);
    free(guest);
    char *env = slurp(path_in(tmp, "env.txt"), NULL);
    cr_assert_not_null(env);
    cr_expect(strstr(env, "vm_vcpus: 1\n") != NULL, "env.txt:\n%s", env);
    cr_expect(strstr(env, "vm_accel: ") != NULL, "env.txt:\n%s", env);
    free(env);
    free(err);
}
