package output

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"
)

// The health report of a crawl's sites, beside the data.
const (
	SitesFile    = "sites.parquet"
	SitesCSVFile = "sites.csv"
)

// SiteRow is one row of sites.parquet (and sites.csv): the health of one
// site of the registry after the run, for the operators of a scheduled
// crawl. The dictionary's Columns section says what each column holds.
type SiteRow struct {
	Site          string     `parquet:"site"`
	Agency        string     `parquet:"agency"`
	Level         *string    `parquet:"level,optional,dict"`
	Code          *string    `parquet:"code,optional"`
	Path          *string    `parquet:"path,optional"`
	Reachable     bool       `parquet:"reachable"`
	Column        *string    `parquet:"column_url,optional"`
	ColumnHow     *string    `parquet:"column_how,optional,dict"`
	Confidence    *float64   `parquet:"column_confidence,optional"`
	Reports       int32      `parquet:"reports"`
	ReportYears   []int32    `parquet:"report_years,list"`
	ReportsByYear []int32    `parquet:"reports_by_year,list"`
	LastFinished  *time.Time `parquet:"last_finished,optional,timestamp(millisecond)"`
	LastError     *string    `parquet:"last_error,optional"`
}

// WriteSites adds sites.parquet and sites.csv to the dataset being
// written.
func (w *Writer) WriteSites(rows []SiteRow) error {
	var u utf8Fixer
	for i := range rows {
		r := &rows[i]
		r.Site, r.Agency = u.str("sites.site", r.Site), u.str("sites.agency", r.Agency)
		if r.Path != nil {
			p := u.str("sites.path", *r.Path)
			r.Path = &p
		}
	}
	var b bytes.Buffer
	pw := parquet.NewGenericWriter[SiteRow](&b, writerOptions(w.opts)...)
	if _, err := pw.Write(rows); err != nil {
		return fmt.Errorf("output: sites: %w", err)
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("output: sites: %w", err)
	}
	// A row per site of the registry: small, written whole.
	if err := writeNew(filepath.Join(w.dir, SitesFile), b.Bytes()); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	if err := writeNew(filepath.Join(w.dir, SitesCSVFile), sitesCSV(rows)); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

// sitesCSV is rows as CSV for a spreadsheet: the years as "2022:1 2023:2".
func sitesCSV(rows []SiteRow) []byte {
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write([]string{"site", "agency", "level", "code", "path", "reachable", "column_url", "column_how", "column_confidence", "reports", "reports_by_year", "last_finished", "last_error"})
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	for _, r := range rows {
		years := ""
		for i, y := range r.ReportYears {
			if i > 0 {
				years += " "
			}
			years += strconv.Itoa(int(y)) + ":" + strconv.Itoa(int(r.ReportsByYear[i]))
		}
		conf, last := "", ""
		if r.Confidence != nil {
			conf = strconv.FormatFloat(*r.Confidence, 'f', 2, 64)
		}
		if r.LastFinished != nil {
			last = r.LastFinished.Format(time.RFC3339)
		}
		cw.Write([]string{r.Site, r.Agency, s(r.Level), s(r.Code), s(r.Path), strconv.FormatBool(r.Reachable), s(r.Column), s(r.ColumnHow), conf,
			strconv.Itoa(int(r.Reports)), years, last, s(r.LastError)})
	}
	cw.Flush()
	return b.Bytes()
}
