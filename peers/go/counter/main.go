// counter (go) - N increments of one in-memory counter by goroutines on
// GOMAXPROCS=2 (one increment each, or N shared by --units U of them):
// the article's lost update, and its fix.
//
// none (the default) is `counter += 1` on a plain int: a load, an add and a store.
// Two goroutines running at the same moment on two threads both load the
// same value and one increment is lost; `go run -race` would call it a
// data race. With one increment per goroutine two of them must meet inside
// those few nanoseconds, so few updates are lost (often none at N=1000);
// --units 8 --n 1000000 keeps both threads incrementing at once and loses
// a large share. mutex holds a sync.Mutex around the increment and is
// exact; atomic uses atomic.AddInt64. (With GOMAXPROCS=1 none loses nothing
// in practice: a goroutine is preempted between increments, not inside
// one.)
package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"yieldlab/peers/go/peer"
)

const workers = 2

var prog = peer.Prog{
	Name: "counter",
	Usage: `usage: counter [--n N] [--units U] [--fix none|mutex|atomic] [--csv] [--timeout S]
Goroutines on GOMAXPROCS=2 make N increments of one in-memory counter.
  --n N        increments, one goroutine each (default 1000)
  --units U    U goroutines share the N increments instead
  --fix F      none (counter += 1: loses updates, default), mutex (sync.Mutex)
               or atomic (atomic.AddInt64)
  --csv        CSV rows on stdout, summary on stderr
  --timeout S  give up after S seconds (default 60)
Rows (n = N): expected, final, lost, elapsed_ms, units, workers.
`,
	Accepts: []string{"--n", "--units", "--fix", "--cpus"},
	Modes:   []string{"none", "mutex", "atomic"},
}

var (
	counter int64
	mu      sync.Mutex
)

func add(fix string, times uint64) {
	for i := uint64(0); i < times; i++ {
		switch fix {
		case "none":
			counter += 1
		case "mutex":
			mu.Lock()
			counter += 1
			mu.Unlock()
		default:
			atomic.AddInt64(&counter, 1)
		}
	}
}

func main() {
	o := prog.Parse(peer.Defaults())
	runtime.GOMAXPROCS(workers)
	fix := "none"
	if o.Mode != "" {
		fix = o.Mode
	}
	n, units := o.N, o.Units
	if units == 0 || units > n {
		units = n
	}
	rows := peer.Rows{CSV: o.CSV}
	var wg sync.WaitGroup
	t0 := time.Now()
	for u := uint64(0); u < units; u++ {
		share := n / units
		if u < n%units {
			share++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			add(fix, share)
		}()
	}
	wg.Wait()
	ms := float64(time.Since(t0).Nanoseconds()) / 1e6
	k := peer.NewKey("counter", fix, o.Cpus)
	rows.Row(k, n, "expected", float64(n), "count")
	rows.Row(k, n, "final", float64(counter), "count")
	rows.Row(k, n, "lost", float64(n)-float64(counter), "count")
	rows.Row(k, n, "elapsed_ms", ms, "ms")
	rows.Row(k, n, "units", float64(units), "count")
	rows.Row(k, n, "workers", workers, "count")
}
