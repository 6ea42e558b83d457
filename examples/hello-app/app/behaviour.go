package main

import (
	"strings"
	"time"
)

// Behaviour is what one app version does to the requests it serves.
type Behaviour struct {
	// Name is the behaviour's keyword (good, bad, slow, never-ready, conformance-fails, webhook-timeout).
	Name string
	// FailEvery makes every n-th request to "/" answer 500 (0: none; 1: all).
	FailEvery uint64
	// Delay is added to every request to "/".
	Delay time.Duration
	// Hang holds each request to "/" this long, or until the client goes away, then answers 504.
	Hang time.Duration
	// Ready is what the readiness endpoint reports.
	Ready bool
}

// Good is the behaviour of every version without a behaviour prefix.
var Good = Behaviour{Name: "good", Ready: true}

// Behaviours maps a version prefix to the behaviour of the versions that carry it. The e2e scenarios
// roll out versions named after them (for example bad-version-1234).
var Behaviours = []struct {
	Prefix    string
	Behaviour Behaviour
}{
	// A share of 5xx: every fifth request fails, so the success rate is 80%.
	{"bad-", Behaviour{Name: "bad", FailEvery: 5, Ready: true}},
	// Slower than the canary's p99 limit (500 ms by default).
	{"slow-", Behaviour{Name: "slow", Delay: 800 * time.Millisecond, Ready: true}},
	// Serves, but its readiness probe never passes.
	{"never-ready-", Behaviour{Name: "never-ready", Ready: false}},
	// The conformance check (a curl of "/") fails: every request answers 500.
	{"conformance-fails-", Behaviour{Name: "conformance-fails", FailEvery: 1, Ready: true}},
	// The conformance check outlives the webhook's timeout.
	{"webhook-timeout-", Behaviour{Name: "webhook-timeout", Hang: 30 * time.Second, Ready: true}},
}

// BehaviourFor returns the behaviour of VERSION: the one whose prefix it starts with, else Good.
func BehaviourFor(version string) Behaviour {
	for _, entry := range Behaviours {
		if strings.HasPrefix(version, entry.Prefix) {
			return entry.Behaviour
		}
	}
	return Good
}
