package obs

import (
	"crypto/subtle"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the server's Prometheus collectors in their own registry.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	commits  prometheus.Histogram
	batch    prometheus.Histogram
	outbox   prometheus.Counter
	triggers *prometheus.CounterVec
	ops      sync.Map // operation → *opMetrics
}

// opMetrics are one operation's children of the request metrics, looked
// up once: label hashing on every request would cost more than the rest.
type opMetrics struct {
	ok  prometheus.Counter
	dur prometheus.Observer
}

func (m *Metrics) op(name string) *opMetrics {
	if v, ok := m.ops.Load(name); ok {
		return v.(*opMetrics)
	}
	om := &opMetrics{ok: m.requests.WithLabelValues(name, ""), dur: m.latency.WithLabelValues(name)}
	v, _ := m.ops.LoadOrStore(name, om)
	return v.(*opMetrics)
}

// NewMetrics returns the collectors, registered with Go runtime and
// process metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognate_requests_total",
			Help: "API requests by operation and error type (\"\" for success).",
		}, []string{"operation", "error_type"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cognate_request_duration_seconds",
			Help:    "Time to answer an API request, by operation.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"operation"}),
		commits: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "cognate_store_commit_duration_seconds",
			Help:    "Time to commit one write transaction, sync included.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "cognate_store_commit_batch_size",
			Help:    "Updates committed together in one transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
		}),
		outbox: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cognate_outbox_delivery_failures_total",
			Help: "Verification messages whose delivery attempt failed.",
		}),
		triggers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cognate_trigger_invocations_total",
			Help: "Lambda trigger invocations by trigger and outcome (ok, function_error, invoke_error, invalid_response).",
		}, []string{"trigger", "outcome"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.commits, m.batch, m.outbox, m.triggers,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Request records one answered API request.
func (m *Metrics) Request(op, errType string, d time.Duration) {
	if op == "" {
		op = "unknown"
	}
	om := m.op(op)
	om.dur.Observe(d.Seconds())
	if errType == "" {
		om.ok.Inc()
		return
	}
	m.requests.WithLabelValues(op, errType).Inc()
}

// Commit records one committed write transaction of n updates.
func (m *Metrics) Commit(d time.Duration, n int) {
	m.commits.Observe(d.Seconds())
	m.batch.Observe(float64(n))
}

// OutboxFailure records a failed delivery attempt.
func (m *Metrics) OutboxFailure() { m.outbox.Inc() }

// Trigger records a Lambda trigger invocation's outcome.
func (m *Metrics) Trigger(trigger, outcome string) {
	m.triggers.WithLabelValues(trigger, outcome).Inc()
}

// Handler serves the metrics in the Prometheus text format. With a user
// set (the admin access key id), it asks for HTTP basic authentication
// with that user and password (the admin secret key), so the metrics are
// locked whenever the admin API is.
func (m *Metrics) Handler(user, password string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if user == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(user)) != 1 || subtle.ConstantTimeCompare([]byte(p), []byte(password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="cognate metrics"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Authentication required"}`))
			return
		}
		h.ServeHTTP(w, r)
	})
}
