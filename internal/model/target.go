package model

import "strings"

// TargetOperation reads an X-Amz-Target header value: ok is false when it
// does not start with TargetPrefix and a dot; op is nil when name is not an
// operation of the model.
func TargetOperation(target string) (name string, op *Operation, ok bool) {
	name, ok = strings.CutPrefix(target, TargetPrefix+".")
	if !ok {
		return "", nil, false
	}
	op, _ = LookupOperation(name)
	return name, op, true
}
