package message

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// receivedMail is what the test SMTP server recorded for one message.
type receivedMail struct {
	From, User, Pass string
	Rcpts            []string
	Data             string
	TLS              bool
}

// smtpServer is a small real SMTP server on 127.0.0.1: EHLO, STARTTLS,
// AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
type smtpServer struct {
	ln         net.Listener
	startTLS   *tls.Config // offered when set
	implicit   bool        // the listener speaks TLS
	user, pass string      // required when user is set
	rejectRcpt bool
	silent     bool // accept connections and never answer

	mu   sync.Mutex
	got  []receivedMail
	wg   sync.WaitGroup
	done chan struct{}
}

func selfSignedCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func (s *smtpServer) start(t *testing.T) {
	t.Helper()
	s.done = make(chan struct{})
	t.Cleanup(func() {
		close(s.done)
		s.ln.Close()
		s.wg.Wait()
	})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := s.ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				if s.silent {
					<-s.done
					return
				}
				s.serve(c)
			}()
		}
	}()
}

func (s *smtpServer) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *smtpServer) mails() []receivedMail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]receivedMail(nil), s.got...)
}

func (s *smtpServer) serve(conn net.Conn) {
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second)) // a safety net, not an assertion
	r := bufio.NewReader(conn)
	reply := func(lines ...string) bool {
		_, err := io.WriteString(conn, strings.Join(lines, "\r\n")+"\r\n")
		return err == nil
	}
	cur := receivedMail{TLS: s.implicit}
	authed := false
	reply("220 test.local ESMTP ready")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			ext := []string{"250-test.local"}
			if s.startTLS != nil && !cur.TLS {
				ext = append(ext, "250-STARTTLS")
			}
			reply(append(ext, "250 AUTH PLAIN")...)
		case "HELO", "NOOP":
			reply("250 OK")
		case "STARTTLS":
			if s.startTLS == nil || cur.TLS {
				reply("502 not available")
				continue
			}
			reply("220 go ahead")
			tc := tls.Server(conn, s.startTLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, r, cur.TLS = tc, bufio.NewReader(tc), true
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if !strings.EqualFold(mech, "PLAIN") || err != nil || len(parts) != 3 {
				reply("501 bad AUTH")
				continue
			}
			cur.User, cur.Pass = parts[1], parts[2]
			if parts[1] != s.user || parts[2] != s.pass {
				reply("535 5.7.8 authentication failed")
				continue
			}
			authed = true
			reply("235 2.7.0 authenticated")
		case "MAIL":
			if s.user != "" && !authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			cur.From = strings.Trim(strings.TrimPrefix(strings.ToUpper(arg[:5]), "FROM:")+arg[5:], "<>")
			reply("250 OK")
		case "RCPT":
			if s.rejectRcpt {
				reply("550 5.1.1 no such user")
				continue
			}
			cur.Rcpts = append(cur.Rcpts, strings.Trim(arg[len("TO:"):], "<>"))
			reply("250 OK")
		case "DATA":
			reply("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data = b.String()
			s.mu.Lock()
			s.got = append(s.got, cur)
			s.mu.Unlock()
			reply("250 OK queued")
		case "RSET":
			reply("250 OK")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 unknown command")
		}
	}
}

func TestSMTPSender(t *testing.T) {
	cert := selfSignedCert(t)
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	clock := func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }
	email := Message{
		ID: "msg-1", PoolID: "us-east-1_X", Username: "jane", AttributeName: "email", Medium: Email,
		Destination: "jane@example.com", Subject: "Your verification code",
		Body: "Your verification code is 123456. ", Code: "123456",
	}
	html := email
	html.Subject = "Vérifiez votre adresse"
	html.Body = "<p>Votre code : <b>654321</b></p>"
	html.Code = "654321"

	tests := []struct {
		name    string
		server  *smtpServer
		cfg     SMTPConfig
		msg     Message
		wantErr string // substring; "" means success
		wantTLS bool
		wantCT  string
	}{
		{name: "starttls with auth", server: &smtpServer{startTLS: serverTLS, user: "smtpuser", pass: "s3cret"},
			cfg: SMTPConfig{Username: "smtpuser", Password: "s3cret", InsecureSkipVerify: true},
			msg: email, wantTLS: true, wantCT: "text/plain; charset=utf-8"},
		{name: "implicit tls", server: &smtpServer{implicit: true},
			cfg: SMTPConfig{TLS: SMTPTLS, InsecureSkipVerify: true}, msg: email, wantTLS: true, wantCT: "text/plain; charset=utf-8"},
		{name: "plain without tls", server: &smtpServer{},
			cfg: SMTPConfig{TLS: SMTPNoTLS}, msg: email, wantCT: "text/plain; charset=utf-8"},
		{name: "html body and encoded subject", server: &smtpServer{startTLS: serverTLS},
			cfg: SMTPConfig{InsecureSkipVerify: true}, msg: html, wantTLS: true, wantCT: "text/html; charset=utf-8"},
		{name: "recipient rejected", server: &smtpServer{rejectRcpt: true},
			cfg: SMTPConfig{TLS: SMTPNoTLS}, msg: email, wantErr: "RCPT TO"},
		{name: "wrong password", server: &smtpServer{startTLS: serverTLS, user: "smtpuser", pass: "s3cret"},
			cfg: SMTPConfig{Username: "smtpuser", Password: "nope", InsecureSkipVerify: true}, msg: email, wantErr: "AUTH"},
		{name: "starttls required but not offered", server: &smtpServer{},
			cfg: SMTPConfig{}, msg: email, wantErr: "STARTTLS"},
		{name: "self-signed certificate rejected", server: &smtpServer{startTLS: serverTLS},
			cfg: SMTPConfig{}, msg: email, wantErr: "certificate"},
		{name: "server never answers", server: &smtpServer{silent: true},
			cfg: SMTPConfig{TLS: SMTPNoTLS, Timeout: 300 * time.Millisecond}, msg: email, wantErr: "context deadline exceeded"},
		{name: "sms refused", server: &smtpServer{},
			cfg: SMTPConfig{TLS: SMTPNoTLS}, msg: Message{Medium: SMS, Destination: "+12065551212", Body: "x"}, wantErr: "cannot send SMS"},
		{name: "invalid recipient", server: &smtpServer{},
			cfg: SMTPConfig{TLS: SMTPNoTLS}, msg: Message{Medium: Email, Destination: "a@b.c\r\nBcc: x@y.z", Body: "x"}, wantErr: "invalid recipient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.server
			var err error
			if srv.implicit {
				srv.ln, err = tls.Listen("tcp", "127.0.0.1:0", serverTLS)
			} else {
				srv.ln, err = net.Listen("tcp", "127.0.0.1:0")
			}
			if err != nil {
				t.Fatal(err)
			}
			srv.start(t)
			cfg := tt.cfg
			cfg.Host, cfg.Port, cfg.From = "127.0.0.1", srv.port(), "Cognate <no-reply@cognate.test>"
			s, err := NewSMTPSender(cfg, clock)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), tt.msg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Send error = %v, want one containing %q", err, tt.wantErr)
				}
				if n := len(srv.mails()); n != 0 {
					t.Fatalf("server received %d messages, want 0", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.mails()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			checkMail(t, got[0], tt.msg, tt.wantCT)
			if got[0].TLS != tt.wantTLS {
				t.Errorf("TLS = %v, want %v", got[0].TLS, tt.wantTLS)
			}
			if cfg.Username != "" && (got[0].User != cfg.Username || got[0].Pass != cfg.Password) {
				t.Errorf("AUTH got %q/%q", got[0].User, got[0].Pass)
			}
		})
	}
}

func checkMail(t *testing.T, got receivedMail, m Message, wantCT string) {
	t.Helper()
	if got.From != "no-reply@cognate.test" {
		t.Errorf("MAIL FROM = %q", got.From)
	}
	if len(got.Rcpts) != 1 || got.Rcpts[0] != m.Destination {
		t.Errorf("RCPT TO = %q, want [%q]", got.Rcpts, m.Destination)
	}
	msg, err := mail.ReadMessage(strings.NewReader(got.Data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, got.Data)
	}
	h := msg.Header
	if to, err := mail.ParseAddress(h.Get("To")); err != nil || to.Address != m.Destination {
		t.Errorf("To = %q", h.Get("To"))
	}
	if from, err := mail.ParseAddress(h.Get("From")); err != nil || from.Address != "no-reply@cognate.test" || from.Name != "Cognate" {
		t.Errorf("From = %q", h.Get("From"))
	}
	for _, b := range []byte(h.Get("Subject")) {
		if b >= 0x80 {
			t.Errorf("Subject %q is not RFC 2047 encoded", h.Get("Subject"))
			break
		}
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("Subject = %q (%v), want %q", subject, err, m.Subject)
	}
	if d, err := h.Date(); err != nil || !d.Equal(time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("Date = %q", h.Get("Date"))
	}
	if got := h.Get("Message-Id"); got != "<"+m.ID+"@cognate.test>" {
		t.Errorf("Message-ID = %q", got)
	}
	if got := h.Get("Content-Type"); got != wantCT {
		t.Errorf("Content-Type = %q, want %q", got, wantCT)
	}
	if h.Get("MIME-Version") != "1.0" || h.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Errorf("MIME headers: %v", h)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), m.Code) || strings.TrimRight(string(body), "\r\n") != strings.TrimRight(m.Body, "\r\n") {
		t.Errorf("body = %q, want %q containing %q", body, m.Body, m.Code)
	}
}

func TestNewSMTPSenderRejectsBadConfig(t *testing.T) {
	now := time.Now
	tests := []struct {
		name string
		cfg  SMTPConfig
	}{
		{"no host", SMTPConfig{From: "a@b.c"}},
		{"bad from", SMTPConfig{Host: "h", From: "not an address"}},
		{"bad tls mode", SMTPConfig{Host: "h", From: "a@b.c", TLS: "ssl"}},
		{"bad port", SMTPConfig{Host: "h", From: "a@b.c", Port: 70000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewSMTPSender(tt.cfg, now); err == nil {
				t.Fatal("NewSMTPSender accepted a bad config")
			}
		})
	}
}
