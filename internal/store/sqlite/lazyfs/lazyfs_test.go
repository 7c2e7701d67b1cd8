package lazyfs

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// mount mounts a lazyfs for the test, or skips it where FUSE is not
// available (COGNATE_REQUIRE_POWERLOSS=1 makes that a failure).
func mount(t *testing.T) (*FS, string, string) {
	t.Helper()
	backing, mnt := t.TempDir(), t.TempDir()
	f, err := Mount(backing, mnt)
	if err != nil {
		if os.Getenv("COGNATE_REQUIRE_POWERLOSS") == "1" {
			t.Fatalf("cannot mount lazyfs, and COGNATE_REQUIRE_POWERLOSS=1: %v", err)
		}
		t.Skipf("cannot mount lazyfs (needs /dev/fuse and root): %v", err)
	}
	t.Cleanup(func() {
		if err := f.Unmount(); err != nil {
			t.Errorf("unmount: %v", err)
		}
	})
	return f, backing, mnt
}

func writeFile(t *testing.T, path string, data []byte, off int64, sync bool) {
	t.Helper()
	fd, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	if _, err := fd.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := syscall.Fdatasync(int(fd.Fd())); err != nil {
			t.Fatal(err)
		}
	}
}

func syncDir(t *testing.T, path string) {
	t.Helper()
	d, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
}

func TestCrashKeepsOnlySyncedData(t *testing.T) {
	f, backing, mnt := mount(t)
	a := filepath.Join(mnt, "a")
	synced := bytes.Repeat([]byte("s"), 3*pageSize+100)
	writeFile(t, a, synced, 0, true)
	syncDir(t, mnt)
	writeFile(t, a, []byte("unsynced"), 10, false)
	writeFile(t, a, []byte("tail"), int64(len(synced)+5000), false)
	writeFile(t, filepath.Join(mnt, "b"), []byte("new file"), 0, true) // its name is not synced

	got, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(synced)+5004 || string(got[10:18]) != "unsynced" {
		t.Fatalf("before the crash the file reads %d bytes, %q at 10", len(got), got[10:18])
	}
	if b, _ := os.ReadFile(filepath.Join(backing, "a")); !bytes.Equal(b, synced) {
		t.Fatal("unsynced data reached the backing file")
	}

	f.Freeze()
	loss, err := f.Crash(nil)
	if err != nil {
		t.Fatal(err)
	}
	if loss.Files != 1 || loss.DirtyPages != 2 || loss.KeptPages != 0 {
		t.Errorf("crash lost %+v, want 1 file and 2 dirty pages, none kept", loss)
	}
	got, err = os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, synced) {
		t.Errorf("after the crash the file is %d bytes, want the %d synced", len(got), len(synced))
	}
	if _, err := os.Stat(filepath.Join(mnt, "b")); !os.IsNotExist(err) {
		t.Errorf("a file created without a directory sync survived the crash: %v", err)
	}
	writeFile(t, filepath.Join(mnt, "b"), []byte("again"), 0, true) // usable again
}

func TestTornCrashKeepsWholePages(t *testing.T) {
	f, backing, mnt := mount(t)
	a := filepath.Join(mnt, "a")
	writeFile(t, a, make([]byte, 64*pageSize), 0, true)
	syncDir(t, mnt)
	writeFile(t, a, bytes.Repeat([]byte{1}, 64*pageSize), 0, false)
	f.Freeze()
	loss, err := f.Crash(rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if loss.DirtyPages != 64 || loss.KeptPages == 0 || loss.KeptPages == 64 {
		t.Fatalf("torn crash: %+v, want some of 64 pages kept", loss)
	}
	b, err := os.ReadFile(filepath.Join(backing, "a"))
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for pg := range 64 {
		p := b[pg*pageSize : (pg+1)*pageSize]
		switch {
		case bytes.Equal(p, bytes.Repeat([]byte{1}, pageSize)):
			kept++
		case !bytes.Equal(p, make([]byte, pageSize)):
			t.Fatalf("page %d is neither old nor new", pg)
		}
	}
	if kept != loss.KeptPages {
		t.Errorf("%d pages new on disk, crash reported %d kept", kept, loss.KeptPages)
	}
}

func TestTrapFreezesBeforeTheOperation(t *testing.T) {
	f, backing, mnt := mount(t)
	a := filepath.Join(mnt, "a")
	writeFile(t, a, []byte("one"), 0, true)
	syncDir(t, mnt)
	f.SetTrap(func(op Op) bool { return op.Kind == OpSync })
	done := make(chan struct{})
	go func() {
		defer close(done)
		fd, err := os.OpenFile(a, os.O_RDWR, 0)
		if err != nil {
			return
		}
		defer fd.Close()
		fd.WriteAt([]byte("two"), 0)
		syscall.Fdatasync(int(fd.Fd())) // freezes; fails after the crash
	}()
	op := <-f.Trapped()
	if op.Kind != OpSync || op.Name != "a" {
		t.Errorf("trapped at %v", op)
	}
	if _, err := f.Crash(nil); err != nil {
		t.Fatal(err)
	}
	<-done
	if b, _ := os.ReadFile(filepath.Join(backing, "a")); string(b) != "one" {
		t.Errorf("after a crash at the sync the file holds %q, want one", b)
	}
}
