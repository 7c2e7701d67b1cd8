package store

// IndexChange is one attribute whose entry differs between a user's
// stored entries and the new ones: Had and Old describe the stored entry,
// Has and New the wanted one.
type IndexChange struct {
	Attr     string
	Old, New string
	Had, Has bool
}

// DiffIndex calls fn for every attribute whose entry differs between was
// (the stored entries) and now: the writes that turn one into the other.
func DiffIndex(was, now []IndexEntry, fn func(IndexChange) error) error {
	for _, w := range was {
		v, ok := lookup(now, w.Attr)
		if !ok || v != w.Value {
			if err := fn(IndexChange{Attr: w.Attr, Old: w.Value, New: v, Had: true, Has: ok}); err != nil {
				return err
			}
		}
	}
	for _, n := range now {
		if _, ok := lookup(was, n.Attr); !ok {
			if err := fn(IndexChange{Attr: n.Attr, New: n.Value, Has: true}); err != nil {
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
