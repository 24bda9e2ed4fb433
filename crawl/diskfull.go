package crawl

import (
	"errors"
	"fmt"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrDiskFull is what a [Run] that ran out of disk space or quota returns
// (errors.Is(err, ErrDiskFull)); the error's text says "disk full: " and
// the path that could not be written. A full disk ends the run at once,
// rather than failing every document that follows: the next run, with
// space freed, resumes it.
var ErrDiskFull = errors.New("disk full")

// A diskFullError is a write that failed for want of space under path.
type diskFullError struct {
	path string
	err  error
}

func (e *diskFullError) Error() string        { return "disk full: " + e.path + " (" + e.err.Error() + ")" }
func (e *diskFullError) Unwrap() error        { return e.err }
func (e *diskFullError) Is(target error) bool { return target == ErrDiskFull }

// isDiskFull reports whether err says the disk, or the user's quota, is
// full: ENOSPC or EDQUOT from the file system, SQLITE_FULL from the state
// database.
func isDiskFull(err error) bool {
	if err == nil {
		return false
	}
	return errors.Is(err, ErrDiskFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		sqliteCode(err) == sqlite3.SQLITE_FULL
}

// sqliteCode returns the primary SQLite result code in err's chain, or -1.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() & 0xff // the low byte of an extended code is the primary one
	}
	return -1
}

// diskFull returns err as a disk-full error naming path when it is one,
// and err unchanged otherwise.
func diskFull(path string, err error) error {
	if !isDiskFull(err) || errors.Is(err, ErrDiskFull) {
		return err
	}
	return &diskFullError{path: path, err: err}
}

// stateError describes an error of the state database at path: a full
// disk as such, a lock held elsewhere as another crawl, anything else as
// it is.
func stateError(path string, err error) error {
	switch code := sqliteCode(err); {
	case isDiskFull(err):
		return fmt.Errorf("state: %w", diskFull(path, err))
	case code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("state %s: %w (is another crawl using this directory?)", path, err)
	}
	return fmt.Errorf("state %s: %w", path, err)
}
