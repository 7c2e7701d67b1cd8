package model

import (
	"encoding/json"
	"strconv"
)

// maxDepth is encoding/json's nesting limit: 10000 nested arrays/objects
// are accepted, one more is a syntax error.
const maxDepth = 10000

// DecodeReason classifies a DecodeError.
type DecodeReason int

// Reasons of a DecodeError.
const (
	DecodeSyntax DecodeReason = iota // the body is not valid JSON
	DecodeType                       // a member holds a JSON value of the wrong type
	DecodeValue                      // a member's value is out of range or malformed (base64, timestamp)
)

// DecodeError is the error of Decode. It names the member but never holds
// any part of the input, which may be a password or a token.
type DecodeError struct {
	Reason DecodeReason
	Member string // dotted member path ("UserAttributes.Name"); "" for the body itself
	Offset int    // byte offset in the body where the problem was found
}

func (e *DecodeError) Error() string {
	switch {
	case e.Reason == DecodeSyntax:
		return "model: invalid JSON at offset " + strconv.Itoa(e.Offset)
	case e.Member == "":
		return "model: body must be a JSON object"
	case e.Reason == DecodeType:
		return "model: wrong JSON type for member " + e.Member
	default:
		return "model: invalid value for member " + e.Member
	}
}

// jsonDecoder is implemented by every generated structure shape.
type jsonDecoder interface {
	DecodeJSON(r *Reader) error
}

// Decode reads the JSON object in data into v, which must be a non-nil
// pointer to a generated structure shape. data must hold exactly one JSON
// object, optionally surrounded by JSON whitespace. data is not retained,
// but decoded strings share one copy of it, so keeping any of them keeps
// that copy alive (bodies are small and requests short-lived).
//
// Decoding follows encoding/json with the model's struct tags, except that
// member names match case-sensitively (as AWS does) and a top-level null is
// rejected: unknown members are ignored, null leaves a member nil, invalid
// UTF-8 in strings becomes U+FFFD, blobs are base64.
func Decode(data []byte, v any) error {
	d, ok := v.(jsonDecoder)
	if !ok {
		return &DecodeError{Reason: DecodeType}
	}
	r := Reader{data: data}
	r.ws()
	if r.pos >= len(r.data) || r.data[r.pos] != '{' {
		if r.pos < len(r.data) && r.validStart() && json.Valid(data) {
			return &DecodeError{Reason: DecodeType, Offset: r.pos}
		}
		return r.syntax()
	}
	err := d.DecodeJSON(&r)
	if err == nil {
		r.ws()
		if r.pos != len(r.data) {
			return r.syntax()
		}
		return nil
	}
	// encoding/json checks the syntax of the whole body first; a type
	// error is only reported for a body that is valid JSON.
	if de, ok := err.(*DecodeError); ok && de.Reason != DecodeSyntax && !json.Valid(data) {
		return &DecodeError{Reason: DecodeSyntax}
	}
	return err
}

// Reader is a strict JSON reader over a byte slice, used by the generated
// DecodeJSON methods. The zero value is not useful; see Decode.
type Reader struct {
	data  []byte
	pos   int
	depth int
	buf   []byte // scratch for object keys with escapes

	// str is data as a string, made on first use: strings without
	// escapes are substrings of it, so a body costs one copy instead of
	// one allocation per string.
	str  string
	strs []string // chunk that *string members point into
}

func (r *Reader) syntax() error { return &DecodeError{Reason: DecodeSyntax, Offset: r.pos} }

func (r *Reader) typeError() error {
	if r.validStart() {
		return &DecodeError{Reason: DecodeType, Offset: r.pos}
	}
	return r.syntax()
}

func (r *Reader) valueError() error { return &DecodeError{Reason: DecodeValue, Offset: r.pos} }

// inMember prefixes the member path of a type or value error with name.
func inMember(err error, name string) error {
	if de, ok := err.(*DecodeError); ok && de.Reason != DecodeSyntax {
		if de.Member == "" {
			de.Member = name
		} else {
			de.Member = name + "." + de.Member
		}
	}
	return err
}

// validStart reports whether the byte at pos can begin a JSON value.
func (r *Reader) validStart() bool {
	if r.pos >= len(r.data) {
		return false
	}
	switch c := r.data[r.pos]; c {
	case '{', '[', '"', 't', 'f', 'n', '-':
		return true
	default:
		return c >= '0' && c <= '9'
	}
}

// ws skips JSON whitespace.
func (r *Reader) ws() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, 0 at the end.
func (r *Reader) peek() byte {
	r.ws()
	if r.pos < len(r.data) {
		return r.data[r.pos]
	}
	return 0
}

// literal consumes lit at pos if present.
func (r *Reader) literal(lit string) bool {
	if len(r.data)-r.pos >= len(lit) && string(r.data[r.pos:r.pos+len(lit)]) == lit {
		r.pos += len(lit)
		return true
	}
	return false
}

// null consumes a null literal if one is next.
func (r *Reader) null() bool {
	return r.peek() == 'n' && r.literal("null")
}

// open consumes c ('{' or '[') and enters one nesting level.
func (r *Reader) open(c byte) error {
	if r.peek() != c {
		return r.typeError()
	}
	r.depth++
	if r.depth > maxDepth {
		return r.syntax()
	}
	r.pos++
	return nil
}

// beginObject consumes '{'; it is a type error for any other value.
func (r *Reader) beginObject() error { return r.open('{') }

// nextKey reads the next member name of the object being read, through its
// colon. ok is false after the closing brace. The key is only valid until
// the next call.
func (r *Reader) nextKey(first bool) (key []byte, ok bool, err error) {
	c := r.peek()
	if c == '}' {
		r.pos++
		r.depth--
		return nil, false, nil
	}
	if !first {
		if c != ',' {
			return nil, false, r.syntax()
		}
		r.pos++
		c = r.peek()
	}
	if c != '"' {
		return nil, false, r.syntax()
	}
	raw, simple, err := r.scanString()
	if err != nil {
		return nil, false, err
	}
	if simple {
		key = raw
	} else {
		r.buf = unquote(r.buf[:0], raw)
		key = r.buf
	}
	if r.peek() != ':' {
		return nil, false, r.syntax()
	}
	r.pos++
	return key, true, nil
}

// nextElem moves to the next element of the array being read; more is
// false after the closing bracket.
func (r *Reader) nextElem(first bool) (more bool, err error) {
	c := r.peek()
	if c == ']' && first {
		r.pos++
		r.depth--
		return false, nil
	}
	if first {
		return true, nil
	}
	switch c {
	case ']':
		r.pos++
		r.depth--
		return false, nil
	case ',':
		r.pos++
		return true, nil
	}
	return false, r.syntax()
}

// number consumes a JSON number and returns its text; it is a type error
// when another kind of value is next.
func (r *Reader) number() ([]byte, error) {
	c := r.peek()
	if c != '-' && (c < '0' || c > '9') {
		return nil, r.typeError()
	}
	start := r.pos
	data := r.data
	i := r.pos
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		i = digits(data, i)
	default:
		r.pos = i
		return nil, r.syntax()
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			r.pos = i
			return nil, r.syntax()
		}
		i = digits(data, i)
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			r.pos = i
			return nil, r.syntax()
		}
		i = digits(data, i)
	}
	r.pos = i
	return data[start:i], nil
}

func digits(data []byte, i int) int {
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	return i
}

// integer reads a JSON number as an integer in [lo, hi], with
// strconv.ParseInt's rules (no fraction, no exponent).
func (r *Reader) integer(lo, hi int64) (int64, error) {
	start := r.peekPos()
	num, err := r.number()
	if err != nil {
		return 0, err
	}
	n, perr := strconv.ParseInt(string(num), 10, 64)
	if perr != nil || n < lo || n > hi {
		r.pos = start
		return 0, r.typeError()
	}
	return n, nil
}

// peekPos is the offset of the next non-whitespace byte.
func (r *Reader) peekPos() int {
	r.ws()
	return r.pos
}

// skip consumes any one JSON value, checking its syntax.
func (r *Reader) skip() error {
	switch c := r.peek(); c {
	case '{':
		if err := r.open('{'); err != nil {
			return err
		}
		for first := true; ; first = false {
			_, ok, err := r.nextKey(first)
			if err != nil || !ok {
				return err
			}
			if err := r.skip(); err != nil {
				return err
			}
		}
	case '[':
		if err := r.open('['); err != nil {
			return err
		}
		for first := true; ; first = false {
			more, err := r.nextElem(first)
			if err != nil || !more {
				return err
			}
			if err := r.skip(); err != nil {
				return err
			}
		}
	case '"':
		_, _, err := r.scanString()
		return err
	case 't':
		if r.literal("true") {
			return nil
		}
	case 'f':
		if r.literal("false") {
			return nil
		}
	case 'n':
		if r.literal("null") {
			return nil
		}
	default:
		_, err := r.number()
		if err != nil {
			return r.syntax()
		}
		return nil
	}
	return r.syntax()
}
