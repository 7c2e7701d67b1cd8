//go:build linux && (amd64 || arm64)

package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"unsafe"
)

// TestAIOLayout checks the Go mirrors of struct iocb and struct io_event.
func TestAIOLayout(t *testing.T) {
	if n := unsafe.Sizeof(iocb{}); n != 64 {
		t.Errorf("iocb is %d bytes, struct iocb 64", n)
	}
	if n := unsafe.Offsetof(iocb{}.opcode); n != 16 {
		t.Errorf("iocb.opcode at %d, aio_lio_opcode at 16", n)
	}
	if n := unsafe.Offsetof(iocb{}.fildes); n != 20 {
		t.Errorf("iocb.fildes at %d, aio_fildes at 20", n)
	}
	if n := unsafe.Offsetof(iocb{}.flags); n != 56 {
		t.Errorf("iocb.flags at %d, aio_flags at 56", n)
	}
	if n := unsafe.Sizeof(ioEvent{}); n != 32 {
		t.Errorf("ioEvent is %d bytes, struct io_event 32", n)
	}
	if n := unsafe.Offsetof(ioEvent{}.res); n != 16 {
		t.Errorf("ioEvent.res at %d, res at 16", n)
	}
}

// TestSyncFileFollowsTheFile checks that a syncFile reopens its path when
// the file it holds was deleted and another took its name, and fails
// rather than syncing nothing when there is none.
func TestSyncFileFollowsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db-wal")
	if err := os.WriteFile(path, []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	sy := newSyncer()
	defer sy.close()
	f := &syncFile{path: path}
	defer f.close()
	if err := sy.sync(f); err != nil {
		t.Fatal(err)
	}
	first := f.f
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := sy.sync(f); err != nil {
		t.Fatal(err)
	}
	if f.f == first {
		t.Fatal("kept the deleted file")
	}
	a, err := f.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(a, b) {
		t.Error("holds a file other than the one at its path")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := sy.sync(f); err == nil {
		t.Error("sync of a deleted file succeeded")
	}
}

// TestAsyncSync checks that on Linux syncs go through AIO, that several
// files are synced in one go, and that a failure is reported.
func TestAsyncSync(t *testing.T) {
	sy := newSyncer()
	defer sy.close()
	if !sy.async() {
		t.Skip("AIO unavailable here (io_setup failed); syncs fall back to fdatasync")
	}
	dir := t.TempDir()
	var files []*syncFile
	for i := range 2 {
		p := filepath.Join(dir, fmt.Sprint(i))
		if err := os.WriteFile(p, []byte("data"), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, &syncFile{path: p})
		defer files[i].close()
	}
	for range 3 {
		if err := sy.sync(files...); err != nil {
			t.Fatal(err)
		}
		if !sy.async() {
			t.Fatal("the filesystem refused AIO fsync; fell back to fdatasync")
		}
	}
	// A descriptor that is no longer open fails at submission.
	files[0].f.Close()
	err := sy.sync(files[0])
	if err == nil {
		t.Error("sync of a closed descriptor succeeded")
	}
	files[0].f = nil
}
