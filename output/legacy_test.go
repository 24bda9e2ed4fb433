package output

import (
	"os"
	"path/filepath"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/opengov-cn/nianbao/normalize"
)

// The rows of schema 1, the flat layout nianbao wrote before the year
// partitions: what the tests adopt as an older nianbao's directory and the
// benchmark compares the current layout with.
type (
	legacyReportRow struct {
		ReportID     string   `parquet:"report_id"`
		Source       string   `parquet:"source"`
		Revision     *int32   `parquet:"revision,optional"`
		SHA256       string   `parquet:"sha256"`
		Format       string   `parquet:"format"`
		Template     string   `parquet:"template"`
		Year         *int32   `parquet:"year,optional"`
		Agency       string   `parquet:"agency"`
		Title        string   `parquet:"title"`
		ParseStatus  string   `parquet:"parse_status"`
		IsCurrent    bool     `parquet:"is_current"`
		SupersededBy *string  `parquet:"superseded_by,optional"`
		Warnings     []string `parquet:"warnings,list"`
		Cells        int32    `parquet:"cells"`
		ChecksFailed int32    `parquet:"checks_failed"`
	}
	legacyCellRow struct {
		ReportID   string    `parquet:"report_id"`
		Table      string    `parquet:"table"`
		Row        string    `parquet:"row"`
		Col        string    `parquet:"col"`
		Key        string    `parquet:"key"`
		Value      *float64  `parquet:"value,optional"`
		Raw        string    `parquet:"raw"`
		Label      string    `parquet:"label"`
		Line       *int32    `parquet:"line,optional"`
		Page       *int32    `parquet:"page,optional"`
		TableIndex int32     `parquet:"table_index"`
		GridRow    int32     `parquet:"grid_row"`
		GridCol    int32     `parquet:"grid_col"`
		BBox       []float64 `parquet:"bbox,list"`
	}
	legacyCheckRow struct {
		ReportID string   `parquet:"report_id"`
		CheckID  string   `parquet:"check_id"`
		Identity string   `parquet:"identity"`
		Status   string   `parquet:"status"`
		LHS      *float64 `parquet:"lhs,optional"`
		RHS      *float64 `parquet:"rhs,optional"`
		Delta    *float64 `parquet:"delta,optional"`
		Cells    []string `parquet:"cells,list"`
		Message  string   `parquet:"message"`
	}
)

// legacyWriter writes the three files of schema 1 into a directory as
// nianbao did then: in the order written, zstd, row groups of 64k rows.
type legacyWriter struct {
	files   []*os.File
	reports *parquet.GenericWriter[legacyReportRow]
	cells   *parquet.GenericWriter[legacyCellRow]
	checks  *parquet.GenericWriter[legacyCheckRow]
	cellBuf []legacyCellRow
}

func newLegacyWriter(dir string) (*legacyWriter, error) {
	w := &legacyWriter{}
	opts := []parquet.WriterOption{parquet.Compression(&zstd.Codec{}), parquet.MaxRowsPerRowGroup(rowGroupRows)}
	for _, name := range []string{"reports.parquet", "cells.parquet", "checks.parquet"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		w.files = append(w.files, f)
	}
	w.reports = parquet.NewGenericWriter[legacyReportRow](w.files[0], opts...)
	w.cells = parquet.NewGenericWriter[legacyCellRow](w.files[1], opts...)
	w.checks = parquet.NewGenericWriter[legacyCheckRow](w.files[2], opts...)
	return w, nil
}

func (w *legacyWriter) write(r *normalize.Report) error {
	rr := legacyReportRow{ReportID: r.ID, Source: r.Source, SHA256: r.SHA256, Format: r.Format, Template: r.Template,
		Agency: r.Agency, Title: r.Title, ParseStatus: string(r.Status), IsCurrent: r.SupersededBy == "", Cells: int32(len(r.Cells))}
	if r.Year > 0 {
		y := int32(r.Year)
		rr.Year = &y
	}
	for _, wn := range r.Warnings {
		rr.Warnings = append(rr.Warnings, wn.String())
	}
	var checks []legacyCheckRow
	for _, c := range r.Checks {
		if c.Status == normalize.CheckFail {
			rr.ChecksFailed++
		}
		checks = append(checks, legacyCheckRow{ReportID: r.ID, CheckID: c.ID, Identity: c.Identity, Status: string(c.Status),
			LHS: c.LHS, RHS: c.RHS, Delta: c.Delta, Cells: c.Cells, Message: c.Message})
	}
	w.cellBuf = w.cellBuf[:0]
	for _, c := range r.Cells {
		row := legacyCellRow{ReportID: r.ID, Table: string(c.Table), Row: c.Row, Col: c.Col, Key: c.Key(), Value: c.Value, Raw: c.Raw,
			Label: c.Label, TableIndex: int32(c.Loc.Table - 1), GridRow: int32(c.Loc.Row - 1), GridCol: int32(c.Loc.Col - 1)}
		if c.Loc.Line > 0 {
			l := int32(c.Loc.Line)
			row.Line = &l
		}
		if c.Loc.Page > 0 {
			p := int32(c.Loc.Page)
			row.Page = &p
			row.BBox = c.Loc.BBox[:]
		}
		w.cellBuf = append(w.cellBuf, row)
	}
	if _, err := w.reports.Write([]legacyReportRow{rr}); err != nil {
		return err
	}
	if _, err := w.cells.Write(w.cellBuf); err != nil {
		return err
	}
	_, err := w.checks.Write(checks)
	return err
}

func (w *legacyWriter) close() error {
	for _, err := range []error{w.reports.Close(), w.cells.Close(), w.checks.Close()} {
		if err != nil {
			return err
		}
	}
	for _, f := range w.files {
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
