package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestWireConn drives the load generator's HTTP client against net/http's
// server: fixed-length and chunked bodies, error statuses, a server that
// closes the connection, and the request it sends.
func TestWireConn(t *testing.T) {
	var dials atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if got := r.Header.Get("X-Amz-Target"); got != "Svc.Op" || r.Method != http.MethodPost ||
			r.Header.Get("Content-Type") != contentType {
			http.Error(w, "bad request line or headers: "+r.Method+" "+got, http.StatusTeapot)
			return
		}
		switch string(body) {
		case "chunked":
			w.Write([]byte(strings.Repeat("a", 100)))
			w.(http.Flusher).Flush()
			w.Write([]byte(strings.Repeat("b", 40000)))
		case "fail":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"NotAuthorizedException"}`))
		case "close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("{}"))
		default:
			w.Write([]byte("{}"))
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	wc, err := newWireConn(srv.URL, "Svc.Op")
	if err != nil {
		t.Fatal(err)
	}
	defer wc.close()
	for _, tc := range []struct {
		body, msg  string
		status, nb int
	}{
		{"x", "", 200, 2},
		{"chunked", "", 200, 40100},
		{"fail", `{"__type":"NotAuthorizedException"}`, 400, 35},
		{"y", "", 200, 2},
		{"close", "", 200, 2},
		{"z", "", 200, 2},
	} {
		status, msg, err := wc.do(ctx, []byte(tc.body))
		if err != nil || status != tc.status || msg != tc.msg || len(wc.body) != tc.nb {
			t.Errorf("%s: status %d msg %q err %v body %d bytes; want %d %q %d bytes", tc.body, status, msg, err, len(wc.body), tc.status, tc.msg, tc.nb)
		}
	}
	if dials.Load() != 2 {
		t.Errorf("%d connections, want 2 (one kept alive, one after the server closed it)", dials.Load())
	}
}
