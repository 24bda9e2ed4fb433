package crawl

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// An archive stores fetched bodies once each, content-addressed by sha256:
// raw/ab/abcdef…. Bodies are written to raw/.tmp first and renamed into
// place, so a killed crawl never leaves a half-written file under its
// final name.
type archive struct {
	dir     string
	dirs    sync.Map     // shard directories known to exist
	written atomic.Int64 // bytes of the bodies this run added, for the disk budget
}

// An archiveFile is a temporary file of the archive being written.
type archiveFile interface {
	io.Writer
	Close() error
	Name() string
}

// createTemp creates a temporary file of the archive in dir. It is the one
// place the archive creates files to write, so that tests can make writes
// fail the way a full disk does.
var createTemp = func(dir string) (archiveFile, error) {
	f, err := os.CreateTemp(dir, "fetch-*")
	if err != nil {
		return nil, err
	}
	return f, nil
}

func openArchive(dir string) (*archive, error) {
	a := &archive{dir: dir}
	tmp := filepath.Join(dir, ".tmp")
	// Leftovers of a killed run are incomplete by definition.
	if err := os.RemoveAll(tmp); err != nil {
		return nil, a.fail(err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, a.fail(err)
	}
	return a, nil
}

// fail describes an error of the archive; one that says the disk is full
// becomes a disk-full error naming the archive's directory.
func (a *archive) fail(err error) error {
	return fmt.Errorf("archive: %w", diskFull(a.dir, err))
}

// path returns where the body with the given sha256 is stored.
func (a *archive) path(sum string) string {
	return filepath.Join(a.dir, sum[:2], sum)
}

func (a *archive) tempFile() (archiveFile, error) {
	f, err := createTemp(filepath.Join(a.dir, ".tmp"))
	if err != nil {
		return nil, a.fail(err)
	}
	return f, nil
}

// commit moves the temporary file tmp holding the body with the given
// sha256 and size into place, or removes it when that body is already
// stored.
func (a *archive) commit(tmp, sum string, size int64) error {
	dst := a.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return os.Remove(tmp)
	}
	if _, made := a.dirs.Load(sum[:2]); !made {
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			os.Remove(tmp)
			return a.fail(err)
		}
		a.dirs.Store(sum[:2], true)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return a.fail(err)
	}
	a.written.Add(size)
	return nil
}

// store writes the body data with the given sha256, unless it is stored
// already.
func (a *archive) store(data []byte, sum string) error {
	if a.has(sum) {
		return nil
	}
	f, err := a.tempFile()
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return a.fail(err)
	}
	return a.commit(f.Name(), sum, int64(len(data)))
}

func (a *archive) has(sum string) bool {
	if sum == "" {
		return false
	}
	_, err := os.Stat(a.path(sum))
	return err == nil
}

func (a *archive) read(sum string) ([]byte, error) {
	return os.ReadFile(a.path(sum))
}
