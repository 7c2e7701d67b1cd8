package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"time"
)

// wireConn is one keep-alive HTTP/1.1 connection driven by one worker.
// It writes each request in one syscall and parses just what a load
// generator needs of the response (status, Content-Length or chunked
// body), so that the generator costs the client's CPU little: Go's
// http.Client tops out near the rates being measured, on one core.
type wireConn struct {
	addr string // host:port
	head []byte // request line and headers up to "Content-Length: "
	conn net.Conn
	br   *bufio.Reader
	buf  []byte
	body []byte
}

func newWireConn(base, target string) (*wireConn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("the load generator speaks plain http only, not %q", u.Scheme)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	head := fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nX-Amz-Target: %s\r\nContent-Length: ",
		path, u.Host, contentType, target)
	return &wireConn{addr: addr, head: head}, nil
}

// do sends body and returns the response status and, unless it is 200,
// the start of the response body. A transport error closes the connection;
// the next call dials again.
func (w *wireConn) do(ctx context.Context, body []byte) (int, string, error) {
	status, err := w.roundTrip(ctx, body)
	if err != nil {
		w.close()
		return 0, "", err
	}
	if status != 200 {
		return status, string(w.body[:min(len(w.body), 512)]), nil
	}
	return status, "", nil
}

func (w *wireConn) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

func (w *wireConn) roundTrip(ctx context.Context, body []byte) (int, error) {
	if w.conn == nil {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", w.addr)
		if err != nil {
			return 0, err
		}
		w.conn, w.br = c, bufio.NewReaderSize(c, 16<<10)
	}
	if dl, ok := ctx.Deadline(); ok {
		w.conn.SetDeadline(dl)
	} else {
		w.conn.SetDeadline(time.Now().Add(time.Minute))
	}
	w.buf = append(w.buf[:0], w.head...)
	w.buf = strconv.AppendInt(w.buf, int64(len(body)), 10)
	w.buf = append(w.buf, "\r\n\r\n"...)
	w.buf = append(w.buf, body...)
	if _, err := w.conn.Write(w.buf); err != nil {
		return 0, err
	}
	return w.readResponse()
}

var errBadResponse = errors.New("malformed HTTP response")

// readResponse reads one response into w.body.
func (w *wireConn) readResponse() (int, error) {
	line, err := w.line()
	if err != nil {
		return 0, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, fmt.Errorf("%w: status line %q", errBadResponse, line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("%w: status line %q", errBadResponse, line)
	}
	length, chunked, closing := -1, false, false
	for {
		line, err := w.line()
		if err != nil {
			return 0, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, fmt.Errorf("%w: header %q", errBadResponse, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, fmt.Errorf("%w: Content-Length %q", errBadResponse, value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	w.body = w.body[:0]
	switch {
	case chunked:
		err = w.readChunked()
	case length >= 0:
		w.body = grow(w.body, length)
		_, err = io.ReadFull(w.br, w.body)
	default:
		return 0, fmt.Errorf("%w: neither Content-Length nor chunked", errBadResponse)
	}
	if err != nil {
		return 0, err
	}
	if closing {
		w.close()
	}
	return status, nil
}

func (w *wireConn) readChunked() error {
	for {
		line, err := w.line()
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseUint(string(bytes.TrimSpace(size)), 16, 31)
		if err != nil {
			return fmt.Errorf("%w: chunk size %q", errBadResponse, line)
		}
		if n == 0 {
			for { // trailers
				line, err := w.line()
				if err != nil || len(line) == 0 {
					return err
				}
			}
		}
		start := len(w.body)
		w.body = grow(w.body, start+int(n))
		if _, err := io.ReadFull(w.br, w.body[start:]); err != nil {
			return err
		}
		if line, err := w.line(); err != nil || len(line) != 0 {
			return fmt.Errorf("%w: chunk not followed by CRLF", errBadResponse)
		}
	}
}

// line reads one CRLF-terminated line, without the CRLF; valid until the
// next read.
func (w *wireConn) line() ([]byte, error) {
	line, err := w.br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%w: line longer than %d bytes", errBadResponse, w.br.Size())
		}
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

// grow returns b resized to n bytes, reusing its storage when it can.
func grow(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	nb := make([]byte, n, max(n, 2*cap(b)))
	copy(nb, b)
	return nb
}
