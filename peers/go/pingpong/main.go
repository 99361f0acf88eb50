// pingpong (go) - two goroutines hand a token back and forth M times over
// unbuffered channels on one P (GOMAXPROCS=1); prints the cost of one
// switch.
//
// With one P a send on an unbuffered channel to a waiting receiver copies
// the token straight to it and makes it runnable; the sender goes on until
// it blocks on its own receive, and the scheduler runs the receiver: one
// goroutine switch per hand-off, in user space, on one thread. --cpus pins
// that thread (and the runtime's helpers) to a CPU.
package main

import (
	"runtime"
	"time"

	"yieldlab/peers/go/peer"
)

var prog = peer.Prog{
	Name: "pingpong",
	Usage: `usage: pingpong [--iters M] [--variant chan] [--cpus CPU] [--csv] [--timeout S]
Two goroutines hand a token back and forth M times over unbuffered channels,
GOMAXPROCS=1; prints the cost of one switch.
  --iters M       round trips (default 100000); each is 2 switches
  --variant chan  the only one: unbuffered channels
  --cpus CPU      pin the process to this CPU (re-executed under taskset)
  --csv           CSV rows on stdout, summary on stderr
  --timeout S     give up after S seconds (default 60)
Rows (n = M): ns_per_switch, switches (2M, the divisor), elapsed_ms.
`,
	Accepts: []string{"--iters", "--variant", "--cpus"},
	Modes:   []string{"chan"},
}

func main() {
	o := prog.Parse(peer.Defaults())
	runtime.GOMAXPROCS(1)
	m := o.Iters
	ping, pong := make(chan uint64), make(chan uint64)
	done := make(chan struct{})
	go func() {
		for t := range ping {
			pong <- t
		}
		close(done)
	}()
	t0 := time.Now()
	for i := uint64(0); i < m; i++ {
		ping <- i
		<-pong
	}
	ns := float64(time.Since(t0).Nanoseconds())
	close(ping)
	<-done
	k := peer.NewKey("pingpong", "chan", o.Cpus)
	rows := peer.Rows{CSV: o.CSV}
	rows.Row(k, m, "ns_per_switch", ns/float64(2*m), "ns")
	rows.Row(k, m, "switches", float64(2*m), "count")
	rows.Row(k, m, "elapsed_ms", ns/1e6, "ms")
}
