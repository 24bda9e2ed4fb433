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
var notReports = map[string]bool{".json": true, ".yaml": true, ".yml": true, ".parquet": true}

// notReportNotes are the base names (lower case, without extension) of the
// Markdown files that document a directory rather than convert a report:
// other .md files are reports, as PDF converters write them.
var notReportNotes = map[string]bool{"readme": true, "notes": true, "changelog": true, "license": true,
	"contributing": true, "todo": true, "index": true}

// notReport reports whether a file found in a directory is not a report.
func notReport(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	if ext == ".md" || ext == ".markdown" {
		return notReportNotes[strings.ToLower(strings.TrimSuffix(name, filepath.Ext(name)))]
	}
	return notReports[ext]
}

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
			if !d.IsDir() && !notReport(name) {
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
