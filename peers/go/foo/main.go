// foo (go) - the article's foo1/foo2/bar as goroutines.
//
// Go has no single-worker mode to lean on: goroutines run on GOMAXPROCS
// threads (one per usable CPU), so foo1 and foo2 really run in parallel,
// and even with GOMAXPROCS=1 the scheduler runs the goroutine made last
// first (it goes to the "runnext" slot, ahead of the run queue). So
// nothing but the program fixes who prints "start" first: main starts
// foo1, waits until foo1 reaches its first sleep (the started channel),
// then starts foo2, as threads/foo.c does. After that the sleeps alone
// set the order. A WaitGroup keeps main alive until both end: when main
// returns, a Go program exits, running goroutines or not.
// --race starts both at once; run it a few times and the first lines can
// swap (under `--cpus 0`, GOMAXPROCS=1, foo2 starts first every time).
// --csv: the lines go to stderr, and stdout gets the rows (article_order
// 1 when the eight lines came in the article's order, lines, elapsed_ms).
package main

import (
	"strings"
	"sync"
	"time"

	"yieldlab/peers/go/peer"
)

var prog = peer.Prog{
	Name: "foo",
	Usage: `usage: foo [--unit-ms K] [--race] [--cpus LIST] [--csv] [--timeout S]
Runs the article's foo1/foo2/bar workload as goroutines.
  --unit-ms K   time unit: bar sleeps 2K ms, foo1 and foo2 sleep 3K ms (default 1)
  --race        start foo1 and foo2 at once, without waiting for foo1's first sleep
  --cpus LIST   run on these CPUs only (GOMAXPROCS follows: one CPU, one P)
  --csv         the lines on stderr; rows article_order, lines, elapsed_ms on stdout
  --timeout S   give up after S seconds (default 60)
`,
	Accepts: []string{"--unit-ms", "--race", "--cpus"},
}

var article = []string{"foo1 start", "bar start", "foo2 start", "bar end",
	"foo1 between", "foo2 between", "foo1 end", "foo2 end"}

var (
	saidMu sync.Mutex
	said   []string
)

// say is the article's print, noted for article_order.
func say(line string) {
	saidMu.Lock()
	defer saidMu.Unlock()
	peer.Story(line)
	said = append(said, line)
}

var unit time.Duration

// started is closed at foo1's first sleep; nil once closed.
var started chan struct{}

func sleep(units time.Duration) {
	if started != nil {
		close(started)
		started = nil
	}
	time.Sleep(units * unit)
}

func bar() {
	say("bar start")
	sleep(2)
	say("bar end")
}

func foo1(wg *sync.WaitGroup) {
	defer wg.Done()
	say("foo1 start")
	bar()
	say("foo1 between")
	sleep(3)
	say("foo1 end")
}

func foo2(wg *sync.WaitGroup) {
	defer wg.Done()
	say("foo2 start")
	time.Sleep(3 * unit)
	say("foo2 between")
	time.Sleep(3 * unit)
	say("foo2 end")
}

func main() {
	o := prog.Parse(peer.Opts{UnitMs: 1, Timeout: 60})
	unit = time.Duration(o.UnitMs) * time.Millisecond
	t0 := time.Now()
	var wg sync.WaitGroup
	wg.Add(2)
	gate := make(chan struct{})
	if !o.Race {
		started = gate
	} else {
		close(gate)
	}
	go foo1(&wg)
	<-gate
	go foo2(&wg)
	wg.Wait()
	if !o.CSV {
		return
	}
	inOrder := 0.0
	if strings.Join(said, "\n") == strings.Join(article, "\n") {
		inOrder = 1
	}
	k := peer.NewKey("foo", "waitgroup", o.Cpus)
	rows := peer.Rows{CSV: true}
	rows.Row(k, 8, "article_order", inOrder, "bool")
	rows.Row(k, 8, "lines", float64(len(said)), "count")
	rows.Row(k, 8, "elapsed_ms", float64(time.Since(t0).Nanoseconds())/1e6, "ms")
}
