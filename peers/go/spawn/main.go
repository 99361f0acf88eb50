// spawn (go) - the peer side of bench's yl-peer-spawn: N goroutines alive
// at once, each sleeping on a long timer (peers/README.md, "spawn").
//
// It prints `base` and waits for a line (the harness's baseline
// snapshot), starts N goroutines, and prints `ready N CREATE_NS goroutine`
// once every one of them has started (each says so on a WaitGroup just
// before it blocks), then waits, all of them alive, until stdin reaches
// end of file. The gate matters: `go f()` only queues the goroutine, and
// with N in the millions the last ones start long after the loop ends.
// Each goroutine owns a stack (2 KiB to start, grown by copying when a
// call needs more) and a g record; --variant chan blocks on a channel
// instead of a timer (unit goroutine-chan), without the timer a sleep adds.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"yieldlab/peers/go/peer"
)

var prog = peer.Prog{
	Name: "spawn",
	Usage: `usage: spawn [--n N] [--variant sleep|chan] [--cpus LIST] [--timeout S]
The peer side of yl-peer-spawn: prints "base", waits for a line on stdin, starts
N goroutines, each in a 60 s time.Sleep, prints "ready N CREATE_NS goroutine"
once all N are alive, exits 0 at end of stdin.
  --n N         goroutines (default 1000)
  --variant V   sleep (default) or chan (each blocked receiving from a channel
                nobody sends on; unit goroutine-chan)
  --cpus LIST   pin the process to these CPUs (re-executed under taskset)
  --timeout S   give up after S seconds (default 60)
`,
	Accepts: []string{"--n", "--variant", "--cpus"},
	Modes:   []string{"sleep", "chan"},
}

func main() {
	o := prog.Parse(peer.Defaults())
	timer := o.Mode != "chan"
	n := o.N
	in := bufio.NewReader(os.Stdin)
	peer.Say("base")
	if _, err := in.ReadString('\n'); err != nil {
		os.Exit(0) // the harness went away before the baseline
	}
	never := make(chan struct{})
	var alive sync.WaitGroup
	alive.Add(int(n))
	t0 := time.Now()
	for i := uint64(0); i < n; i++ {
		go func() {
			alive.Done()
			if timer {
				time.Sleep(60 * time.Second)
			} else {
				<-never
			}
		}()
	}
	alive.Wait()
	unit := "goroutine"
	if !timer {
		unit = "goroutine-chan"
	}
	peer.Say(fmt.Sprintf("ready %d %d %s", n, time.Since(t0).Nanoseconds(), unit))
	if _, err := io.Copy(io.Discard, in); err != nil {
		prog.Fail("stdin: %v", err)
	}
	os.Exit(0)
}
