package main

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
)

// reportCache keeps the report parsed from each document body, by its
// sha256, so a run parses only what is new: one gob file per report,
// written by the worker that parsed it. What grouping the reports needs
// of each (indexEntry) is in the build's plan beside them (planFile).
// Reports depend on the code that made them,
// so the cache is keyed by the running binary's own hash; the caches of
// other binaries are removed when it opens.
type reportCache struct{ dir string }

func openReportCache(ds *output.Dataset) (*reportCache, error) {
	root, err := ds.StateDir("reports")
	if err != nil {
		return nil, err
	}
	key, err := binaryKey()
	if err != nil {
		return nil, err
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if e.Name() != key {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
	dir := filepath.Join(root, key)
	return &reportCache{dir: dir}, os.MkdirAll(dir, 0o777)
}

func (c *reportCache) path(sha string) string {
	return filepath.Join(c.dir, sha[:min(2, len(sha))], sha+".gob")
}

func (c *reportCache) has(sha string) bool { return fileExists(c.path(sha)) }

// writeCacheEntry writes r to path, atomically: a worker killed midway
// leaves no entry, and the document is parsed again next time.
func writeCacheEntry(path string, r *normalize.Report) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return err
	}
	return writeGob(path, func(e *gob.Encoder) error { return e.Encode(toWire(r)) })
}

// writeGob writes path through a temporary file renamed into place.
func writeGob(path string, encode func(*gob.Encoder) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(f)
	err = encode(gob.NewEncoder(bw))
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("report cache: %w", err)
	}
	return nil
}

func (c *reportCache) get(sha string) (*normalize.Report, error) {
	f, err := os.Open(c.path(sha))
	if err != nil {
		return nil, fmt.Errorf("report cache: %w", err)
	}
	defer f.Close()
	var w wireReport
	if err := gob.NewDecoder(bufio.NewReader(f)).Decode(&w); err != nil || w.Report == nil {
		// Damaged (a machine that went down between write and rename can
		// leave that): removed, so that the next run parses it again.
		os.Remove(c.path(sha))
		return nil, fmt.Errorf("report cache %s was damaged (%v) and is removed: run again to parse it anew", c.path(sha), err)
	}
	return w.report(), nil
}

// encodeReport is r as the plan keeps the report of a file that could not
// be read (and so has no cache entry).
func encodeReport(r *normalize.Report) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(toWire(r)); err != nil {
		return nil, fmt.Errorf("report cache: %w", err)
	}
	return b.Bytes(), nil
}

func decodeReport(blob []byte) (*normalize.Report, error) {
	var w wireReport
	if err := gob.NewDecoder(bytes.NewReader(blob)).Decode(&w); err != nil || w.Report == nil {
		return nil, fmt.Errorf("build plan: a report kept in it is damaged (%v): run again", err)
	}
	return w.report(), nil
}
