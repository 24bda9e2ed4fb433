package crawl

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// An archive stores fetched bodies once each, content-addressed by sha256:
// raw/ab/abcdef…. Bodies are written to raw/.tmp first and renamed into
// place, so a killed crawl never leaves a half-written file under its
// final name.
type archive struct {
	dir  string
	dirs sync.Map // shard directories known to exist
}

func openArchive(dir string) (*archive, error) {
	a := &archive{dir: dir}
	tmp := filepath.Join(dir, ".tmp")
	// Leftovers of a killed run are incomplete by definition.
	if err := os.RemoveAll(tmp); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return a, nil
}

// path returns where the body with the given sha256 is stored.
func (a *archive) path(sum string) string {
	return filepath.Join(a.dir, sum[:2], sum)
}

func (a *archive) tempFile() (*os.File, error) {
	f, err := os.CreateTemp(filepath.Join(a.dir, ".tmp"), "fetch-*")
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	return f, nil
}

// commit moves the temporary file tmp holding the body with the given
// sha256 into place, or removes it when that body is already stored.
func (a *archive) commit(tmp, sum string) error {
	dst := a.path(sum)
	if _, err := os.Stat(dst); err == nil {
		return os.Remove(tmp)
	}
	if _, made := a.dirs.Load(sum[:2]); !made {
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("archive: %w", err)
		}
		a.dirs.Store(sum[:2], true)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
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
		return fmt.Errorf("archive: %w", err)
	}
	return a.commit(f.Name(), sum)
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
