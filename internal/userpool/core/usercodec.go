package core

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"time"
	"unsafe"
)

// User documents are decoded and re-encoded on every token-authorised
// request, so they are stored in a compact binary form rather than JSON
// (measured: JSON was the largest single cost inside the write
// transaction). Documents written as JSON by earlier versions are still
// read; every write uses the binary form.
//
// Layout (version 3): the version byte, then the userDoc fields in
// declaration order; Extra, the rarely used fields, is one byte string of
// JSON (empty for none). Version 2 lacks Extra, version 1 also
// FailedSignIns and LockedUntil; both are still read. Strings and byte strings are a uvarint length and the
// bytes; maps and lists a uvarint count and their entries; integers
// varints; times varint Unix nanoseconds (0 is the zero time); booleans
// one byte.
const (
	userDocV1 = 0x01
	userDocV2 = 0x02
	userDocV3 = 0x03
)

func encodeUserDoc(d *UserDoc) []byte {
	b := make([]byte, 0, 256+len(d.PasswordHash)+len(d.SRPVerifier))
	b = append(b, userDocV3)
	b = appendStringMap(b, d.Attributes)
	b = appendString(b, d.Status)
	b = appendBool(b, d.Enabled)
	b = appendString(b, d.PasswordHash)
	b = appendBytes(b, d.SRPSalt)
	b = appendString(b, d.SRPVerifier)
	b = appendTime(b, d.TempPasswordExpires)
	b = appendStringMap(b, d.Pending)
	b = binary.AppendUvarint(b, uint64(len(d.Codes)))
	for k, c := range d.Codes {
		b = appendString(b, k)
		b = appendBytes(b, c.MAC)
		b = appendTime(b, c.Expires)
		b = binary.AppendVarint(b, int64(c.Tries))
		b = appendString(b, c.Value)
	}
	b = binary.AppendUvarint(b, uint64(len(d.Sends)))
	for k, ts := range d.Sends {
		b = appendString(b, k)
		b = binary.AppendUvarint(b, uint64(len(ts)))
		for _, t := range ts {
			b = appendTime(b, t)
		}
	}
	b = binary.AppendVarint(b, d.RevokedBefore)
	b = binary.AppendUvarint(b, uint64(len(d.RevokedOrigins)))
	for k, v := range d.RevokedOrigins {
		b = appendString(b, k)
		b = binary.AppendVarint(b, v)
	}
	b = binary.AppendVarint(b, int64(d.FailedSignIns))
	b = appendTime(b, d.LockedUntil)
	var extra []byte
	if d.Extra != nil && !d.Extra.empty() {
		// UserExtra holds only strings, times and slices: it always encodes.
		extra, _ = json.Marshal(d.Extra)
	}
	return appendBytes(b, extra)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(b, 0)
	}
	return binary.AppendVarint(b, t.UnixNano())
}

func appendStringMap(b []byte, m map[string]string) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	for k, v := range m {
		b = appendString(b, k)
		b = appendString(b, v)
	}
	return b
}

var errUserDoc = errors.New("malformed user document")

// docReader reads the binary layout; the first error sticks.
type docReader struct {
	b   []byte
	err error
}

func (r *docReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errUserDoc
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *docReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errUserDoc
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length and rejects one larger than the bytes left, so a
// corrupt document cannot make the reader allocate without bound.
func (r *docReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errUserDoc
		return 0
	}
	return int(n)
}

func (r *docReader) bytes() []byte {
	n := r.count()
	if r.err != nil {
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// string returns the next string, sharing the document's memory (see
// decodeUserDoc).
func (r *docReader) string() string {
	b := r.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (r *docReader) bool() bool {
	if r.err != nil || len(r.b) == 0 {
		r.err = errUserDoc
		return false
	}
	v := r.b[0]
	r.b = r.b[1:]
	if v > 1 {
		r.err = errUserDoc
	}
	return v == 1
}

func (r *docReader) time() time.Time {
	ns := r.varint()
	if ns == 0 || ns == math.MinInt64 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

func (r *docReader) stringMap() map[string]string {
	n := r.count()
	if n == 0 || r.err != nil {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k := r.string()
		m[k] = r.string()
	}
	return m
}

// decodeUserDoc reads a user document, in the binary form or the older JSON
// one, into d. The strings of a binary document share memory with data,
// which therefore must never change afterwards: store records are never
// modified in place (see store.Tx), and decoding them is the hot path of
// every token operation.
func decodeUserDoc(data []byte, d *UserDoc) error {
	if len(data) > 0 && data[0] == '{' {
		return json.Unmarshal(data, d)
	}
	if len(data) == 0 || data[0] < userDocV1 || data[0] > userDocV3 {
		return errUserDoc
	}
	r := &docReader{b: data[1:]}
	d.Attributes = r.stringMap()
	d.Status = r.string()
	d.Enabled = r.bool()
	d.PasswordHash = r.string()
	if salt := r.bytes(); len(salt) > 0 {
		d.SRPSalt = append([]byte(nil), salt...)
	}
	d.SRPVerifier = r.string()
	d.TempPasswordExpires = r.time()
	d.Pending = r.stringMap()
	if n := r.count(); n > 0 {
		d.Codes = make(map[string]*CodeDoc, n)
		for range n {
			k := r.string()
			c := &CodeDoc{MAC: append([]byte(nil), r.bytes()...), Expires: r.time(), Tries: int(r.varint()), Value: r.string()}
			d.Codes[k] = c
		}
	}
	if n := r.count(); n > 0 {
		d.Sends = make(map[string][]time.Time, n)
		for range n {
			k := r.string()
			m := r.count()
			ts := make([]time.Time, 0, m)
			for range m {
				ts = append(ts, r.time())
			}
			d.Sends[k] = ts
		}
	}
	d.RevokedBefore = r.varint()
	if n := r.count(); n > 0 {
		d.RevokedOrigins = make(map[string]int64, n)
		for range n {
			k := r.string()
			d.RevokedOrigins[k] = r.varint()
		}
	}
	if data[0] >= userDocV2 {
		d.FailedSignIns = int(r.varint())
		d.LockedUntil = r.time()
	}
	if data[0] >= userDocV3 {
		if extra := r.bytes(); len(extra) > 0 && r.err == nil {
			d.Extra = &UserExtra{}
			if err := json.Unmarshal(extra, d.Extra); err != nil {
				return errUserDoc
			}
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = errUserDoc
	}
	return r.err
}
