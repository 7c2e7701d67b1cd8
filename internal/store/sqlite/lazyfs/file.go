package lazyfs

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"syscall"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// pageSize is the unit in which unsynced data is kept and, in torn mode,
// lost or kept, like the pages of a kernel page cache.
const pageSize = 4096

// file is one regular file: the backing file holds its durable content,
// dirty its pages written since the last sync (each whole, as of the
// latest write), size its current size. The backing file is never longer
// than size.
type file struct {
	fs.Inode
	fs      *FS
	name    string
	backing *os.File

	mu      sync.Mutex
	size    int64
	dirty   map[int64][]byte // page number -> page content
	created bool             // its name is not yet durable (directory not synced)
}

var (
	_ fs.NodeOpener    = (*file)(nil)
	_ fs.NodeReader    = (*file)(nil)
	_ fs.NodeWriter    = (*file)(nil)
	_ fs.NodeFsyncer   = (*file)(nil)
	_ fs.NodeGetattrer = (*file)(nil)
	_ fs.NodeSetattrer = (*file)(nil)
)

// handle is an open file; all state is the file's.
type handle struct{}

// Open opens the file with direct I/O, so that every read and write
// reaches the filesystem rather than the kernel's page cache.
func (fl *file) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	if flags&syscall.O_TRUNC != 0 {
		if errno := fl.truncate(ctx, 0); errno != 0 {
			return nil, 0, errno
		}
	}
	return &handle{}, fuse.FOPEN_DIRECT_IO, 0
}

func (fl *file) attr(out *fuse.AttrOut) syscall.Errno {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(fl.backing.Fd()), &st); err != nil {
		return fs.ToErrno(err)
	}
	out.FromStat(&st)
	fl.mu.Lock()
	out.Size = uint64(fl.size)
	fl.mu.Unlock()
	out.Blocks = (out.Size + 511) / 512
	return 0
}

func (fl *file) Getattr(ctx context.Context, _ fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	return fl.attr(out)
}

// Setattr changes the size (durably at once) and ignores the rest.
func (fl *file) Setattr(ctx context.Context, _ fs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if size, ok := in.GetSize(); ok {
		if errno := fl.truncate(ctx, int64(size)); errno != 0 {
			return errno
		}
	}
	return fl.attr(out)
}

// truncate sets the size of both the file and its durable content. Dirty
// data beyond the new end is dropped.
func (fl *file) truncate(ctx context.Context, size int64) syscall.Errno {
	if !fl.fs.enter(ctx, Op{Kind: OpTruncate, Name: fl.name, Off: size}) {
		return syscall.EIO
	}
	defer fl.fs.leave()
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if err := fl.backing.Truncate(size); err != nil {
		return fs.ToErrno(err)
	}
	for pg, b := range fl.dirty {
		switch start := pg * pageSize; {
		case start >= size:
			delete(fl.dirty, pg)
		case start+pageSize > size:
			clear(b[size-start:])
		}
	}
	fl.size = size
	return 0
}

// page returns the current content of page pg (durable, unless dirty).
// The caller holds fl.mu.
func (fl *file) page(pg int64) ([]byte, error) {
	if b, ok := fl.dirty[pg]; ok {
		return b, nil
	}
	b := make([]byte, pageSize)
	n, err := fl.backing.ReadAt(b, pg*pageSize)
	if err != nil && n < len(b) && !isEOF(err) {
		return nil, err
	}
	return b, nil
}

func (fl *file) Read(ctx context.Context, _ fs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if !fl.fs.enter(ctx, Op{Kind: OpRead, Name: fl.name, Off: off, Len: len(dest)}) {
		return nil, syscall.EIO
	}
	defer fl.fs.leave()
	fl.mu.Lock()
	defer fl.mu.Unlock()
	end := min(off+int64(len(dest)), fl.size)
	if off >= end {
		return fuse.ReadResultData(nil), 0
	}
	out := dest[:end-off]
	for pos := off; pos < end; {
		pg := pos / pageSize
		b, err := fl.page(pg)
		if err != nil {
			return nil, fs.ToErrno(err)
		}
		n := copy(out[pos-off:], b[pos-pg*pageSize:])
		pos += int64(n)
	}
	return fuse.ReadResultData(out), 0
}

// Write puts data in the file's dirty pages; nothing reaches the backing
// file before a sync.
func (fl *file) Write(ctx context.Context, _ fs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	if !fl.fs.enter(ctx, Op{Kind: OpWrite, Name: fl.name, Off: off, Len: len(data)}) {
		return 0, syscall.EIO
	}
	defer fl.fs.leave()
	fl.mu.Lock()
	defer fl.mu.Unlock()
	if fl.dirty == nil {
		fl.dirty = map[int64][]byte{}
	}
	end := off + int64(len(data))
	for pos := off; pos < end; {
		pg := pos / pageSize
		b, err := fl.page(pg)
		if err != nil {
			return 0, fs.ToErrno(err)
		}
		fl.dirty[pg] = b
		n := copy(b[pos-pg*pageSize:], data[pos-off:])
		pos += int64(n)
	}
	fl.size = max(fl.size, end)
	return uint32(len(data)), 0
}

// Fsync (and fdatasync) makes the file's data and size durable.
func (fl *file) Fsync(ctx context.Context, _ fs.FileHandle, flags uint32) syscall.Errno {
	if !fl.fs.enter(ctx, Op{Kind: OpSync, Name: fl.name}) {
		return syscall.EIO
	}
	defer fl.fs.leave()
	fl.mu.Lock()
	defer fl.mu.Unlock()
	for pg := range fl.dirty {
		if err := fl.persist(pg); err != nil {
			return fs.ToErrno(err)
		}
	}
	fl.dirty = nil
	if err := fl.backing.Truncate(fl.size); err != nil {
		return fs.ToErrno(err)
	}
	return 0
}

// persist writes dirty page pg to the backing file, up to the file's size.
func (fl *file) persist(pg int64) error {
	start := pg * pageSize
	n := min(pageSize, fl.size-start)
	if n <= 0 {
		return nil
	}
	_, err := fl.backing.WriteAt(fl.dirty[pg][:n], start)
	return err
}

// crash drops the dirty pages (torn nil) or keeps a random half of them,
// and returns how many there were and how many were kept.
func (fl *file) crash(torn *rand.Rand) (dirty, kept int, err error) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	fl.created = false // it survived
	pages := make([]int64, 0, len(fl.dirty))
	for pg := range fl.dirty {
		pages = append(pages, pg)
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i] < pages[j] })
	for _, pg := range pages {
		if torn == nil || torn.IntN(2) == 0 {
			continue
		}
		kept++
		if perr := fl.persist(pg); perr != nil && err == nil {
			err = perr
		}
	}
	fl.dirty = nil
	st, serr := fl.backing.Stat()
	if serr != nil {
		return len(pages), kept, serr
	}
	fl.size = st.Size()
	return len(pages), kept, err
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
