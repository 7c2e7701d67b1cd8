// Package lazyfs is a FUSE filesystem for power-loss tests: it passes
// every operation through to a backing directory but holds file data that
// was written and not yet synced apart, as a kernel page cache does, so
// that Crash can lose it the way a power cut would.
//
// The backing directory is the disk. A write lands in an overlay of the
// file's pages; reads see the overlay over the backing file; fsync or
// fdatasync of the file copies its overlay to the backing file. Creating a
// file becomes durable when its directory is synced (POSIX asks for that;
// SQLite does it for its journals and WAL). Truncation and unlinking are
// durable at once, which only hides bugs, never invents them. Crash drops
// what is unsynced: all of it, or in torn mode a random subset of the
// dirty pages, each written whole, as a disk that flushed some of its
// cache would leave it.
//
// Crash points come from a Trap: a predicate on each operation that, once
// it holds, freezes the filesystem with that operation not done, so the
// test can kill the process using it and then call Crash.
//
// It is test code: it models one flat directory (the database, its WAL and
// lock files), needs /dev/fuse and the right to mount, and must not be
// used by the server.
package lazyfs
