package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

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
