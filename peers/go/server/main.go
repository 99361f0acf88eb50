// server - Go's net/http serving the lab's /hello (the same status, type
// and body bytes as bench/http.c), the server a Go user would write: one
// goroutine per connection on the runtime's netpoller. Prints our
// listening line, stops cleanly on SIGTERM or SIGINT.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"yieldlab/peers/go/peer"
)

func main() {
	p := peer.Prog{
		Name: "server",
		Usage: "usage: server [--port N] [--addr A] [--cpus LIST] [--timeout S]\n" +
			"Go net/http answering GET /hello with \"hello\\n\", as the lab's servers do.\n",
		Accepts: []string{"--port", "--addr", "--cpus"},
	}
	d := peer.Defaults()
	d.Timeout = 0
	d.Addr = "127.0.0.1"
	o := p.Parse(d)
	ln, err := net.Listen("tcp", fmt.Sprintf("%s:%d", o.Addr, o.Port))
	if err != nil {
		p.Fail("cannot listen on %s:%d: %v", o.Addr, o.Port, err)
	}
	body := []byte("hello\n")
	mux := http.NewServeMux()
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "6")
		w.Write(body)
	})
	srv := &http.Server{Handler: mux}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		srv.Shutdown(context.Background())
	}()
	peer.Say(fmt.Sprintf("listening on %s:%d model=go variant=net/http workers=%d", o.Addr,
		ln.Addr().(*net.TCPAddr).Port, runtime.GOMAXPROCS(0)))
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		p.Fail("%v", err)
	}
}
