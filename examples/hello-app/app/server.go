package main

import (
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Buckets are the latency histogram's upper bounds in seconds, as the app fleet's simulated pods use.
var Buckets = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// App serves one version with its behaviour.
type App struct {
	Version   string
	Behaviour Behaviour
	requests  atomic.Uint64
	duration  *prometheus.HistogramVec
	registry  *prometheus.Registry
}

// NewApp returns the app for VERSION, with its own metrics registry.
func NewApp(version string) *App {
	app := &App{Version: version, Behaviour: BehaviourFor(version), registry: prometheus.NewRegistry()}
	app.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "Duration of the HTTP requests the app served, by method, path and status code.",
		Buckets: Buckets,
	}, []string{"method", "path", "status"})
	// Every series the app can produce on "/" exists from the first scrape, at zero. rate() needs two samples
	// of a series in its window: a series born with its first request (or its first error) is invisible to it
	// for a scrape or two, so a new pod's first check finds no values, and a bad version's errors are missed
	// while their series is new (the success rate then reads 100%).
	for _, status := range []string{"200", "500"} {
		app.duration.WithLabelValues(http.MethodGet, "/", status)
	}
	app.registry.MustRegister(app.duration)
	app.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return app
}

// Handler routes "/" (the app), /healthz (liveness), /readyz (readiness) and /metrics.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", a.instrument("/", http.HandlerFunc(a.serveRoot)))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !a.Behaviour.Ready {
			http.Error(w, "not ready: version "+a.Version+" never becomes ready", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	})
	mux.Handle("/metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{}))
	return mux
}

func (a *App) serveRoot(w http.ResponseWriter, r *http.Request) {
	b := a.Behaviour
	n := a.requests.Add(1)
	if b.Hang > 0 {
		select {
		case <-time.After(b.Hang):
		case <-r.Context().Done():
		}
		http.Error(w, "version "+a.Version+" hung", http.StatusGatewayTimeout)
		return
	}
	if b.Delay > 0 {
		select {
		case <-time.After(b.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if b.FailEvery > 0 && n%b.FailEvery == 0 {
		http.Error(w, "version "+a.Version+" failed this request", http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "hello from hello-app %s\n", a.Version)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// instrument observes each request's duration under PATH (a fixed route, not the raw URL path).
func (a *App) instrument(path string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		a.duration.WithLabelValues(r.Method, path, strconv.Itoa(rec.status)).Observe(time.Since(start).Seconds())
	})
}
