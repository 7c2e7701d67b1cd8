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

// TestAsyncSync checks that on Linux syncs go through AIO, and that a
// file the kernel cannot sync through AIO makes the syncer fall back to
// fdatasync, which reports the failure.
func TestAsyncSync(t *testing.T) {
	sy := newSyncer()
	defer sy.close()
	if !sy.async() {
		t.Skip("AIO unavailable here (io_setup failed); syncs fall back to fdatasync")
	}
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("data"), 0o600); err != nil {
		t.Fatal(err)
	}
	f := &syncFile{path: p}
	defer f.close()
	for i := range 3 {
		if err := os.WriteFile(p, []byte(fmt.Sprint("data", i)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := sy.sync(f); err != nil {
			t.Fatal(err)
		}
		if !sy.async() {
			t.Fatal("the filesystem refused AIO fsync; fell back to fdatasync")
		}
	}
	// A pipe has no fsync: io_submit refuses it, and fdatasync fails.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	pipe := &syncFile{path: "pipe", f: r, fd: int(r.Fd())}
	defer pipe.close()
	if err := sy.sync(pipe); err == nil {
		t.Error("sync of a pipe succeeded")
	}
	if sy.async() {
		t.Error("still on AIO after the kernel refused an AIO fsync")
	}
}

// TestSyncReachesFUSE checks the sync path on a FUSE filesystem (the
// lazyfs of TestPowerLoss): the AIO fsync reaches the filesystem and
// makes the data durable, and so does the sync of the directory that
// makes a new file's name durable.
func TestSyncReachesFUSE(t *testing.T) {
	fsys, backing, mnt := mountLazyFS(t)
	p := filepath.Join(mnt, "x.db-wal")
	if err := os.WriteFile(p, []byte("acknowledged"), 0o600); err != nil {
		t.Fatal(err)
	}
	sy := newSyncer()
	defer sy.close()
	wasAsync := sy.async()
	f := &syncFile{path: p}
	defer f.close()
	if err := sy.sync(f); err != nil {
		t.Fatal(err)
	}
	if wasAsync && !sy.async() {
		t.Error("the FUSE filesystem refused AIO fsync; fell back to fdatasync")
	}
	if err := os.WriteFile(filepath.Join(mnt, "unsynced"), []byte("lost"), 0o600); err != nil {
		t.Fatal(err)
	}
	fsys.Freeze()
	if _, err := fsys.Crash(nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(backing, "x.db-wal")); err != nil || string(b) != "acknowledged" {
		t.Errorf("after the crash the synced file holds %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(backing, "unsynced")); !os.IsNotExist(err) {
		t.Errorf("a file never synced survived the crash: %v", err)
	}
}
