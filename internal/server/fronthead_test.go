package server

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"
)

func TestParseHead(t *testing.T) {
	t.Parallel()
	const ok = "POST / HTTP/1.1\r\nHost: h:1\r\nX-Amz-Target: T.Op\r\nUser-Agent: a/1\r\nContent-Length: 12\r\n\r\n"
	for _, tc := range []struct {
		in   string
		want headStatus
	}{
		{ok, headDone},
		{ok + "{}", headDone},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", headDone},
		{"POST / HT", headMore},
		{ok[:len(ok)-2], headMore},
		{"PUT / HTTP/1.1\r\n", headOther},
		{"POST /a HTTP/1.1\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h\r\n\r\n", headOther},                       // no length
		{"POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\n", headOther},             // no host
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", headOther}, // bad length
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h\r\nHost: i\r\nContent-Length: 1\r\n\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nAuthorization: AWS4\r\n\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nConnection: upgrade\r\n\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nX: a\x00b\r\n\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\nX: a\r\n\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nX: a\rb\r\n\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h\r\n Content-Length: 1\r\n\r\n", headOther},
		{"POST / HTTP/1.1\r\nHost: h/x\r\nContent-Length: 1\r\n\r\n", headOther},
	} {
		if _, _, st := parseHead([]byte(tc.in)); st != tc.want {
			t.Errorf("parseHead(%q) = %d, want %d", tc.in, st, tc.want)
		}
	}
	head, h, _ := parseHead([]byte(ok + "{}"))
	if string(head) != ok || string(h.target) != "T.Op" || string(h.userAgent) != "a/1" || h.contentLength != 12 || h.close {
		t.Errorf("parseHead(ok) = %q %+v", head, h)
	}
}

// FuzzParseHead holds parseHead to net/http: whatever it accepts, net/http
// reads as the same request.
func FuzzParseHead(f *testing.F) {
	f.Add([]byte("POST / HTTP/1.1\r\nHost: h:1\r\nX-Amz-Target: T.Op\r\nUser-Agent: a/1\r\nContent-Length: 2\r\n\r\n{}"))
	f.Add([]byte("POST / HTTP/1.1\r\nhost: [::1]:9229\r\ncontent-length: 007\r\nconnection: Close\r\nuser-agent: x\r\nuser-agent: y\r\n\r\n"))
	f.Add([]byte("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\t3 \r\nX-Amz-Target:\r\n\r\nabc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		head, h, st := parseHead(b)
		if st != headDone {
			return
		}
		if !bytes.HasPrefix(b, head) {
			t.Fatalf("head is not a prefix")
		}
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(head)))
		if err != nil {
			t.Fatalf("net/http rejects a head parseHead accepts: %v\n%q", err, head)
		}
		if r.Method != http.MethodPost || r.URL.Path != "/" || r.RequestURI != "/" || r.ProtoMajor != 1 || r.ProtoMinor != 1 {
			t.Fatalf("request line read differently: %s %s %s", r.Method, r.RequestURI, r.Proto)
		}
		if r.ContentLength != h.contentLength || len(r.TransferEncoding) != 0 {
			t.Fatalf("length %d (%v), parseHead %d", r.ContentLength, r.TransferEncoding, h.contentLength)
		}
		if r.Header.Get("X-Amz-Target") != string(h.target) || r.Header.Get("User-Agent") != string(h.userAgent) {
			t.Fatalf("headers read differently: %q %q vs %+v", r.Header.Get("X-Amz-Target"), r.Header.Get("User-Agent"), h)
		}
		if r.Close != h.close {
			t.Fatalf("Close = %v, parseHead %v", r.Close, h.close)
		}
		for _, k := range []string{"Origin", "Authorization", "Expect", "Upgrade"} {
			if _, ok := r.Header[k]; ok {
				t.Fatalf("accepted a head with %s", k)
			}
		}
	})
}

func BenchmarkParseHead(b *testing.B) {
	head := []byte("POST / HTTP/1.1\r\nHost: 127.0.0.1:9229\r\nX-Amz-Target: AWSCognitoIdentityProviderService.GetUser\r\n" +
		"Content-Type: application/x-amz-json-1.1\r\nUser-Agent: aws-sdk-go-v2/1.36.3 os/linux lang/go#1.26.8 md/GOOS#linux api/cognitoidentityprovider#1.53.1\r\n" +
		"Amz-Sdk-Invocation-Id: 0d3b6c5e-7d0b-4b8c-9a43-7c1a8a3c2b11\r\nAmz-Sdk-Request: attempt=1; max=3\r\nAccept-Encoding: identity\r\nContent-Length: 1100\r\n\r\n")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, st := parseHead(head); st != headDone {
			b.Fatal(st)
		}
	}
}
