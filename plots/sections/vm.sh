# shellcheck shell=bash disable=SC2154 # data, dir, pd, AWK_FMT: set by report.sh
# vm.sh - the report's host vs guest section (sourced by plots/report.sh).
# A guest run (where: vmN) is compared with the newest host run among the
# folders next to it (results/ for make bench), a host run with the newest
# guest run; silent when there is no counterpart.

# counterpart_dir: the newest results folder of the other side, or nothing.
counterpart_dir() {
    local where pattern d
    where=$(envval where)
    case "$where" in
    vm*) pattern='*-host' ;;
    host) pattern='*-vm*' ;;
    *) return 0 ;;
    esac
    local real_self
    real_self=$(cd -P "$dir" && pwd)
    # Stamps sort by time: the first match with data, in reverse, is the newest.
    for d in $(ls -d "$(dirname "$real_self")"/$pattern 2>/dev/null | sort -r); do
        [ -r "$d/data.csv" ] || continue
        [ "$(cd -P "$d" && pwd)" = "$real_self" ] && continue
        echo "$d"
        return 0
    done
}

section_vm() {
    has pingpong ns_per_switch || return 0
    local other
    other=$(counterpart_dir)
    [ -n "$other" ] || return 0
    local host guest
    case "$(envval where)" in
    vm*) host=$other/data.csv; guest=$data ;;
    *) host=$data; guest=$other/data.csv ;;
    esac
    local gwhere gcpus gaccel
    gwhere=$(awk -F': ' '$1 == "where" { print $2; exit }' "$(dirname "$guest")/env.txt" 2>/dev/null)
    gcpus=$(awk -F': ' '$1 == "vm_vcpus" { print $2; exit }' "$(dirname "$guest")/env.txt" 2>/dev/null)
    gaccel=$(awk -F': ' '$1 == "vm_accel" { print $2; exit }' "$(dirname "$guest")/env.txt" 2>/dev/null)

    echo "## Host and guest side by side"
    echo
    echo "This compares the host run \`$(basename "$(dirname "$host")")\` with the guest run \`$(basename "$(dirname "$guest")")\` (${gwhere:-vm}, ${gcpus:-?} vCPU, accelerator ${gaccel:-?})."
    echo

    # One line per model/variant on one core: host and guest medians.
    awk -F, -v dat="$pd/hostvm.dat" '
        FNR == 1 { side++; next }
        $1 != "pingpong" || $6 != "ns_per_switch" || $4 ~ /\+/ || $4 == "-" { next }
        {
            k = $2 "/" $3
            if (!(k in seen)) { seen[k] = 1; order[++n] = k }
            lo = NF >= 10 ? $9 : $7; hi = NF >= 10 ? $10 : $7
            v[k, side] = $7 " " lo " " hi
        }
        END {
            print "# model/variant host_ns lo hi guest_ns lo hi" > dat
            for (i = 1; i <= n; i++) {
                k = order[i]
                print k, ((k, 1) in v) ? v[k, 1] : "? ? ?", ((k, 2) in v) ? v[k, 2] : "? ? ?" > dat
            }
        }' "$host" "$guest"
    if plot hostvm switch "floor=0; ttl='One switch on one core: host vs guest'; k1='host'; k2='guest'"; then
        figure hostvm "time per switch on one core, host next to guest, log scale."
    fi

    echo "| model | variant | host | guest | guest / host |"
    echo "| --- | --- | --- | --- | --- |"
    awk -F, "$AWK_FMT"'
        FNR == 1 { side++; next }
        $1 == "pingpong" && $6 == "ns_per_switch" && $4 !~ /\+/ && $4 != "-" {
            k = $2 "|" $3; if (!(k in seen)) { seen[k] = 1; order[++n] = k }; v[k, side] = $7
        }
        END {
            for (i = 1; i <= n; i++) {
                k = order[i]; split(k, f, "|")
                h = ((k, 1) in v) ? v[k, 1] : ""; g = ((k, 2) in v) ? v[k, 2] : ""
                r = (h > 0 && g > 0) ? sprintf("%.1f×", g / h) : "-"
                printf "| %s | %s | %s | %s | %s |\n", f[1], f[2], h == "" ? "-" : ns(h), g == "" ? "-" : ns(g), r
            }
        }' "$host" "$guest"
    echo

    if awk -F, 'FNR > 1 && $1 == "spawn" && $6 ~ /_per_unit$/ { f = 1 } END { exit !f }' "$host" "$guest"; then
        echo "| model | variant | user B/unit host | guest | kernel B/unit host | guest | create host | guest |"
        echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
        awk -F, "$AWK_FMT"'
            FNR == 1 { side++; next }
            $1 == "spawn" && $6 ~ /_per_unit$/ {
                k = $2 "|" $3; if (!(k in seen)) { seen[k] = 1; order[++n] = k }; v[k, $6, side] = $7
            }
            function b(k, m, s) { return ((k, m, s) in v) ? bytes(v[k, m, s]) : "-" }
            function t(k, m, s) { return ((k, m, s) in v) ? ns(v[k, m, s]) : "-" }
            END {
                for (i = 1; i <= n; i++) {
                    k = order[i]; split(k, f, "|")
                    printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2],
                        b(k, "user_bytes_per_unit", 1), b(k, "user_bytes_per_unit", 2),
                        b(k, "kernel_bytes_per_unit", 1), b(k, "kernel_bytes_per_unit", 2),
                        t(k, "create_ns_per_unit", 1), t(k, "create_ns_per_unit", 2)
                }
            }' "$host" "$guest"
        echo
    fi

    cat <<'EOF2'
What a virtual machine makes dearer depends on how it runs the guest.
Under KVM the guest's instructions run natively; what costs more is what
the hypervisor must step in for: timer interrupts, waking an idle vCPU,
some page-table work. Under TCG (QEMU's emulation, used when there is no
usable KVM) every guest instruction is translated, so everything is
slower, but not equally: a user-level task switch is a few plain
instructions and slows down by roughly the emulation's general factor,
while a system call, a page fault or a change of address space (a process
switch: new page tables, a flushed software TLB) each take the slow paths
of the emulated CPU and grow far more. Compare the ratios in the last
column: the further a switch goes into the kernel, the larger its ratio.
Memory per unit barely changes: a kernel stack is 16 KiB and a page table
a page on both sides; only the creation time, made of system calls and
page faults, grows with the emulation. On one vCPU the threads and
processes of foo still interleave (the guest kernel time-slices them),
while a single-worker runtime behaves exactly as on the host: see the
timelines above.

EOF2
}
