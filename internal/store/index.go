package store

// DiffIndex calls drop for every attribute whose entry in was is absent
// from now or has another value, then add for every entry of now that
// was does not hold: the writes that turn a user's stored entries was
// into now. A backend's drop removes the user's entry of the attribute,
// whatever its value.
func DiffIndex(was, now []IndexEntry, drop func(attr string) error, add func(IndexEntry) error) error {
	for _, w := range was {
		if v, ok := lookup(now, w.Attr); !ok || v != w.Value {
			if err := drop(w.Attr); err != nil {
				return err
			}
		}
	}
	for _, n := range now {
		if v, ok := lookup(was, n.Attr); !ok || v != n.Value {
			if err := add(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// lookup returns the value of attr in es; a user has few entries, so a
// scan beats a map.
func lookup(es []IndexEntry, attr string) (string, bool) {
	for _, e := range es {
		if e.Attr == attr {
			return e.Value, true
		}
	}
	return "", false
}
