//go:build !unix

package sqlite

import "os"

// lockFile opens path as the lock file; without flock this platform does
// not keep a second process from opening the database.
func lockFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
