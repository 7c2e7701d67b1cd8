package model

import (
	"encoding/base64"
	"math"
	"strconv"
)

// The dec* functions decode one value into the value form of a type (a list
// element, a map value, or the target of a member pointer). As in
// encoding/json, null leaves a scalar or structure unchanged and sets a
// slice or map to nil; decodePtr turns null into a nil member.

// decodePtr decodes an optional member: null sets *p to nil, anything else
// is decoded into *p, allocated when nil (an existing value is decoded
// into, as encoding/json does for a repeated member).
func decodePtr[T any](r *Reader, p **T, elem func(*T, *Reader) error) error {
	if r.null() {
		*p = nil
		return nil
	}
	if *p == nil {
		*p = new(T)
	}
	return elem(*p, r)
}

// decodeList decodes a JSON array into *s with encoding/json's slice rules:
// elements are decoded into the existing backing array where it has room
// (so a repeated member merges into elements written before), the slice is
// truncated to the array's length, and [] gives an empty, non-nil slice.
// Capacity beyond what was ever written holds zero values, so the growth
// policy (unlike encoding/json's, it starts at 4) cannot change the result.
func decodeList[T any](r *Reader, s *[]T, elem func(*T, *Reader) error) error {
	if r.null() {
		*s = nil
		return nil
	}
	if err := r.open('['); err != nil {
		return err
	}
	list := *s
	i := 0
	for ; ; i++ {
		more, err := r.nextElem(i == 0)
		if err != nil {
			*s = list
			return err
		}
		if !more {
			break
		}
		if cap(list) == 0 {
			list = make([]T, 1, 4)
		} else if i >= cap(list) {
			var zero T
			list = append(list[:i], zero)
		} else if i >= len(list) {
			list = list[:i+1]
		}
		if err := elem(&list[i], r); err != nil {
			*s = list
			return err
		}
	}
	if i < len(list) {
		list = list[:i]
	}
	if i == 0 {
		list = []T{}
	}
	*s = list
	return nil
}

// decodeMap decodes a JSON object into *m; each value starts from zero and
// null values are stored as zero values, as encoding/json does.
func decodeMap[V any](r *Reader, m *map[string]V, elem func(*V, *Reader) error) error {
	if r.null() {
		*m = nil
		return nil
	}
	if err := r.open('{'); err != nil {
		return err
	}
	if *m == nil {
		*m = map[string]V{}
	}
	for first := true; ; first = false {
		key, ok, err := r.nextKey(first)
		if err != nil || !ok {
			return err
		}
		k := string(key)
		var v V
		if err := elem(&v, r); err != nil {
			return err
		}
		(*m)[k] = v
	}
}

func decString(p *string, r *Reader) error {
	if r.null() {
		return nil
	}
	s, err := r.readString()
	if err != nil {
		return err
	}
	*p = s
	return nil
}

func decBool(p *bool, r *Reader) error {
	switch r.peek() {
	case 'n':
		if r.literal("null") {
			return nil
		}
	case 't':
		if r.literal("true") {
			*p = true
			return nil
		}
	case 'f':
		if r.literal("false") {
			*p = false
			return nil
		}
	}
	return r.typeError()
}

func decInt32(p *int32, r *Reader) error {
	if r.null() {
		return nil
	}
	n, err := r.integer(math.MinInt32, math.MaxInt32)
	if err != nil {
		return err
	}
	*p = int32(n)
	return nil
}

func decInt64(p *int64, r *Reader) error {
	if r.null() {
		return nil
	}
	n, err := r.integer(math.MinInt64, math.MaxInt64)
	if err != nil {
		return err
	}
	*p = n
	return nil
}

// decNumber reads a JSON number (or null) and hands its text to set; a
// number set refuses is reported at the number's start with fail.
func decNumber(r *Reader, set func(num []byte) error, fail func() error) error {
	if r.null() {
		return nil
	}
	start := r.peekPos()
	num, err := r.number()
	if err != nil {
		return err
	}
	if set(num) != nil {
		r.pos = start
		return fail()
	}
	return nil
}

// decUint8 decodes a byte of a blob written as a JSON array of numbers,
// which encoding/json accepts.
func decUint8(p *uint8, r *Reader) error {
	return decNumber(r, func(num []byte) error {
		n, err := strconv.ParseUint(string(num), 10, 8)
		if err == nil {
			*p = uint8(n)
		}
		return err
	}, r.typeError)
}

func decFloat64(p *float64, r *Reader) error {
	return decNumber(r, func(num []byte) error {
		f, err := strconv.ParseFloat(string(num), 64)
		if err == nil {
			*p = f
		}
		return err
	}, r.typeError)
}

// decTime decodes epoch seconds; like Time.UnmarshalJSON, only a number or
// null is accepted.
func decTime(p *Time, r *Reader) error {
	return decNumber(r, p.UnmarshalJSON, r.valueError)
}

// decDocument keeps any JSON value (null included) as raw bytes.
func decDocument(p *Document, r *Reader) error {
	start := r.peekPos()
	if err := r.skip(); err != nil {
		return err
	}
	p.RawMessage = append(p.RawMessage[:0], r.data[start:r.pos]...)
	return nil
}

// decBlob decodes a base64 string (standard alphabet, padded) or, as
// encoding/json also accepts, an array of byte values.
func decBlob(p *[]byte, r *Reader) error {
	switch r.peek() {
	case 'n':
		if r.literal("null") {
			*p = nil
			return nil
		}
	case '[':
		return decodeList(r, p, decUint8)
	case '"':
		start := r.pos
		raw, simple, err := r.scanString()
		if err != nil {
			return err
		}
		if !simple {
			raw = unquote(nil, raw)
		}
		b := make([]byte, base64.StdEncoding.DecodedLen(len(raw)))
		n, err := base64.StdEncoding.Decode(b, raw)
		if err != nil {
			r.pos = start
			return r.valueError()
		}
		*p = b[:n]
		return nil
	}
	return r.typeError()
}
