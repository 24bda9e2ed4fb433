package main

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/output"
)

// reportCache keeps the report parsed from each document body, by its
// sha256, so a run parses only what is new: one gob file per report,
// written by the worker that parsed it, and an index of what grouping the
// reports needs (indexEntry), written by the run. Reports depend on the code that made them,
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

// indexFile is the cache's index (indexEntry by sha), one gob stream.
const indexFile = "index.gob"

// indexRecord is one record of the index file.
type indexRecord struct {
	SHA   string
	Entry indexEntry
}

// loadIndex reads the index; a missing or damaged one is empty (the
// entries are made again from the reports).
func (c *reportCache) loadIndex() map[string]indexEntry {
	out := map[string]indexEntry{}
	f, err := os.Open(filepath.Join(c.dir, indexFile))
	if err != nil {
		return out
	}
	defer f.Close()
	dec := gob.NewDecoder(bufio.NewReader(f))
	for {
		var e indexRecord
		err := dec.Decode(&e)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			return map[string]indexEntry{}
		}
		out[e.SHA] = e.Entry
	}
}

// saveIndex writes the index of the reports of docs (only theirs: the
// documents no longer there drop out).
func (c *reportCache) saveIndex(docs []doc, index map[string]indexEntry) error {
	return writeGob(filepath.Join(c.dir, indexFile), func(e *gob.Encoder) error {
		seen := map[string]bool{}
		for _, d := range docs {
			entry, ok := index[d.sha]
			if d.sha == "" || seen[d.sha] || !ok {
				continue
			}
			seen[d.sha] = true
			if err := e.Encode(indexRecord{SHA: d.sha, Entry: entry}); err != nil {
				return err
			}
		}
		return nil
	})
}
