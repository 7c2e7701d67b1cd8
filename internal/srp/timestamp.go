package srp

import (
	"fmt"
	"time"
)

// timestampLayout is Java's "EEE MMM d HH:mm:ss 'UTC' yyyy" in Go notation:
// English names, day of month without padding, 24-hour clock, literal UTC.
const timestampLayout = "Mon Jan 2 15:04:05 UTC 2006"

// FormatTimestamp returns t in UTC in the TIMESTAMP form Cognito clients
// send and sign, e.g. "Tue Jan 2 03:04:05 UTC 2024" (day not zero-padded).
func FormatTimestamp(t time.Time) string {
	return t.UTC().Format(timestampLayout)
}

// ParseTimestamp parses a TIMESTAMP in the form FormatTimestamp writes and
// returns it in UTC. Parsing is as lenient as Go's time.Parse: a zero- or
// space-padded day and a one-digit hour are accepted, and the weekday name
// must be a valid English abbreviation but is not checked against the date.
// Leniency is harmless here: the signature covers the string as sent.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(timestampLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("srp: bad timestamp %q: %w", s, err)
	}
	return t.UTC(), nil
}
