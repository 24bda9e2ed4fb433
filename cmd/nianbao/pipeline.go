package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// process runs one document through parse and normalize. A document that
// cannot be read or crashes the parser yields a failed report, not an
// error: one bad document never stops a run.
func process(ctx context.Context, path string) (rep *normalize.Report) {
	data, err := os.ReadFile(path)
	if err != nil {
		return failed(path, "", "read", err)
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	defer func() {
		if p := recover(); p != nil {
			rep = failed(path, hash, "panic", fmt.Errorf("%v\n%s", p, debug.Stack()))
		}
	}()
	doc, err := parse.Parse(ctx, path, data)
	if err != nil {
		return failed(path, hash, "parse", err)
	}
	return normalize.Normalize(doc, normalize.Source{Path: path, SHA256: hash})
}

func failed(path, hash, code string, err error) *normalize.Report {
	r := &normalize.Report{Source: path, SHA256: hash, Status: normalize.StatusFailed, Template: normalize.TemplateUnknown,
		Format: string(parse.FormatUnknown)}
	if len(hash) >= 16 {
		r.ID = hash[:16]
	}
	r.Warnings = []parse.Warning{{Code: code, Message: fmt.Sprintf("%s: %v", path, err)}}
	return r
}

// notReports are extensions of files that sit beside reports but are not
// reports themselves (expected.json, notes, datasets).
var notReports = map[string]bool{".json": true, ".md": true, ".yaml": true, ".yml": true, ".parquet": true}

// expandPaths lists the files named by paths, walking directories
// recursively in lexical order and skipping hidden files.
func expandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != p && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && !notReports[strings.ToLower(filepath.Ext(name))] {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
