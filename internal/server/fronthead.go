package server

import (
	"bufio"
	"bytes"
)

// directHead is what Front needs from the head of a request it answers
// itself.
type directHead struct {
	target        []byte // X-Amz-Target; slices of the head
	userAgent     []byte
	contentLength int64
	close         bool // Connection: close
}

type headStatus int

const (
	headMore  headStatus = iota // the head is not complete yet
	headDone                    // a complete head for the narrow path
	headOther                   // for net/http
)

// requestLine is the only request line Front answers itself.
var requestLine = []byte("POST / HTTP/1.1\r\n")

// bufferedHead parses the head the buffer holds. A nil head with complete
// set means the request is for net/http (nothing was consumed, so it can
// read the request again); complete is false when the buffer holds only
// part of a head.
func bufferedHead(br *bufio.Reader) (head []byte, h directHead, complete bool) {
	buf, _ := br.Peek(br.Buffered())
	head, h, st := parseHead(buf)
	switch st {
	case headDone:
		return head, h, true
	case headOther:
		return nil, directHead{}, true
	}
	if br.Buffered() >= br.Size() {
		return nil, directHead{}, true // larger heads go to net/http
	}
	return nil, directHead{}, false
}

// readHead reads until the buffer holds a complete head and returns it
// (not consumed) with its fields, as bufferedHead does.
func readHead(br *bufio.Reader) ([]byte, directHead, error) {
	for {
		if head, h, complete := bufferedHead(br); complete {
			return head, h, nil
		}
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			return nil, directHead{}, err
		}
	}
}

// parseHead parses the head at the start of b. It accepts only what it can
// answer exactly as net/http would: the request line above, CRLF line
// ends, header names of token characters, values without control
// characters, exactly one Host and one Content-Length, at most one
// X-Amz-Target and Connection (keep-alive or close), and none of the
// headers that change how a request is read or answered (Transfer-Encoding,
// Expect, Upgrade, Authorization, Origin, …). Anything else is headOther.
func parseHead(b []byte) ([]byte, directHead, headStatus) {
	var h directHead
	if len(b) < len(requestLine) {
		if !bytes.HasPrefix(requestLine, b) {
			return nil, h, headOther
		}
		return nil, h, headMore
	}
	if !bytes.HasPrefix(b, requestLine) {
		return nil, h, headOther
	}
	var host, length, target, conn, agent bool
	i := len(requestLine)
	for {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			return nil, h, headMore
		}
		line := b[i : i+j]
		i += j + 1
		if len(line) == 0 || line[len(line)-1] != '\r' {
			return nil, h, headOther // a bare LF
		}
		line = line[:len(line)-1]
		if len(line) == 0 {
			if !host || !length {
				return nil, h, headOther
			}
			return b[:i], h, headDone
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return nil, h, headOther
		}
		name, value := line[:colon], trimOWS(line[colon+1:])
		for _, c := range name {
			if !isTokenChar(c) {
				return nil, h, headOther
			}
		}
		for _, c := range value {
			if (c < 0x20 && c != '\t') || c == 0x7f {
				return nil, h, headOther
			}
		}
		switch {
		case equalFold(name, "content-length"):
			n, ok := parseLength(value)
			if length || !ok {
				return nil, h, headOther
			}
			h.contentLength, length = n, true
		case equalFold(name, "host"):
			if host || !validHost(value) {
				return nil, h, headOther
			}
			host = true
		case equalFold(name, "x-amz-target"):
			if target {
				return nil, h, headOther
			}
			h.target, target = value, true
		case equalFold(name, "user-agent"):
			if !agent {
				h.userAgent, agent = value, true
			}
		case equalFold(name, "connection"):
			if conn {
				return nil, h, headOther
			}
			conn = true
			switch {
			case equalFold(value, "close"):
				h.close = true
			case equalFold(value, "keep-alive"):
			default:
				return nil, h, headOther
			}
		case equalFold(name, "transfer-encoding"), equalFold(name, "expect"),
			equalFold(name, "upgrade"), equalFold(name, "authorization"),
			equalFold(name, "origin"), equalFold(name, "trailer"),
			equalFold(name, "te"), equalFold(name, "content-encoding"):
			return nil, h, headOther
		}
	}
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// parseLength accepts 1 to 18 decimal digits.
func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// validHost accepts a non-empty host[:port] of letters, digits and
// . - _ : [ ] (names, IPv4 and bracketed IPv6).
func validHost(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '-', c == '_', c == ':', c == '[', c == ']':
		default:
			return false
		}
	}
	return true
}

// equalFold compares ASCII b with lower-case s, ignoring case.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// isTokenChar reports whether c may appear in a header name (RFC 9110
// token).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}
