package message

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"
)

// SMTP transport security modes (SMTPConfig.TLS).
const (
	SMTPStartTLS = "starttls"
	SMTPTLS      = "tls"
	SMTPNoTLS    = "none"
)

// DefaultSendTimeout bounds a send when neither the caller's context nor the
// sender's configuration says otherwise.
const DefaultSendTimeout = 10 * time.Second

// SMTPConfig configures an SMTPSender.
type SMTPConfig struct {
	Host string
	// Port defaults to 587 for starttls, 465 for tls and 25 for none.
	Port     int
	Username string // AUTH PLAIN when set
	Password string
	// From is the sender, "addr@example.com" or "Name <addr@example.com>".
	From string
	// TLS is "starttls" (default, required: a server that does not offer
	// STARTTLS is an error), "tls" (implicit TLS) or "none".
	TLS                string
	InsecureSkipVerify bool
	// Timeout bounds one send (connect to QUIT); default 10s.
	Timeout time.Duration
}

// SMTPSender sends email verification messages over SMTP. It refuses SMS.
type SMTPSender struct {
	cfg  SMTPConfig
	from *mail.Address
	now  func() time.Time
}

// NewSMTPSender checks cfg, fills its defaults and returns a sender whose
// Date headers come from now.
func NewSMTPSender(cfg SMTPConfig, now func() time.Time) (*SMTPSender, error) {
	if cfg.Host == "" {
		return nil, errors.New("message: smtp: host is required")
	}
	if now == nil {
		return nil, errors.New("message: smtp: clock is required")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("message: smtp: invalid from address %q: %w", cfg.From, err)
	}
	if cfg.TLS == "" {
		cfg.TLS = SMTPStartTLS
	}
	defaultPort := map[string]int{SMTPStartTLS: 587, SMTPTLS: 465, SMTPNoTLS: 25}[cfg.TLS]
	if defaultPort == 0 {
		return nil, fmt.Errorf("message: smtp: tls must be %q, %q or %q, not %q", SMTPStartTLS, SMTPTLS, SMTPNoTLS, cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = defaultPort
	}
	if cfg.Port < 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("message: smtp: invalid port %d", cfg.Port)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSendTimeout
	}
	return &SMTPSender{cfg: cfg, from: from, now: now}, nil
}

// Send delivers an email message through the SMTP server.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	if m.Medium != Email {
		return fmt.Errorf("message: smtp sender cannot send %s", m.Medium)
	}
	to, err := mail.ParseAddress(m.Destination)
	if err != nil {
		return fmt.Errorf("message: smtp: invalid recipient: %w", err)
	}
	data, err := s.compose(m, to)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.transmit(ctx, to.Address, data); err != nil {
		// The connection deadline and the context end together; report
		// either as the context's error.
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("message: smtp: %w (%w)", cerr, err)
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("message: smtp: %w (%w)", context.DeadlineExceeded, err)
		}
		return fmt.Errorf("message: smtp: %w", err)
	}
	return nil
}

func (s *SMTPSender) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.cfg.Host, InsecureSkipVerify: s.cfg.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
}

// transmit runs one SMTP session. The connection is closed when ctx ends,
// which unblocks any read or write in progress.
func (s *SMTPSender) transmit(ctx context.Context, rcpt string, data []byte) error {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	var conn net.Conn
	var err error
	if s.cfg.TLS == SMTPTLS {
		d := tls.Dialer{Config: s.tlsConfig()}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			return err
		}
	}

	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	if s.cfg.TLS == SMTPStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("server does not offer STARTTLS")
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.cfg.Username != "" {
		// PlainAuth refuses to send credentials in clear text except to
		// localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(rcpt); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}

// compose builds the RFC 5322 message: headers, then the body as
// quoted-printable UTF-8, HTML when it looks like HTML.
func (s *SMTPSender) compose(m Message, to *mail.Address) ([]byte, error) {
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	contentType := "text/plain"
	if LooksLikeHTML(m.Body) {
		contentType = "text/html"
	}
	header("From", s.from.String())
	header("To", (&mail.Address{Address: to.Address}).String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", s.now().Format(time.RFC1123Z))
	header("Message-ID", s.messageID(m))
	header("MIME-Version", "1.0")
	header("Content-Type", contentType+"; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(m.Body)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}

// messageID derives a unique Message-ID from the outbox ID (or, for a
// message without one, from its creation time and recipient).
func (s *SMTPSender) messageID(m Message) string {
	local := m.ID
	if local == "" || strings.ContainsAny(local, "<>@ \r\n") {
		sum := sha256.Sum256([]byte(m.ID + "\x00" + m.Destination + "\x00" + m.Created.String()))
		local = hex.EncodeToString(sum[:12])
	}
	domain := "cognate.local"
	if i := strings.LastIndexByte(s.from.Address, '@'); i >= 0 {
		domain = s.from.Address[i+1:]
	}
	return "<" + local + "@" + domain + ">"
}

// LooksLikeHTML reports whether an email body appears to be HTML, which
// Cognito allows in email templates.
func LooksLikeHTML(body string) bool {
	l := strings.ToLower(body)
	for _, tag := range []string{"<html", "<body", "<br", "<p>", "<p ", "<div", "<a ", "<table", "<span", "<b>", "<strong", "<h1", "<h2", "</"} {
		if strings.Contains(l, tag) {
			return true
		}
	}
	return false
}
