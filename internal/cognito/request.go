package cognito

import "context"

// RequestInfo describes the HTTP request an operation serves: what the
// domain may know of the wire (for logs and Lambda trigger events).
type RequestInfo struct {
	ID        string // x-amzn-RequestId
	UserAgent string
	SourceIP  string
}

type requestInfoKey struct{}

// WithRequestInfo returns a context carrying info.
func WithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return context.WithValue(ctx, requestInfoKey{}, info)
}

// RequestInfoFrom returns the RequestInfo of ctx, or a zero value.
func RequestInfoFrom(ctx context.Context) RequestInfo {
	info, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	return info
}
