// Command hello-app is the sample app of examples/hello-app: an HTTP server whose version (env
// APP_VERSION) decides how it behaves, exporting http_request_duration_seconds for Prometheus.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// BuildVersion is the build of the binary (set with -ldflags), not the app version it serves.
var BuildVersion = "dev"

func main() {
	showVersion := flag.Bool("version", false, "print the build and the behaviour table, then exit")
	listen := flag.String("listen", "", "address to listen on (default :$APP_PORT, APP_PORT defaulting to 8080)")
	flag.Parse()
	if *showVersion {
		fmt.Printf("hello-app %s\n", BuildVersion)
		for _, entry := range Behaviours {
			fmt.Printf("  APP_VERSION %s* -> %s\n", entry.Prefix, entry.Behaviour.Name)
		}
		fmt.Printf("  any other APP_VERSION -> %s\n", Good.Name)
		return
	}
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "hello-app: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	addr := *listen
	if addr == "" {
		port := os.Getenv("APP_PORT")
		if port == "" {
			port = "8080"
		}
		addr = ":" + port
	}
	version := os.Getenv("APP_VERSION")
	if version == "" {
		version = "unversioned"
	}
	if err := run(addr, version); err != nil {
		log.Printf("hello-app: %v", err)
		os.Exit(1)
	}
}

func run(addr, version string) error {
	app := NewApp(version)
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	server := &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 10 * time.Second}
	log.Printf("hello-app %s serving version %s (behaviour %s) on %s", BuildVersion, version, app.Behaviour.Name, listener.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- server.Serve(listener) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	log.Printf("hello-app: shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := server.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
