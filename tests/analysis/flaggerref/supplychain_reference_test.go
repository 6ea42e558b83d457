// Reference runs for supplychain's replay: Flagger's own advanceCanary, driven tick by tick.
//
// This file is added to a copy of the pinned Flagger module's pkg/controller (package controller, so it can
// use Flagger's deployment test fixture) by tests/analysis/test_flagger_reference.py. It reads scenarios from
// $SUPPLYCHAIN_REFERENCE_IN, runs each against fake Kubernetes and Flagger clients, answers metric queries
// and webhooks from the scenario's per-tick inputs, and writes the Canary status after every tick to
// $SUPPLYCHAIN_REFERENCE_OUT.
package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	flaggerv1 "github.com/fluxcd/flagger/pkg/apis/flagger/v1beta1"
	"github.com/fluxcd/flagger/pkg/metrics/observers"
)

type refTick struct {
	Metrics      map[string]*float64 `json:"metrics"`  // nil value: no values
	Webhooks     map[string]bool     `json:"webhooks"` // absent: pass (rollback hooks: do not signal)
	CanaryReady  *bool               `json:"canaryReady"`
	NotReadyFor  float64             `json:"notReadyFor"` // seconds the canary has been unavailable
	PrimaryReady *bool               `json:"primaryReady"`
	PrimaryFor   float64             `json:"primaryNotReadyFor"`
}

type refScenario struct {
	Name                    string                   `json:"name"`
	Provider                string                   `json:"provider"`
	ProgressDeadlineSeconds *int32                   `json:"progressDeadlineSeconds"`
	SkipAnalysis            bool                     `json:"skipAnalysis"`
	Analysis                flaggerv1.CanaryAnalysis `json:"analysis"`
	Ticks                   []refTick                `json:"ticks"`
}

type refStatus struct {
	Phase        string `json:"phase"`
	FailedChecks int    `json:"failedChecks"`
	Iterations   int    `json:"iterations"`
	CanaryWeight int    `json:"canaryWeight"`
}

type refInputs struct {
	mu   sync.Mutex
	tick refTick
}

func (r *refInputs) set(t refTick) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tick = t
}

func (r *refInputs) metric(name string) (*float64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.tick.Metrics[name]
	return v, ok
}

func (r *refInputs) hook(name string) (bool, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v, ok := r.tick.Webhooks[name]
	return v, ok
}

func TestSupplychainReference(t *testing.T) {
	in := os.Getenv("SUPPLYCHAIN_REFERENCE_IN")
	out := os.Getenv("SUPPLYCHAIN_REFERENCE_OUT")
	if in == "" || out == "" {
		t.Skip("SUPPLYCHAIN_REFERENCE_IN/OUT not set")
	}
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	var scenarios []refScenario
	if err := json.Unmarshal(data, &scenarios); err != nil {
		t.Fatal(err)
	}
	results := map[string][]refStatus{}
	for _, sc := range scenarios {
		results[sc.Name] = runReference(t, sc)
	}
	encoded, _ := json.MarshalIndent(results, "", "  ")
	if err := os.WriteFile(out, encoded, 0o644); err != nil {
		t.Fatal(err)
	}
}

func runReference(t *testing.T, sc refScenario) []refStatus {
	inputs := &refInputs{}
	prom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query := r.URL.Query().Get("query")
		if query == "vector(1)" {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}`)
			return
		}
		name := strings.TrimPrefix(query, "supplychain_reference_")
		scale := 1.0
		switch {
		case strings.Contains(query, "http_request_duration_seconds_count"):
			name = "request-success-rate"
		case strings.Contains(query, "http_request_duration_seconds_bucket"):
			name, scale = "request-duration", 0.001 // the kubernetes observer reads seconds
		}
		value, ok := inputs.metric(name)
		if !ok || value == nil {
			fmt.Fprint(w, `{"status":"success","data":{"resultType":"vector","result":[]}}`)
			return
		}
		text := strconv.FormatFloat(*value*scale, 'g', -1, 64)
		if math.IsNaN(*value) {
			text = "NaN"
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,%q]}]}}`, text)
	}))
	defer prom.Close()
	kinds := map[string]flaggerv1.HookType{}
	for _, h := range sc.Analysis.Webhooks {
		kinds[h.Name] = h.Type
	}
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		ok, given := inputs.hook(name)
		if !given {
			ok = kinds[name] != flaggerv1.RollbackHook
		}
		if ok {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer hooks.Close()

	cd := newDeploymentTestCanary()
	cd.Spec.Provider = sc.Provider
	cd.Spec.ProgressDeadlineSeconds = sc.ProgressDeadlineSeconds
	cd.Spec.SkipAnalysis = sc.SkipAnalysis
	analysis := sc.Analysis
	for i := range analysis.Webhooks {
		analysis.Webhooks[i].URL = hooks.URL + "/" + analysis.Webhooks[i].Name
		analysis.Webhooks[i].Timeout = "5s"
	}
	var templates []*flaggerv1.MetricTemplate
	for i := range analysis.Metrics {
		m := &analysis.Metrics[i]
		if m.TemplateRef == nil {
			continue
		}
		templates = append(templates, &flaggerv1.MetricTemplate{
			TypeMeta:   metav1.TypeMeta{APIVersion: flaggerv1.SchemeGroupVersion.String()},
			ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: m.TemplateRef.Name},
			Spec: flaggerv1.MetricTemplateSpec{
				Provider: flaggerv1.MetricTemplateProvider{Type: "prometheus", Address: prom.URL},
				Query:    "supplychain_reference_" + m.Name,
			},
		})
	}
	cd.Spec.Analysis = &analysis
	mocks := newDeploymentFixture(cd)
	factory, err := observers.NewFactory(prom.URL) // builtin and inline-query metrics
	if err != nil {
		t.Fatal(err)
	}
	mocks.ctrl.observerFactory = factory
	for _, tpl := range templates {
		if _, err := mocks.flaggerClient.FlaggerV1beta1().MetricTemplates("default").Create(context.TODO(), tpl, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		_ = mocks.ctrl.flaggerInformers.MetricInformer.Informer().GetIndexer().Add(tpl)
	}

	// initialise, then apply a new revision
	mocks.ctrl.advanceCanary("podinfo", "default")
	mocks.makePrimaryReady(t)
	mocks.ctrl.advanceCanary("podinfo", "default")
	if _, err := mocks.kubeClient.AppsV1().Deployments("default").Update(context.TODO(), newDeploymentTestDeploymentV2(), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}

	var statuses []refStatus
	for _, tick := range sc.Ticks {
		inputs.set(tick)
		if tick.PrimaryReady == nil || *tick.PrimaryReady {
			mocks.makePrimaryReady(t)
		} else {
			setNotReady(t, mocks, "podinfo-primary", tick.PrimaryFor)
		}
		if tick.CanaryReady == nil || *tick.CanaryReady {
			mocks.makeCanaryReady(t)
		} else {
			setNotReady(t, mocks, "podinfo", tick.NotReadyFor)
		}
		mocks.ctrl.advanceCanary("podinfo", "default")
		c, err := mocks.flaggerClient.FlaggerV1beta1().Canaries("default").Get(context.TODO(), "podinfo", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, refStatus{string(c.Status.Phase), c.Status.FailedChecks, c.Status.Iterations, c.Status.CanaryWeight})
		if c.Status.Phase == flaggerv1.CanaryPhaseSucceeded || c.Status.Phase == flaggerv1.CanaryPhaseFailed {
			break
		}
	}
	return statuses
}

// setNotReady makes a Deployment unavailable since `since` seconds ago (Flagger's progress deadline reads it).
func setNotReady(t *testing.T, f fixture, name string, since float64) {
	d, err := f.kubeClient.AppsV1().Deployments("default").Get(context.TODO(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d.Status = appsv1.DeploymentStatus{
		ObservedGeneration: d.Generation, Replicas: 1, UpdatedReplicas: 1, ReadyReplicas: 0, AvailableReplicas: 0,
		Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "ReplicaSetUpdated"},
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionFalse, Reason: "MinimumReplicasUnavailable",
				LastUpdateTime: metav1.NewTime(time.Now().Add(-time.Duration(since * float64(time.Second))))},
		},
	}
	if _, err := f.kubeClient.AppsV1().Deployments("default").Update(context.TODO(), d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}
