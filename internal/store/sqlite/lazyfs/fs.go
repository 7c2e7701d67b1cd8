package lazyfs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// OpKind says what an operation does.
type OpKind int

// The operations a Trap is shown.
const (
	OpRead OpKind = iota
	OpWrite
	OpSync     // fsync or fdatasync of a file
	OpTruncate // a size change by setattr
	OpCreate
	OpUnlink
	OpSyncDir
)

func (k OpKind) String() string {
	return [...]string{"read", "write", "sync", "truncate", "create", "unlink", "syncdir"}[k]
}

// Op is one filesystem operation, as a Trap sees it before it runs.
type Op struct {
	Kind OpKind
	Name string // the file's name in the directory
	Off  int64  // write and read offset, or the new size of a truncate
	Len  int    // bytes written or read
}

func (o Op) String() string { return fmt.Sprintf("%s %s off=%d len=%d", o.Kind, o.Name, o.Off, o.Len) }

// A Trap is asked about every operation before it runs. The first time it
// returns true the filesystem freezes: that operation and every later one
// block, undone, until Crash. It is called with the filesystem's lock
// held, one operation at a time, and must not touch the filesystem.
type Trap func(Op) bool

// FS is a mounted lazyfs.
type FS struct {
	backing string
	mnt     string
	server  *fuse.Server
	root    *dir

	// Operations that change or read state hold gate's read side; Crash
	// holds the write side, so it sees no operation half done.
	gate sync.RWMutex

	mu      sync.Mutex // guards what follows
	trap    Trap
	frozen  bool
	trapped chan Op       // the operation that froze the filesystem
	thaw    chan struct{} // closed to fail the frozen operations
	thawed  bool          // thaw is closed
	nextIno uint64
}

// Mount mounts a lazyfs at mnt (an existing empty directory) backed by the
// directory backing, whose regular files it serves. The caller must
// Unmount it.
func Mount(backing, mnt string) (*FS, error) {
	f := &FS{backing: backing, mnt: mnt, trapped: make(chan Op, 1), thaw: make(chan struct{}), nextIno: 1}
	f.root = &dir{fs: f, files: map[string]*file{}}
	zero := time.Duration(0)
	opts := &fs.Options{
		EntryTimeout:    &zero,
		AttrTimeout:     &zero,
		NegativeTimeout: &zero,
		MountOptions: fuse.MountOptions{
			DirectMount:        true,
			DirectMountStrict:  true,
			FsName:             "lazyfs",
			Name:               "lazyfs",
			DisableXAttrs:      true,
			DisableReadDirPlus: true,
		},
	}
	server, err := fs.Mount(mnt, f.root, opts)
	if err != nil {
		return nil, fmt.Errorf("lazyfs: mount %s: %w", mnt, err)
	}
	f.server = server
	return f, nil
}

// Unmount unmounts the filesystem and closes the backing files.
func (f *FS) Unmount() error {
	f.mu.Lock()
	if f.frozen && !f.thawed { // release anything blocked so the server can stop
		close(f.thaw)
		f.thawed = true
	}
	f.mu.Unlock()
	err := f.server.Unmount()
	f.root.mu.Lock()
	for _, fl := range f.root.all {
		fl.backing.Close()
	}
	f.root.mu.Unlock()
	return err
}

// SetTrap installs trap (nil removes it). It is removed again by Crash.
func (f *FS) SetTrap(trap Trap) {
	f.mu.Lock()
	f.trap = trap
	f.mu.Unlock()
}

// Freeze freezes the filesystem now, as if a trap had fired.
func (f *FS) Freeze() {
	f.mu.Lock()
	f.frozen = true
	f.mu.Unlock()
}

// Abort fails the operations blocked by the freeze, and those still to
// come until Crash, without doing them. A killed process waits for its
// filesystem requests to be answered before it dies, and so do requests
// the kernel runs on its behalf (Linux AIO fsync, which a signal does not
// interrupt): call Abort after the kill, then wait for the process.
func (f *FS) Abort() {
	f.mu.Lock()
	if f.frozen && !f.thawed {
		close(f.thaw)
		f.thawed = true
	}
	f.mu.Unlock()
}

// Trapped receives the operation at which a trap froze the filesystem.
func (f *FS) Trapped() <-chan Op { return f.trapped }

// enter is called at the start of each operation. It returns false for an
// operation that came once the filesystem had frozen: such an operation
// never happens, and fails once Crash thaws the filesystem or the caller
// gives up (a killed process interrupts its pending requests, and cannot
// die before they are answered). Otherwise the caller must call leave.
func (f *FS) enter(ctx context.Context, op Op) bool {
	f.mu.Lock()
	if !f.frozen && f.trap != nil && f.trap(op) {
		f.frozen = true
		select {
		case f.trapped <- op:
		default:
		}
	}
	if f.frozen {
		thaw := f.thaw
		f.mu.Unlock()
		select {
		case <-thaw:
		case <-ctx.Done():
		}
		return false
	}
	f.mu.Unlock()
	f.gate.RLock()
	return true
}

func (f *FS) leave() { f.gate.RUnlock() }

// Loss describes what a Crash dropped.
type Loss struct {
	DirtyPages, KeptPages int // unsynced pages, and how many of them survived
	Files                 int // files whose creation was lost
}

// Crash simulates a power cut: whatever was not synced is lost, and the
// filesystem is unfrozen. With torn nil every unsynced page and creation
// is dropped; otherwise each survives with probability one half, drawn
// from torn. The filesystem must have been frozen (by a trap or Freeze)
// and the processes using it killed, so that no operation of theirs runs
// after the crash: frozen operations never run.
func (f *FS) Crash(torn *rand.Rand) (Loss, error) {
	f.gate.Lock()
	loss, err := f.root.crash(torn)
	f.gate.Unlock()
	f.mu.Lock()
	f.trap = nil
	f.frozen = false
	if !f.thawed {
		close(f.thaw)
	}
	f.thaw, f.thawed = make(chan struct{}), false
	select {
	case <-f.trapped:
	default:
	}
	f.mu.Unlock()
	return loss, err
}

// dir is the root directory, the only one.
type dir struct {
	fs.Inode
	fs    *FS
	mu    sync.Mutex
	files map[string]*file // by name
	all   []*file          // every file ever served, to close at unmount
}

var (
	_ fs.NodeOnAdder   = (*dir)(nil)
	_ fs.NodeCreater   = (*dir)(nil)
	_ fs.NodeUnlinker  = (*dir)(nil)
	_ fs.NodeFsyncer   = (*dir)(nil)
	_ fs.NodeGetattrer = (*dir)(nil)
)

// OnAdd serves the files already in the backing directory, as durable.
func (d *dir) OnAdd(ctx context.Context) {
	entries, err := os.ReadDir(d.fs.backing)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		bf, err := os.OpenFile(filepath.Join(d.fs.backing, e.Name()), os.O_RDWR, 0)
		if err != nil {
			continue
		}
		d.add(ctx, e.Name(), bf, false)
	}
}

func (d *dir) add(ctx context.Context, name string, bf *os.File, created bool) *file {
	st, _ := bf.Stat()
	fl := &file{fs: d.fs, name: name, backing: bf, size: st.Size(), created: created}
	d.mu.Lock()
	d.files[name] = fl
	d.all = append(d.all, fl)
	d.mu.Unlock()
	d.fs.mu.Lock()
	d.fs.nextIno++
	ino := d.fs.nextIno
	d.fs.mu.Unlock()
	ch := d.NewPersistentInode(ctx, fl, fs.StableAttr{Mode: syscall.S_IFREG, Ino: ino})
	if !created { // Create's caller, the bridge, adds the child itself
		d.AddChild(name, ch, true)
	}
	return fl
}

func (d *dir) Getattr(ctx context.Context, _ fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	var st syscall.Stat_t
	if err := syscall.Stat(d.fs.backing, &st); err != nil {
		return fs.ToErrno(err)
	}
	out.FromStat(&st)
	return 0
}

// Create creates the file in the backing directory at once; the name is
// durable only once the directory is synced.
func (d *dir) Create(ctx context.Context, name string, flags, mode uint32, out *fuse.EntryOut) (*fs.Inode, fs.FileHandle, uint32, syscall.Errno) {
	if !d.fs.enter(ctx, Op{Kind: OpCreate, Name: name}) {
		return nil, nil, 0, syscall.EIO
	}
	defer d.fs.leave()
	bf, err := os.OpenFile(filepath.Join(d.fs.backing, name), os.O_RDWR|os.O_CREATE|os.O_EXCL, os.FileMode(mode&0o777))
	if err != nil {
		return nil, nil, 0, fs.ToErrno(err)
	}
	fl := d.add(ctx, name, bf, true)
	var a fuse.AttrOut
	fl.attr(&a)
	out.Attr = a.Attr
	return fl.EmbeddedInode(), &handle{}, fuse.FOPEN_DIRECT_IO, 0
}

// Unlink removes the file from the backing directory; it is durable at
// once (stricter than a disk would be, never laxer).
func (d *dir) Unlink(ctx context.Context, name string) syscall.Errno {
	if !d.fs.enter(ctx, Op{Kind: OpUnlink, Name: name}) {
		return syscall.EIO
	}
	defer d.fs.leave()
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.files[name]; !ok {
		return syscall.ENOENT
	}
	if err := os.Remove(filepath.Join(d.fs.backing, name)); err != nil {
		return fs.ToErrno(err)
	}
	delete(d.files, name)
	return 0
}

// Fsync of the directory makes the files created in it durable.
func (d *dir) Fsync(ctx context.Context, _ fs.FileHandle, flags uint32) syscall.Errno {
	if !d.fs.enter(ctx, Op{Kind: OpSyncDir}) {
		return syscall.EIO
	}
	defer d.fs.leave()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, fl := range d.files {
		fl.mu.Lock()
		fl.created = false
		fl.mu.Unlock()
	}
	return 0
}

// crash drops what is not durable. The caller holds the gate.
func (d *dir) crash(torn *rand.Rand) (Loss, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var loss Loss
	var errs []error
	names := make([]string, 0, len(d.files))
	for name := range d.files {
		names = append(names, name)
	}
	sort.Strings(names) // a seed replays the same crash
	for _, name := range names {
		fl := d.files[name]
		if fl.created && (torn == nil || torn.IntN(2) == 0) {
			loss.Files++
			if err := os.Remove(filepath.Join(d.fs.backing, name)); err != nil {
				errs = append(errs, err)
			}
			delete(d.files, name)
			d.RmChild(name)
			fl.mu.Lock()
			fl.dirty = nil
			fl.mu.Unlock()
			continue
		}
		dirty, kept, err := fl.crash(torn)
		loss.DirtyPages += dirty
		loss.KeptPages += kept
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return loss, fmt.Errorf("lazyfs: crash: %v", errs)
	}
	return loss, nil
}
