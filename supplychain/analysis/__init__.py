"""Flagger's canary analysis, reproduced offline: the Canary model, Go durations, Flagger's query rendering
(a Go text/template engine), Prometheus reads, the tick-by-tick replay of its scheduler, the sweep and plots."""
