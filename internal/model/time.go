package model

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Time is a model timestamp. On the wire it is a JSON number of seconds since
// the Unix epoch with up to three decimals (1674946410.123); whole seconds
// are written without a fraction.
type Time struct{ time.Time }

// NewTime returns t as a *Time, for optional timestamp members.
func NewTime(t time.Time) *Time { return &Time{t} }

// maxEpochSeconds bounds accepted timestamps to years 0000-9999, as Java's
// Instant-based services do in practice, so that millisecond arithmetic
// cannot overflow.
const maxEpochSeconds = 253402300799

// timeError is the error type of malformed timestamps; a constant keeps the
// package free of mutable variables.
type timeError string

func (e timeError) Error() string { return string(e) }

// errTime is returned for a timestamp that is not an in-range JSON number.
const errTime = timeError("model: timestamp must be a JSON number of epoch seconds")

// MarshalJSON writes t as epoch seconds, truncated to milliseconds.
func (t Time) MarshalJSON() ([]byte, error) {
	return appendTime(make([]byte, 0, 24), t), nil
}

// UnmarshalJSON reads epoch seconds from a JSON number (plain or with an
// exponent, as some SDKs write 1.674946410123E9). null leaves t unchanged.
func (t *Time) UnmarshalJSON(data []byte) error {
	s := string(data)
	if s == "null" {
		return nil
	}
	sec, nsec, err := parseEpoch(s)
	if err != nil {
		return err
	}
	t.Time = time.Unix(sec, nsec).UTC()
	return nil
}

// parseEpoch parses a JSON number of seconds exactly (no float rounding)
// unless it carries an exponent.
func parseEpoch(s string) (sec, nsec int64, err error) {
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.Abs(f) > maxEpochSeconds {
			return 0, 0, errTime
		}
		whole := math.Floor(f)
		micros := math.Round((f - whole) * 1e6)
		return int64(whole), int64(micros) * 1e3, nil
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if !allDigits(whole) || hasFrac && !allDigits(frac) {
		return 0, 0, errTime
	}
	sec, err = strconv.ParseInt(whole, 10, 64)
	if err != nil || sec > maxEpochSeconds {
		return 0, 0, errTime
	}
	for i := range 9 {
		nsec *= 10
		if i < len(frac) {
			nsec += int64(frac[i] - '0')
		}
	}
	if neg {
		sec = -sec
		if nsec > 0 {
			sec--
			nsec = 1e9 - nsec
		}
	}
	return sec, nsec, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
