package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

func get(t *testing.T, h http.Handler, path string) int {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code
}

// counts returns, per status code, how many "/" requests the histogram observed (codes never seen left out).
func counts(t *testing.T, app *App) map[string]uint64 {
	t.Helper()
	families, err := app.registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, family := range families {
		if family.GetName() != "http_request_duration_seconds" {
			continue
		}
		if family.GetType() != dto.MetricType_HISTOGRAM {
			t.Fatalf("http_request_duration_seconds is a %v, want a histogram", family.GetType())
		}
		for _, m := range family.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["method"] != "GET" || labels["path"] != "/" {
				t.Fatalf("unexpected labels %v", labels)
			}
			if n := m.GetHistogram().GetSampleCount(); n > 0 {
				out[labels["status"]] += n
			}
		}
	}
	return out
}

func TestBehaviourTable(t *testing.T) {
	cases := map[string]string{
		"1.0.0":                 "good",
		"good-version-17":       "good",
		"bad-version-17":        "bad",
		"bad-flagger-restart-3": "bad",
		"slow-9":                "slow",
		"never-ready-4":         "never-ready",
		"conformance-fails-5":   "conformance-fails",
		"webhook-timeout-6":     "webhook-timeout",
		"flagger-restart-7":     "good",
		"prefix-bad-":           "good",
		"":                      "good",
		"BAD-version-1":         "good",
		"conformance-fails":     "good",
	}
	for version, want := range cases {
		if got := BehaviourFor(version).Name; got != want {
			t.Errorf("BehaviourFor(%q) = %s, want %s", version, got, want)
		}
	}
}

func TestGoodVersionServesEveryRequest(t *testing.T) {
	app := NewApp("1.0.0")
	h := app.Handler()
	for i := 0; i < 50; i++ {
		if code := get(t, h, "/"); code != http.StatusOK {
			t.Fatalf("request %d: status %d", i, code)
		}
	}
	if got := counts(t, app); got["200"] != 50 || len(got) != 1 {
		t.Fatalf("histogram counts %v, want 50 x 200", got)
	}
	if code := get(t, h, "/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d", code)
	}
}

func TestBadVersionFailsAFifthOfRequests(t *testing.T) {
	app := NewApp("bad-version-1")
	h := app.Handler()
	for i := 0; i < 100; i++ {
		get(t, h, "/")
	}
	got := counts(t, app)
	if got["200"] != 80 || got["500"] != 20 {
		t.Fatalf("histogram counts %v, want 80 x 200 and 20 x 500", got)
	}
	if code := get(t, h, "/readyz"); code != http.StatusOK {
		t.Fatalf("a bad version is still ready, /readyz: %d", code)
	}
}

func TestConformanceFailingVersionFailsEveryRequest(t *testing.T) {
	app := NewApp("conformance-fails-1")
	h := app.Handler()
	for i := 0; i < 10; i++ {
		if code := get(t, h, "/"); code != http.StatusInternalServerError {
			t.Fatalf("request %d: status %d, want 500", i, code)
		}
	}
	if code := get(t, h, "/readyz"); code != http.StatusOK {
		t.Fatalf("/readyz: %d, want ready", code)
	}
}

func TestNeverReadyVersion(t *testing.T) {
	h := NewApp("never-ready-1").Handler()
	if code := get(t, h, "/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz: %d, want 503", code)
	}
	if code := get(t, h, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz: %d, want 200 (alive, only not ready)", code)
	}
	if code := get(t, h, "/"); code != http.StatusOK {
		t.Fatalf("/: %d", code)
	}
}

func TestSlowVersionIsObservedAboveTheLatencyLimit(t *testing.T) {
	app := NewApp("slow-1")
	start := time.Now()
	if code := get(t, app.Handler(), "/"); code != http.StatusOK {
		t.Fatalf("/: %d", code)
	}
	if elapsed := time.Since(start); elapsed < 800*time.Millisecond {
		t.Fatalf("served in %v, want at least 800ms", elapsed)
	}
	families, _ := app.registry.Gather()
	for _, family := range families {
		if family.GetName() == "http_request_duration_seconds" {
			h := family.GetMetric()[0].GetHistogram()
			for _, b := range h.GetBucket() {
				if b.GetUpperBound() == 0.5 && b.GetCumulativeCount() != 0 {
					t.Fatalf("a slow request fell in the 0.5s bucket")
				}
			}
			if h.GetSampleSum() < 0.8 {
				t.Fatalf("observed %vs, want >= 0.8s", h.GetSampleSum())
			}
			return
		}
	}
	t.Fatal("no histogram")
}

func TestHangingVersionHoldsTheRequestUntilTheClientLeaves(t *testing.T) {
	app := NewApp("webhook-timeout-1")
	server := httptest.NewServer(app.Handler())
	defer server.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, server.URL+"/", nil)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d, want the request to time out", resp.StatusCode)
	}
	if elapsed := time.Since(start); elapsed < 250*time.Millisecond {
		t.Fatalf("returned after %v", elapsed)
	}
}

func TestSeriesExistBeforeAnyRequest(t *testing.T) {
	h := NewApp("bad-3").Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`http_request_duration_seconds_count{method="GET",path="/",status="200"} 0`,
		`http_request_duration_seconds_count{method="GET",path="/",status="500"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s before the first request", want)
		}
	}
}

func TestMetricsEndpointExposesTheHistogram(t *testing.T) {
	app := NewApp("bad-2")
	h := app.Handler()
	for i := 0; i < 5; i++ {
		get(t, h, "/")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`http_request_duration_seconds_bucket{method="GET",path="/",status="200",le="0.005"}`,
		`http_request_duration_seconds_count{method="GET",path="/",status="500"} 1`,
		`http_request_duration_seconds_count{method="GET",path="/",status="200"} 4`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
