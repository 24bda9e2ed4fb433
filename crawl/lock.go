package crawl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofrs/flock"
)

// ErrLocked is the error (errors.Is) of [Run] when another crawl, in this
// process or another, is using the output directory. Its message names
// the holder: "crawl directory DIR is being used by pid N since T".
var ErrLocked = errors.New("crawl directory locked")

// LockFile is the name of the file in an output directory that a crawl
// holds locked (flock(2)) while it runs, and into which it writes
// "pid N since <RFC3339 UTC time>". The operating system releases the
// lock when the crawl ends or its process dies; the file stays.
const LockFile = ".lock"

type lockedError struct{ msg string }

func (e *lockedError) Error() string { return e.msg }
func (e *lockedError) Unwrap() error { return ErrLocked }

// lockDir takes the crawl lock of the output directory dir without waiting
// for it. The caller closes the returned lock to release it.
func lockDir(dir string) (*flock.Flock, error) {
	path := filepath.Join(dir, LockFile)
	l := flock.New(path, flock.SetPermissions(0o666))
	ok, err := l.TryLock()
	if err != nil {
		return nil, fmt.Errorf("crawl: lock %s: %w", path, diskFull(dir, err))
	}
	if !ok {
		holder := "another process"
		if b, err := os.ReadFile(path); err == nil {
			if s := strings.TrimSpace(string(b)); s != "" && len(s) < 200 && utf8.ValidString(s) {
				holder = s
			}
		}
		return nil, &lockedError{fmt.Sprintf("crawl: crawl directory %s is being used by %s; wait for that crawl to end, or stop it", dir, holder)}
	}
	info := fmt.Sprintf("pid %d since %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(path, []byte(info), 0o666); err != nil {
		l.Close()
		return nil, fmt.Errorf("crawl: %w", diskFull(dir, err))
	}
	return l, nil
}
