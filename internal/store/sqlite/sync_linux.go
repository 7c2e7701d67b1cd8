//go:build linux && (amd64 || arm64)

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"unsafe"
)

// ownSync says that this store makes its commits durable itself: the
// writer commits with synchronous=OFF, then syncs the WAL with fdatasync
// (see Store.commitDurably), and checkpoints on its own schedule, syncing
// the database file before the WAL can be reused (Store.maybeCheckpoint).
//
// The point is to wait for the disk without holding a Go P. A sync inside
// SQLite is a blocking system call, and the runtime takes the P back from
// a blocked thread only after its monitor notices, which under steady load
// can be milliseconds; with one P (a server on one core) everything stalls
// meanwhile. Here the sync is a Linux AIO request (IOCB_CMD_FDSYNC) whose
// completion is an eventfd read through the network poller, so the writer
// goroutine parks and the P serves requests. Where AIO cannot be used the
// sync is a plain fdatasync.
const ownSync = true

// syncFile is a file to sync, opened by path. It is reopened when the one
// held is no longer linked: SQLite deletes the WAL when its last connection
// closes, which cannot happen while the store is open, but syncing a
// deleted file would silently sync nothing.
//
// Each time it opens the file it also syncs the directory: syncing a file
// makes its data durable but not its name, and the WAL is created anew at
// each open of the store after a clean close (which deletes it). Without
// that, a power cut could take away the whole WAL, acknowledged commits
// and all. SQLite does the same when it syncs a new journal or WAL
// itself (its UNIXFILE_DIRSYNC), which with synchronous=OFF it never does.
type syncFile struct {
	path string
	f    *os.File
	fd   int
}

func (s *syncFile) open() error {
	if s.f != nil {
		var st syscall.Stat_t
		if err := syscall.Fstat(s.fd, &st); err != nil {
			return err
		}
		if st.Nlink > 0 {
			return nil
		}
		s.close()
	}
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(s.path)); err != nil {
		f.Close()
		return err
	}
	s.f, s.fd = f, int(f.Fd())
	return nil
}

// syncDir makes the names in directory dir durable. A filesystem that
// cannot sync a directory (EINVAL) is taken at its word, as SQLite does.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	for {
		err := syscall.Fsync(int(d.Fd()))
		switch {
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EINVAL), errors.Is(err, syscall.ENOTSUP):
			return nil
		case err != nil:
			return fmt.Errorf("sync directory %s: %w", dir, err)
		}
		return nil
	}
}

func (s *syncFile) close() {
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// syncer syncs files with AIO when it can, else with fdatasync. It is
// used by one goroutine at a time.
type syncer struct {
	ctx   uint64   // aio_context_t; 0 without AIO
	done  *os.File // eventfd signalled by each completion, in the network poller
	efd   uint32   // its descriptor (done.Fd would make it blocking)
	iocb  iocb
	event ioEvent
}

// iocb and ioEvent are struct iocb and struct io_event of linux/aio_abi.h
// (little-endian layout).
type iocb struct {
	_      uint64 // aio_data
	_      uint32 // aio_key
	_      uint32 // aio_rw_flags
	opcode uint16
	_      int16 // aio_reqprio
	fildes uint32
	_      [4]uint64 // aio_buf, aio_nbytes, aio_offset, aio_reserved2: zero for fsync
	flags  uint32
	resfd  uint32
}

type ioEvent struct {
	_   [2]uint64 // data, obj
	res int64
	_   int64 // res2
}

const (
	iocbCmdFdsync = 3
	iocbFlagResfd = 1
	efdNonblock   = syscall.O_NONBLOCK
	efdCloexec    = syscall.O_CLOEXEC
)

// newSyncer sets up AIO; without it (no kernel support, no free AIO
// contexts) the syncer falls back to fdatasync.
func newSyncer() *syncer {
	s := &syncer{}
	var ctx uint64
	if _, _, e := syscall.Syscall(syscall.SYS_IO_SETUP, 1, uintptr(unsafe.Pointer(&ctx)), 0); e != 0 {
		return s
	}
	fd, _, e := syscall.Syscall(syscall.SYS_EVENTFD2, 0, efdNonblock|efdCloexec, 0)
	if e != 0 {
		syscall.Syscall(syscall.SYS_IO_DESTROY, uintptr(ctx), 0, 0)
		return s
	}
	s.ctx, s.done, s.efd = ctx, os.NewFile(fd, "aio-eventfd"), uint32(fd)
	return s
}

// async reports whether syncs wait without blocking a thread.
func (s *syncer) async() bool { return s.ctx != 0 }

func (s *syncer) close() {
	if s.ctx != 0 {
		syscall.Syscall(syscall.SYS_IO_DESTROY, uintptr(s.ctx), 0, 0)
		s.done.Close()
		s.ctx = 0
	}
}

// sync makes the data of f durable (fdatasync).
func (s *syncer) sync(f *syncFile) error {
	if err := f.open(); err != nil {
		return err
	}
	if s.ctx != 0 {
		err := s.aioSync(f)
		if !errors.Is(err, errNoAIO) {
			return err
		}
		// The filesystem refused AIO fsync: from now on sync directly.
		s.close()
	}
	return fdatasync(f.fd)
}

var errNoAIO = errors.New("sqlite: AIO fsync refused")

func (s *syncer) aioSync(f *syncFile) error {
	s.iocb = iocb{opcode: iocbCmdFdsync, fildes: uint32(f.fd), flags: iocbFlagResfd, resfd: s.efd}
	p := &s.iocb
	n, _, e := syscall.Syscall(syscall.SYS_IO_SUBMIT, uintptr(s.ctx), 1, uintptr(unsafe.Pointer(&p)))
	switch {
	case e == syscall.EINVAL || e == syscall.ENOSYS || e == syscall.EOPNOTSUPP:
		return errNoAIO
	case e != 0:
		return fmt.Errorf("io_submit: %w", e)
	case n != 1:
		return errNoAIO
	}
	// Wait for the completion. A signal left over from an earlier sync
	// finds no event and is read past.
	for {
		var buf [8]byte
		if _, err := s.done.Read(buf[:]); err != nil { // parks in the poller
			return fmt.Errorf("sqlite: waiting for sync: %w", err)
		}
		zero := syscall.Timespec{}
		r, _, e := syscall.Syscall6(syscall.SYS_IO_GETEVENTS, uintptr(s.ctx), 0, 1,
			uintptr(unsafe.Pointer(&s.event)), uintptr(unsafe.Pointer(&zero)), 0)
		if e != 0 && e != syscall.EINTR {
			return fmt.Errorf("io_getevents: %w", e)
		}
		if e == 0 && r == 1 {
			if s.event.res < 0 {
				return fmt.Errorf("fdatasync: %w", syscall.Errno(-s.event.res))
			}
			return nil
		}
	}
}

func fdatasync(fd int) error {
	for {
		err := syscall.Fdatasync(fd)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
