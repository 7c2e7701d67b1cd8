package model

// String returns a pointer to s, for optional string members.
func String(s string) *string { return &s }

// Int32 returns a pointer to v, for optional integer members.
func Int32(v int32) *int32 { return &v }

// Bool returns a pointer to b, for optional boolean members.
func Bool(b bool) *bool { return &b }

// StringValue returns *p, or "" when p is nil.
func StringValue(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Int32Value returns *p, or 0 when p is nil.
func Int32Value(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// BoolValue returns *p, or false when p is nil.
func BoolValue(p *bool) bool {
	if p == nil {
		return false
	}
	return *p
}
