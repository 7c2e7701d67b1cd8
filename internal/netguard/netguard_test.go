package netguard

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "1.1.1.1": true, "2606:4700:4700::1111": true, "52.94.236.248": true,
		"127.0.0.1": false, "127.8.0.1": false, "::1": false, "0.0.0.0": false, "::": false,
		"10.1.2.3": false, "172.16.0.1": false, "172.31.255.255": false, "192.168.1.1": false, "fd00::1": false,
		"169.254.169.254": false, "fe80::1": false, "100.64.0.1": false, "224.0.0.1": false, "ff02::1": false,
		"255.255.255.255": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "::ffff:8.8.8.8": true,
		"192.0.2.1": false, "2001:db8::1": false, "240.0.0.1": false, "fd00:ec2::254": false,
		"0.1.2.3": false, "::127.0.0.1": false, "::ffff:0:7f00:1": false, "2001:0:4136:e378::1": false,
		"100::1": false, "fec0::1": false, "2a00:1450:4001::1": true,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// TestClientRefusesLoopback: the guarded client cannot reach a server on
// the loopback address, by address or by a name that resolves to it; an
// ordinary client reaches the same server.
func TestClientRefusesLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) }))
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatalf("the unguarded client: %v", err)
	}
	res.Body.Close()
	c := Client(5 * time.Second)
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, u := range []string{srv.URL, "http://localhost" + port} {
		res, err := c.Get(u)
		if err == nil {
			res.Body.Close()
			t.Fatalf("the guarded client reached %s", u)
		}
		if !strings.Contains(err.Error(), "is not a public address") {
			t.Errorf("GET %s: %v, want the netguard refusal", u, err)
		}
	}
}
