package model

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// Strings: scanning with a vectorized fast path, unescaping with
// encoding/json's replacement rules, and string members.

// The SWAR constants test eight string bytes at once.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special reports whether any byte of w is a control character, '"' or '\\'.
func special(w uint64) bool {
	ctl := (w - 0x20*lsb) &^ w
	q := w ^ '"'*lsb
	q = (q - lsb) &^ q
	b := w ^ '\\'*lsb
	b = (b - lsb) &^ b
	return (ctl|q|b)&msb != 0
}

// scanString consumes a JSON string starting at its opening quote and
// returns its raw content. simple reports that the content has no escapes
// and is valid UTF-8, so it is the string's value as it stands.
func (r *Reader) scanString() (raw []byte, simple bool, err error) {
	start := r.pos + 1
	data := r.data
	// Fast path: printable ASCII up to the next quote, without escapes.
	// IndexByte is vectorized; in (w-0x20)|w a byte's top bit is set iff
	// it or a lower byte of w is below 0x20 or at least 0x80.
	if q := bytes.IndexByte(data[start:], '"'); q >= 0 {
		raw = data[start : start+q]
		if bytes.IndexByte(raw, '\\') < 0 {
			var acc uint64
			p := raw[:len(raw):len(raw)]
			for len(p) >= 32 {
				w0 := binary.LittleEndian.Uint64(p)
				w1 := binary.LittleEndian.Uint64(p[8:])
				w2 := binary.LittleEndian.Uint64(p[16:])
				w3 := binary.LittleEndian.Uint64(p[24:])
				acc |= (w0 - 0x20*lsb) | w0 | (w1 - 0x20*lsb) | w1 |
					(w2 - 0x20*lsb) | w2 | (w3 - 0x20*lsb) | w3
				p = p[32:]
			}
			for len(p) >= 8 {
				w := binary.LittleEndian.Uint64(p)
				acc |= (w - 0x20*lsb) | w
				p = p[8:]
			}
			for _, c := range p {
				acc |= uint64(c-0x20) | uint64(c)
			}
			if acc&msb == 0 {
				r.pos = start + q + 1
				return raw, true, nil
			}
		}
	}
	i := start
	var high uint64
	escaped := false
	for {
		for i+8 <= len(data) {
			w := binary.LittleEndian.Uint64(data[i:])
			if special(w) {
				break
			}
			high |= w
			i += 8
		}
		if i >= len(data) {
			r.pos = i
			return nil, false, r.syntax()
		}
		c := data[i]
		switch {
		case c == '"':
			r.pos = i + 1
			raw = data[start:i]
			if escaped {
				return raw, false, nil
			}
			return raw, high&msb == 0 || utf8.Valid(raw), nil
		case c == '\\':
			escaped = true
			if i+1 >= len(data) {
				r.pos = i
				return nil, false, r.syntax()
			}
			switch data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(data) || hex4(data[i+2:i+6]) < 0 {
					r.pos = i
					return nil, false, r.syntax()
				}
				i += 6
			default:
				r.pos = i
				return nil, false, r.syntax()
			}
		case c < 0x20:
			r.pos = i
			return nil, false, r.syntax()
		default:
			high |= uint64(c)
			i++
		}
	}
}

// hex4 is the value of four hex digits, or -1.
func hex4(b []byte) rune {
	var v rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		v = v<<4 | rune(c)
	}
	return v
}

// unquote appends the value of raw string content already checked by
// scanString, as encoding/json does: escapes resolved, unpaired surrogates
// and invalid UTF-8 bytes replaced by U+FFFD.
func unquote(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '\\':
			switch raw[i+1] {
			case 'b':
				dst = append(dst, '\b')
			case 'f':
				dst = append(dst, '\f')
			case 'n':
				dst = append(dst, '\n')
			case 'r':
				dst = append(dst, '\r')
			case 't':
				dst = append(dst, '\t')
			case 'u':
				rr := hex4(raw[i+2:])
				i += 6
				if utf16.IsSurrogate(rr) {
					if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(raw[i+2:])); dec != utf8.RuneError {
							dst = utf8.AppendRune(dst, dec)
							i += 6
							continue
						}
					}
					rr = utf8.RuneError
				}
				dst = utf8.AppendRune(dst, rr)
				continue
			default: // '"', '\\', '/'
				dst = append(dst, raw[i+1])
			}
			i += 2
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			rr, size := utf8.DecodeRune(raw[i:])
			if rr == utf8.RuneError && size == 1 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			} else {
				dst = append(dst, raw[i:i+size]...)
			}
			i += size
		}
	}
	return dst
}

// readString reads a string value (not null).
func (r *Reader) readString() (string, error) {
	if r.peek() != '"' {
		return "", r.typeError()
	}
	raw, simple, err := r.scanString()
	if err != nil {
		return "", err
	}
	if simple {
		if r.str == "" {
			r.str = string(r.data)
		}
		end := r.pos - 1
		return r.str[end-len(raw) : end], nil
	}
	return string(unquote(make([]byte, 0, len(raw)), raw)), nil
}

// newString returns a pointer to a copy of s. Pointers come from chunks
// allocated together, as a request's strings live and die together.
func (r *Reader) newString(s string) *string {
	if len(r.strs) == cap(r.strs) {
		r.strs = make([]string, 0, min(2*cap(r.strs)+8, 64))
	}
	r.strs = append(r.strs, s)
	return &r.strs[len(r.strs)-1]
}

// stringPtr decodes an optional string member: null sets it to nil.
func (r *Reader) stringPtr(p **string) error {
	if r.null() {
		*p = nil
		return nil
	}
	s, err := r.readString()
	if err != nil {
		return err
	}
	*p = r.newString(s)
	return nil
}
