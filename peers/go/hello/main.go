// hello (go) - the article's say_hello, which in Go can only be eager.
//
// main starts a goroutine that sleeps one unit and prints "Hello", then
// sleeps two units itself and never waits for it. A `go` statement always
// starts the goroutine: Go has no lazy task, no future to forget, so the
// eager/lazy question does not arise and Hello is always printed (the one
// way to lose it is for main to return first: a Go program does not wait
// for its goroutines).
package main

import (
	"sync/atomic"
	"time"

	"yieldlab/peers/go/peer"
)

var prog = peer.Prog{
	Name: "hello",
	Usage: `usage: hello [--unit-ms K] [--csv] [--timeout S]
Starts a goroutine and never waits for it: it always runs and prints Hello
(variant always: a goroutine cannot be created without starting it).
  --unit-ms K   the goroutine sleeps K ms, main 2K ms (default 100)
  --csv         Hello on stderr; rows printed (1 or 0), elapsed_ms on stdout
  --timeout S   give up after S seconds (default 60)
`,
	Accepts: []string{"--unit-ms", "--cpus"},
}

func main() {
	o := prog.Parse(peer.Opts{UnitMs: 100, Timeout: 60})
	unit := time.Duration(o.UnitMs) * time.Millisecond
	t0 := time.Now()
	var printed atomic.Bool
	go func() {
		time.Sleep(unit)
		peer.Story("Hello")
		printed.Store(true)
	}()
	time.Sleep(2 * unit)
	yes := 0.0
	if printed.Load() {
		yes = 1
	}
	if !o.CSV {
		return
	}
	k := peer.NewKey("hello", "always", o.Cpus)
	rows := peer.Rows{CSV: true}
	rows.Row(k, 1, "printed", yes, "bool")
	rows.Row(k, 1, "elapsed_ms", float64(time.Since(t0).Nanoseconds())/1e6, "ms")
}
