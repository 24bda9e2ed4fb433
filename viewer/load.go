package viewer

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/opengov-cn/nianbao/output"
)

// readTable reads every row of a Parquet file, naming the file in the
// error: a dataset is given by directory, and the reader must know which
// of its files is damaged.
func readTable[T any](path string) ([]T, error) {
	rows, err := parquet.ReadFile[T](path)
	if err != nil {
		return nil, fmt.Errorf("viewer: %s: %w", path, err)
	}
	return rows, nil
}

// partitionsOf lists a partitioned table's files, none being no error:
// a dataset of unreadable reports only has no cells.
func partitionsOf(dir, table string) ([]output.Partition, error) {
	if _, err := os.Stat(filepath.Join(dir, table)); os.IsNotExist(err) {
		return nil, nil
	}
	ps, err := output.Partitions(dir, table)
	if err != nil && strings.Contains(err.Error(), "no "+table) {
		return nil, nil
	}
	return ps, err
}

// yearPart is the rows of one year partition, grouped by report.
type yearPart struct {
	cells     map[string][]output.CellRow
	positions map[string]map[string]output.PositionRow
	checks    map[string][]output.CheckRow
}

// partKey names a partition by its year directory, the join between the
// three partitioned tables.
func partKey(p output.Partition) string { return filepath.Base(filepath.Dir(p.Path)) }

// readYears reads the partitions of the cells, positions and checks and
// calls fn once per year directory with that year's rows: one year is in
// memory at a time, which bounds what a national dataset costs by its
// largest year rather than by all of them.
func readYears(dir string, fn func(year string, p *yearPart) error) error {
	files := map[string]map[string]string{} // year dir -> table -> path
	var years []string
	for _, table := range []string{output.CellsDir, output.PositionsDir, output.ChecksDir} {
		ps, err := partitionsOf(dir, table)
		if err != nil {
			return fmt.Errorf("viewer: %w", err)
		}
		for _, p := range ps {
			k := partKey(p)
			if files[k] == nil {
				files[k] = map[string]string{}
				years = append(years, k)
			}
			files[k][table] = p.Path
		}
	}
	slices.Sort(years)
	for _, y := range years {
		p := &yearPart{cells: map[string][]output.CellRow{}, positions: map[string]map[string]output.PositionRow{}, checks: map[string][]output.CheckRow{}}
		if f := files[y][output.CellsDir]; f != "" {
			rows, err := readTable[output.CellRow](f)
			if err != nil {
				return err
			}
			for _, r := range rows {
				p.cells[r.ReportID] = append(p.cells[r.ReportID], r)
			}
		}
		if f := files[y][output.PositionsDir]; f != "" {
			rows, err := readTable[output.PositionRow](f)
			if err != nil {
				return err
			}
			for _, r := range rows {
				m := p.positions[r.ReportID]
				if m == nil {
					m = map[string]output.PositionRow{}
					p.positions[r.ReportID] = m
				}
				m[r.Key] = r
			}
		}
		if f := files[y][output.ChecksDir]; f != "" {
			rows, err := readTable[output.CheckRow](f)
			if err != nil {
				return err
			}
			for _, r := range rows {
				p.checks[r.ReportID] = append(p.checks[r.ReportID], r)
			}
		}
		if err := fn(strings.TrimPrefix(y, "year="), p); err != nil {
			return err
		}
	}
	return nil
}

// archiveDir is where the dataset at dir keeps the raw files its crawls
// fetched, found without opening the dataset: output.OpenDataset takes the
// writer's lock and tidies the store, and a viewer must do neither. It is
// the layout of output.Dataset.StateDir("crawl") and crawl.ArchivePath.
func archiveDir(dir string) string {
	clean := filepath.Clean(dir)
	return filepath.Join(filepath.Dir(clean), "."+filepath.Base(clean)+".nianbao", "crawl", "raw")
}

// rawPath is where the archive keeps the body with the given sha256; ""
// for a sha256 that is not 64 hex digits (hostile input names no path).
func rawPath(archive, sha string) string {
	if !isHex(sha) || len(sha) != 64 {
		return ""
	}
	return filepath.Join(archive, sha[:2], sha)
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
