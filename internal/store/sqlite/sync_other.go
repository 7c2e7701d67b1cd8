//go:build !(linux && (amd64 || arm64))

package sqlite

// ownSync is false here: the writer commits with synchronous=FULL and
// SQLite syncs and checkpoints by itself (see sync_linux.go).
const ownSync = false

type syncFile struct{ path string }

func (s *syncFile) close() {}

type syncer struct{}

func newSyncer() *syncer                 { return &syncer{} }
func (s *syncer) async() bool            { return false }
func (s *syncer) close()                 {}
func (s *syncer) sync(f *syncFile) error { return nil }
