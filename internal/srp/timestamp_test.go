package srp

import (
	"testing"
	"time"
)

func TestFormatTimestamp(t *testing.T) {
	tests := []struct {
		name string
		in   time.Time
		want string
	}{
		{"day 2 unpadded, hour padded", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "Tue Jan 2 03:04:05 UTC 2024"},
		{"day 12", time.Date(2024, 1, 12, 3, 4, 5, 0, time.UTC), "Fri Jan 12 03:04:05 UTC 2024"},
		{"midnight", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), "Fri Mar 1 00:00:00 UTC 2024"},
		{"24-hour clock", time.Date(2023, 12, 31, 23, 59, 59, 999_999_999, time.UTC), "Sun Dec 31 23:59:59 UTC 2023"},
		{"converted to UTC", time.Date(2017, 6, 15, 0, 0, 0, 0, time.FixedZone("PDT", -7*3600)), "Thu Jun 15 07:00:00 UTC 2017"},
		{"date changes on conversion", time.Date(2024, 9, 1, 1, 30, 0, 0, time.FixedZone("CEST", 2*3600)), "Sat Aug 31 23:30:00 UTC 2024"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := FormatTimestamp(tc.in)
			if got != tc.want {
				t.Fatalf("FormatTimestamp = %q, want %q", got, tc.want)
			}
			back, err := ParseTimestamp(got)
			if err != nil {
				t.Fatalf("ParseTimestamp(%q): %v", got, err)
			}
			if !back.Equal(tc.in.Truncate(time.Second)) || back.Location() != time.UTC {
				t.Errorf("ParseTimestamp(%q) = %v, want %v in UTC", got, back, tc.in.Truncate(time.Second))
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    time.Time
		wantErr bool
	}{
		{"unpadded day", "Tue Jan 2 03:04:05 UTC 2024", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), false},
		{"zero-padded day accepted", "Tue Jan 02 03:04:05 UTC 2024", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), false},
		{"two-digit day", "Fri Jan 12 13:14:15 UTC 2024", time.Date(2024, 1, 12, 13, 14, 15, 0, time.UTC), false},
		{"other zone name", "Tue Jan 2 03:04:05 GMT 2024", time.Time{}, true},
		{"RFC 3339", "2024-01-02T03:04:05Z", time.Time{}, true},
		{"space-padded day accepted", "Tue Jan  2 03:04:05 UTC 2024", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), false},
		{"unpadded hour accepted", "Tue Jan 2 3:04:05 UTC 2024", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), false},
		{"bad weekday name", "Xyz Jan 2 03:04:05 UTC 2024", time.Time{}, true},
		{"trailing text", "Tue Jan 2 03:04:05 UTC 2024 x", time.Time{}, true},
		{"empty", "", time.Time{}, true},
		{"hour 24", "Tue Jan 2 24:00:00 UTC 2024", time.Time{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTimestamp(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseTimestamp(%q) = %v, want error", tc.in, got)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("ParseTimestamp(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}
