package trigger

import "testing"

func TestFunctionName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"arn:aws:lambda:us-east-1:123456789012:function:custom-message", "custom-message"},
		{"arn:aws:lambda:us-east-1:123456789012:function:custom-message:live", "custom-message"},
		{"custom-message", "custom-message"},
		{"123456789012:function:custom-message", "123456789012:function:custom-message"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := FunctionName(tt.in); got != tt.want {
				t.Errorf("FunctionName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
