// Package peer is what every Go peer shares with the lab's C programs: the
// flags (bench/cli.h conventions), the one CSV schema (bench/measure.h),
// the watchdog and CPU pinning. Standard library only.
package peer

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Opts holds every flag a peer may take; Prog.Accepts says which ones a
// given program does.
type Opts struct {
	CSV     bool
	N       uint64
	Iters   uint64
	UnitMs  uint64
	Units   uint64 // 0: one unit per N
	Timeout uint64
	Cpus    string // as given ("0", "0,1"); "" when not pinned
	Mode    string // --mode, --fix or --variant; "" for the program's default
	Race    bool   // foo: start both at once
	Port    uint64 // server: the port (0: any free one)
	Addr    string // server: the address to listen on
}

// Defaults are the values most peers start from.
func Defaults() Opts {
	return Opts{N: 1000, Iters: 100000, UnitMs: 1, Timeout: 60}
}

// Prog is one peer program: its name, usage and the flags it takes.
type Prog struct {
	Name    string
	Usage   string
	Accepts []string // flags beyond --help, --csv, --timeout
	Modes   []string // choices of the one choice flag
}

// UsageError prints "prog: message" on stderr and exits 2.
func (p *Prog) UsageError(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", p.Name, fmt.Sprintf(format, a...))
	os.Exit(2)
}

// Fail prints "prog: message" on stderr and exits 1.
func (p *Prog) Fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", p.Name, fmt.Sprintf(format, a...))
	os.Exit(1)
}

func (p *Prog) accepts(flag string) bool {
	for _, a := range p.Accepts {
		if a == flag {
			return true
		}
	}
	return false
}

func (p *Prog) value(args []string, i int) string {
	if i+1 >= len(args) || args[i+1] == "" {
		p.UsageError("%s: needs a value", args[i])
	}
	return args[i+1]
}

func (p *Prog) number(args []string, i int) uint64 {
	v := p.value(args, i)
	x, err := strconv.ParseUint(v, 10, 64)
	if err != nil || strings.ContainsAny(v, "+- ") {
		p.UsageError("%s: expected a whole number, got '%s'", args[i], v)
	}
	if x == 0 && args[i] != "--timeout" && args[i] != "--port" {
		p.UsageError("%s: 0 is out of range", args[i])
	}
	return x
}

// Parse reads os.Args into d: --help prints the usage and exits 0, an
// unknown flag exits 2 naming it. Then it arms the watchdog and, with
// --cpus, re-executes the program under taskset so every thread the Go
// runtime starts is pinned too (and GOMAXPROCS follows the CPU count).
func (p *Prog) Parse(d Opts) Opts {
	args := os.Args
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--help":
			fmt.Print(p.Usage)
			os.Exit(0)
		case a == "--csv":
			d.CSV = true
		case a == "--timeout":
			d.Timeout = p.number(args, i)
			i++
		case !p.accepts(a):
			p.UsageError("unknown argument '%s' (try --help)", a)
		case a == "--cpus":
			d.Cpus = p.value(args, i)
			for _, c := range strings.Split(d.Cpus, ",") {
				if _, err := strconv.ParseUint(c, 10, 16); err != nil {
					p.UsageError("--cpus: expected CPU numbers like 0 or 0,1, got '%s'", d.Cpus)
				}
			}
			i++
		case a == "--mode" || a == "--fix" || a == "--variant":
			d.Mode = p.value(args, i)
			ok := false
			for _, m := range p.Modes {
				ok = ok || m == d.Mode
			}
			if !ok {
				p.UsageError("%s: '%s' is not one of %s", a, d.Mode, strings.Join(p.Modes, "|"))
			}
			i++
		case a == "--race":
			d.Race = true
		case a == "--port":
			d.Port = p.number(args, i)
			i++
		case a == "--addr":
			d.Addr = p.value(args, i)
			i++
		case a == "--n":
			d.N = p.number(args, i)
			i++
		case a == "--iters":
			d.Iters = p.number(args, i)
			i++
		case a == "--unit-ms":
			d.UnitMs = p.number(args, i)
			i++
		case a == "--units":
			d.Units = p.number(args, i)
			i++
		default:
			p.UsageError("unknown argument '%s' (try --help)", a)
		}
	}
	csv = d.CSV
	if d.Cpus != "" {
		p.pin(d.Cpus)
	}
	p.watchdog(d.Timeout)
	return d
}

// pin replaces this process by itself under `taskset -c cpus` (once: the
// new image finds YL_PEER_PINNED set to the same list and goes on).
func (p *Prog) pin(cpus string) {
	if os.Getenv("YL_PEER_PINNED") == cpus {
		return
	}
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		p.Fail("--cpus %s: taskset not found (util-linux)", cpus)
	}
	self, err := os.Executable()
	if err != nil {
		p.Fail("--cpus: %v", err)
	}
	argv := append([]string{"taskset", "-c", cpus, self}, os.Args[1:]...)
	env := append(os.Environ(), "YL_PEER_PINNED="+cpus)
	err = syscall.Exec(taskset, argv, env)
	p.Fail("--cpus %s: cannot run taskset: %v", cpus, err)
}

// watchdog exits 124 with "prog: timed out after S s" after sec seconds
// (0: never), as the C programs' cli_timeout does.
func (p *Prog) watchdog(sec uint64) {
	if sec == 0 {
		return
	}
	time.AfterFunc(time.Duration(sec)*time.Second, func() {
		fmt.Fprintf(os.Stderr, "%s: timed out after %d s\n", p.Name, sec)
		os.Exit(124)
	})
}

// Say writes one line to stdout with one write(2): os.Stdout is not
// buffered, so lines appear in the order of the calls, whole.
func Say(line string) {
	os.Stdout.WriteString(line + "\n")
}

// csv is set by Parse: story lines then go to stderr.
var csv bool

// Story writes a line of the program's own story (foo's lines, Hello): to
// stdout, or to stderr with --csv, where stdout carries only rows.
func Story(line string) {
	if csv {
		os.Stderr.WriteString(line + "\n")
	} else {
		Say(line)
	}
}

// FormatValue formats v as bench/csv.c does, but never with an exponent:
// integral values without a fraction, others with up to 10 significant
// digits.
func FormatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.Abs(v) < 1e15 && v == math.Trunc(v):
		return strconv.FormatInt(int64(v), 10)
	}
	prec := 9 - int(math.Floor(math.Log10(math.Abs(v))))
	if prec < 0 {
		prec = 0
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// Key is the columns before n, as struct csv_key in bench/measure.h.
type Key struct {
	Experiment, Variant, Cpus string
}

// NewKey names a measurement of model go; cpus as given to --cpus.
func NewKey(experiment, variant, cpus string) Key {
	c := strings.ReplaceAll(cpus, ",", "+")
	if c == "" {
		c = "-"
	}
	return Key{experiment, variant, c}
}

// Rows sends CSV to stdout (header once) and the human line to stderr
// with --csv; only the human line, to stdout, without.
type Rows struct {
	CSV    bool
	header bool
}

// Row emits one measurement.
func (r *Rows) Row(k Key, n uint64, metric string, value float64, unit string) {
	v := FormatValue(value)
	human := fmt.Sprintf("%s go/%s cpus=%s n=%d: %s = %s %s", k.Experiment, k.Variant, k.Cpus, n, metric, v, unit)
	if !r.CSV {
		Say(human)
		return
	}
	if !r.header {
		Say("experiment,model,variant,cpus,n,metric,value,unit")
		r.header = true
	}
	Say(fmt.Sprintf("%s,go,%s,%s,%d,%s,%s,%s", k.Experiment, k.Variant, k.Cpus, n, metric, v, unit))
	fmt.Fprintln(os.Stderr, human)
}

// Note writes a free-form summary line where the human lines go.
func (r *Rows) Note(line string) {
	if r.CSV {
		fmt.Fprintln(os.Stderr, line)
	} else {
		Say(line)
	}
}
