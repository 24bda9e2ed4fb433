package output

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/opengov-cn/nianbao/parse"
)

// ColumnDoc documents one column of one table of the dataset.
type ColumnDoc struct {
	Table   string // reports, cells, checks or documents
	Name    string
	Type    string // as DuckDB reads it
	Meaning string
}

// The tables of a dataset, as the dictionary names them.
const (
	TableReports   = "reports"
	TableCells     = "cells"
	TableChecks    = "checks"
	TableDocuments = "documents"
	TablePositions = "positions"
	TableSummary   = "summary"
	TableSites     = "sites"
)

// yearPartition is the meaning of the year of the partitioned tables.
const yearPartition = "the report's year, from the partition directory `year=Y` (read with `hive_partitioning = true`); NULL when not known (`year=" + UnknownYear + "`)"

// Columns documents every column of every table of the dataset, in the
// order of the files; a test holds it to the Parquet schemas.
var Columns = append(baseColumns, summaryDocs()...)

// summaryDocs documents summary.parquet: its report columns, and each
// number column by its keys, in the words of the template.
func summaryDocs() []ColumnDoc {
	docs := []ColumnDoc{
		{TableSummary, "report_id", "VARCHAR", "the report (reports.report_id)"},
		{TableSummary, "agency_id", "VARCHAR", "as reports.agency_id"},
		{TableSummary, "agency", "VARCHAR", "as reports.agency"},
		{TableSummary, "year", "INTEGER", "as reports.year"},
		{TableSummary, "template", "VARCHAR", "as reports.template"},
		{TableSummary, "parse_status", "VARCHAR", "as reports.parse_status: a number of a `partial` report may be missing"},
		{TableSummary, "checks_failed", "INTEGER", "as reports.checks_failed"},
	}
	for _, c := range summaryColumns {
		var words []string
		for _, k := range c.keys {
			words = append(words, "`"+k+"` ("+keyWords(k)+")")
		}
		m := strings.Join(words, " + ") + "; NULL when not printed as a number"
		if len(c.keys) > 1 {
			m = "the sum of " + strings.Join(words, " and ") + "; NULL when neither is printed as a number"
		}
		docs = append(docs, ColumnDoc{TableSummary, c.name, "DOUBLE", m})
	}
	return docs
}

// keyWords is a cell key in words: its row's and column's English.
func keyWords(key string) string {
	parts := strings.SplitN(key, "/", 3)
	if len(parts) != 3 {
		return key
	}
	row, col := parts[1], parts[2]
	for _, r := range normalize.Rows {
		if string(r.Table) == parts[0] && r.Key == row {
			row = r.English
			break
		}
	}
	for _, c := range normalize.Cols {
		if string(c.Table) == parts[0] && c.Key == col {
			col = c.English
			break
		}
	}
	return row + ", " + col
}

var baseColumns = []ColumnDoc{
	{TableReports, "report_id", "VARCHAR", "first 16 hex digits of the document's sha256 (of its path, for a file that could not be read); joins cells and checks"},
	{TableReports, "source", "VARCHAR", "the path or URL the document was read from"},
	{TableReports, "sources", "VARCHAR[]", "every path or URL the same bytes were found at (a file given twice, an attachment under two URLs), source first: one report, not one per copy"},
	{TableReports, "revision", "INTEGER", "crawled documents: 1 for the first version fetched, +1 per change; NULL for files parsed from disk"},
	{TableReports, "sha256", "VARCHAR", "of the document's bytes"},
	{TableReports, "document_id", "VARCHAR", "the id of the file by its content (the first 16 hex digits of sha256; documents.document_id): the same bytes at two paths or URLs are one document and one report, with both in sources; equal to report_id, which also names the report's cells and checks; NULL for a file that could not be read"},
	{TableReports, "format", "VARCHAR", "`html`, `txt`, `pdf`, `doc` or `unknown`, from the bytes, not the file name"},
	{TableReports, "template", "VARCHAR", "`2019`, `2021` or `unknown`: detected from the tables' labels, never from the year"},
	{TableReports, "year", "INTEGER", "the year the report covers; NULL when not found"},
	{TableReports, "agency", "VARCHAR", "the agency that published it (the registry's name when it names the same body as the report); NULL when not found"},
	{TableReports, "agency_id", "VARCHAR", "a stable id of the agency across years and ways of printing its name (12 hex digits of the sha256 of its normalised name); NULL when no name is known"},
	{TableReports, "agency_printed", "VARCHAR", "the agency as the report itself prints it; NULL when it prints none"},
	{TableReports, "agency_registry", "VARCHAR", "the agency the crawl registry names for the site; NULL for files given by path"},
	{TableReports, "title", "VARCHAR", "NULL when not found"},
	{TableReports, "parse_status", "VARCHAR", "`ok`, `partial`, `failed`, `unsupported`, `needs_ocr`, `needs_converter`, `garbled` or `encrypted` (see the README)"},
	{TableReports, "is_current", "BOOLEAN", "false for an earlier version of a document that was revised"},
	{TableReports, "superseded_by", "VARCHAR", "the report_id of the version that replaced it; NULL for a current report"},
	{TableReports, "warnings", "VARCHAR[]", "each warning: its code (see Warning codes), the message, the place in the document; [] when none"},
	{TableReports, "cell_count", "INTEGER", "the report's rows in cells"},
	{TableReports, "checks_failed", "INTEGER", "the report's rows in checks with status `fail`"},

	{TableCells, "report_id", "VARCHAR", "the report (reports.report_id)"},
	{TableCells, "table_id", "VARCHAR", "`t2`, `t3` or `t4`"},
	{TableCells, "row_key", "VARCHAR", "the template row (see the tables below); a local sub-row as parent[printed label]"},
	{TableCells, "col_key", "VARCHAR", "the template column"},
	{TableCells, "key", "VARCHAR", "`table_id/row_key/col_key`, e.g. `t3/new_received/total`; the files are sorted by it"},
	{TableCells, "value", "DOUBLE", "the number; NULL where the report prints the cell blank (blank is never 0); money in 万元"},
	{TableCells, "raw", "VARCHAR", "the text as printed ('' for a blank cell)"},
	{TableCells, "label", "VARCHAR", "the row label as printed"},
	{TableCells, "origin", "VARCHAR", "`ocr` when the cell was read by OCR from a page image (a scan); NULL when read from the document's text"},
	{TableCells, "confidence", "DOUBLE", "how sure OCR was of the cell, 0 to 1 (its least sure word); NULL when not read by OCR. A number OCR was unsure of is left NULL in value, with an `ocr.unsure` warning"},
	{TableCells, "year", "BIGINT", yearPartition},

	{TablePositions, "report_id", "VARCHAR", "the report (reports.report_id); the files are sorted by it"},
	{TablePositions, "key", "VARCHAR", "the cell (cells.key): join on report_id and key"},
	{TablePositions, "line", "INTEGER", "line of the source (HTML, text), from 1; NULL otherwise"},
	{TablePositions, "page", "INTEGER", "page (PDF), from 1; NULL otherwise"},
	{TablePositions, "table_index", "INTEGER", "the table among the document's tables, from 1; NULL when not known"},
	{TablePositions, "grid_row", "INTEGER", "row within that table, from 1; NULL when not known"},
	{TablePositions, "grid_col", "INTEGER", "grid column within the row, from 1; NULL when not known"},
	{TablePositions, "bbox", "DOUBLE[]", "[x0, y0, x1, y1] in PDF points, rounded to 1/100 pt; NULL off PDFs"},
	{TablePositions, "year", "BIGINT", yearPartition},

	{TableChecks, "report_id", "VARCHAR", "the report (reports.report_id)"},
	{TableChecks, "check_id", "VARCHAR", "the check family's id with its row or column, e.g. `t3.balance.total` (see Checks); the files are sorted by it"},
	{TableChecks, "identity", "VARCHAR", "the identity in words"},
	{TableChecks, "status", "VARCHAR", "`pass`, `fail`, `not_assessable`, or `hint` (a soft flag of a check across reports)"},
	{TableChecks, "lhs", "DOUBLE", "the sum side as printed (blank addends skipped); NULL when it has no number"},
	{TableChecks, "rhs", "DOUBLE", "the total side; NULL when it has no number"},
	{TableChecks, "delta", "DOUBLE", "lhs − rhs; NULL unless both are numbers"},
	{TableChecks, "cell_keys", "VARCHAR[]", "the keys of the cells involved; `<report_id>:<key>` for the checks across reports (`x.*`)"},
	{TableChecks, "message", "VARCHAR", "the outcome in words"},
	{TableChecks, "year", "BIGINT", yearPartition},

	{TableSites, "site", "VARCHAR", "the registry's name for the site"},
	{TableSites, "agency", "VARCHAR", "the agency the registry names"},
	{TableSites, "level", "VARCHAR", "`province`, `prefecture` or `county` (the national registry); NULL when not known"},
	{TableSites, "code", "VARCHAR", "the 2023 division code (统计用区划代码); NULL when not known"},
	{TableSites, "path", "VARCHAR", "the 省/市/县 name path of the national registry, e.g. 江苏省/淮安市/洪泽区; NULL when not known"},
	{TableSites, "reachable", "BOOLEAN", "a page of the site answered (2xx or 304) in its last run"},
	{TableSites, "column_url", "VARCHAR", "where its reports are listed: the start URL a curated site gives, or the 年报 column discovery found; NULL when none was found"},
	{TableSites, "column_how", "VARCHAR", "how the column is known: `given`, or discovery's `meta` (ColumnName/ColumnType), `list` (it lists reports by title), `meta+list`, `script` (its script draws the list from JSON), or — when the site has only departments' and townships' sub-columns — `sub` or `platform` (a platform keyed by agency code); NULL when none"},
	{TableSites, "column_confidence", "DOUBLE", "0 to 1 (1 for a given column); NULL when none"},
	{TableSites, "reports", "INTEGER", "report pages and attachments fetched with a body, all versions, those of its departments' and townships' sub-columns included"},
	{TableSites, "report_years", "INTEGER[]", "the years the reports cover, ascending (0: not known)"},
	{TableSites, "reports_by_year", "INTEGER[]", "the reports of each of report_years"},
	{TableSites, "last_finished", "TIMESTAMP WITH TIME ZONE", "when a run last got to the end of the site; NULL when none did"},
	{TableSites, "last_error", "VARCHAR", "why a start URL could not be fetched, the latest; NULL when none"},

	{TableDocuments, "url", "VARCHAR", "the URL fetched"},
	{TableDocuments, "site", "VARCHAR", "the registry's name for the site"},
	{TableDocuments, "agency", "VARCHAR", "the agency the registry names for the site; NULL when none"},
	{TableDocuments, "listed", "VARCHAR", "the department or township whose sub-column of the site listed it (县公安局, 城关镇), as the site names it; NULL for the site's own column"},
	{TableDocuments, "kind", "VARCHAR", "`report` (an HTML page) or `attachment`"},
	{TableDocuments, "page_url", "VARCHAR", "attachments: the page linking to them; NULL for pages"},
	{TableDocuments, "title", "VARCHAR", "as the list or the page gave it; NULL when none"},
	{TableDocuments, "year", "INTEGER", "the year the title or list names; NULL when none"},
	{TableDocuments, "publish_date", "DATE", "as the site gave it; NULL when none"},
	{TableDocuments, "sha256", "VARCHAR", "of the body; NULL when no body was fetched"},
	{TableDocuments, "document_id", "VARCHAR", "the body's id, its sha256's first 16 hex digits: joins reports.document_id; NULL when no body was fetched"},
	{TableDocuments, "size", "BIGINT", "bytes of the body; NULL when no body was fetched"},
	{TableDocuments, "content_type", "VARCHAR", "as the server sent it; NULL when none"},
	{TableDocuments, "status", "VARCHAR", "`new`, `changed`, `unchanged`, `failed`, `blocked`, `truncated` or `superseded`"},
	{TableDocuments, "http_status", "INTEGER", "NULL when no response came"},
	{TableDocuments, "error", "VARCHAR", "why the fetch failed; NULL when it did not"},
	{TableDocuments, "fetched_at", "TIMESTAMP WITH TIME ZONE", "when this version was fetched; NULL when never"},
	{TableDocuments, "revision", "INTEGER", "1 for the first version fetched, +1 per change; NULL when never fetched"},
}

// tableFiles says where each table is, for the dictionary.
var tableFiles = []struct{ table, files, rows string }{
	{TableReports, "`reports.parquet`", "one row per document"},
	{TableCells, "`cells/year=*/part-0.parquet`", "one row per printed cell, partitioned by the report's year and sorted by `key`"},
	{TablePositions, "`positions/year=*/part-0.parquet`", "where each cell was printed: one row per cell with a known position, partitioned like the cells and sorted by `report_id`, then `key`"},
	{TableSummary, "`summary.parquet`", "one row per current report (`reports.is_current`) with its headline numbers as columns; each number column's canonical key is in the file's key-value metadata as `nianbao.column.<column>`"},
	{TableChecks, "`checks/year=*/part-0.parquet`", "one row per identity per report, partitioned by the report's year and sorted by `check_id`"},
	{TableSites, "`sites.parquet` (and `sites.csv`)", "one row per site of the registry after the run (datasets of `nianbao run`): its health, for the operators of a scheduled crawl"},
	{TableDocuments, "`documents.parquet`", "one row per version of each page or attachment a crawl fetched or tried to (datasets of `nianbao run`)"},
}

// Dictionary renders the data dictionary: every column of every table,
// every key with its Chinese label and an English description, every
// check family and every warning code, all from normalize's template and
// the lists of codes.
func Dictionary() string {
	var b strings.Builder
	b.WriteString("## Data dictionary\n\n")
	b.WriteString("Cells are addressed `<table_id>/<row_key>/<col_key>`. `value` is a number, or null where the report prints the cell blank (blank is never 0). Money (`*_wan`) is in 万元. Local sub-rows printed under a template row keep the parent key with the printed label in brackets, e.g. `art20_5.other_services[行政检查]`. `dictionary.csv` beside the data holds this dictionary as a table (`kind`, `table`, `key`, `label_zh`, `description_en`, `unit`, `templates`, `type`).\n\n")
	b.WriteString("### Columns\n\nNULL means not known or not applicable, never '' or []; positions count from 1.\n\n")
	for _, tf := range tableFiles {
		fmt.Fprintf(&b, "#### %s\n\n%s: %s.\n\n| column | type | meaning |\n|---|---|---|\n", tf.table, tf.files, tf.rows)
		for _, c := range Columns {
			if c.Table == tf.table {
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.Name, c.Type, c.Meaning)
			}
		}
		b.WriteString("\n")
	}
	for _, t := range normalize.Tables {
		fmt.Fprintf(&b, "### %s — %s、%s (%s)\n\n| kind | key | 中文 | English | template |\n|---|---|---|---|---|\n", t.ID, t.Number, t.Title, t.English)
		for _, r := range normalize.Rows {
			if r.Table == t.ID {
				fmt.Fprintf(&b, "| row | `%s` | %s | %s | %s |\n", r.Key, r.Label, r.English, both(r.Templates))
			}
		}
		for _, c := range normalize.Cols {
			if c.Table == t.ID {
				fmt.Fprintf(&b, "| col | `%s` | %s | %s | %s |\n", c.Key, c.Label, c.English, both(c.Templates))
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "### Checks\n\nEach check has status `%s`, `%s` or `%s` (a side of the identity has no printed number); the checks across reports (`x.*`) may also say `%s`, a soft flag. Blank cells count as absent.\n\n| check_id | identity |\n|---|---|\n",
		normalize.CheckPass, normalize.CheckFail, normalize.CheckNotAssessable, normalize.CheckHint)
	for _, f := range normalize.CheckFamilies {
		fmt.Fprintf(&b, "| `%s` | %s (%s) |\n", f.ID, f.Identity, f.Note)
	}
	b.WriteString("\n### Warning codes\n\nEvery warning in `reports.warnings` starts with its code and ends with the place in the document it is about.\n\n| code | meaning |\n|---|---|\n")
	for _, list := range [][]parse.CodeDoc{parse.ReaderCodes, normalize.MappingCodes, WriterCodes} {
		for _, c := range list {
			fmt.Fprintf(&b, "| `%s` | %s |\n", c.Code, c.Meaning)
		}
	}
	return b.String()
}

// DictionaryHeader is the header of dictionary.csv.
var DictionaryHeader = []string{"kind", "table", "key", "label_zh", "description_en", "unit", "templates", "type"}

// DictionaryCSV renders the data dictionary as the rows of
// dictionary.csv (UTF-8, without a byte-order mark): one per column of
// the dataset (kind column: table is the table, type its DuckDB type),
// per template table (table), row and column (row, col: table is t2, t3
// or t4, unit that of the column's values), check family (check) and
// warning code (warning).
func DictionaryCSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(DictionaryHeader)
	for _, c := range Columns {
		w.Write([]string{"column", c.Table, c.Name, "", plain(c.Meaning), "", "", c.Type})
	}
	for _, t := range normalize.Tables {
		w.Write([]string{"table", string(t.ID), string(t.ID), t.Number + "、" + t.Title, t.English, "", "", ""})
	}
	for _, r := range normalize.Rows {
		w.Write([]string{"row", string(r.Table), r.Key, r.Label, r.English, "", both(r.Templates), ""})
	}
	for _, c := range normalize.Cols {
		unit := "count"
		if c.Money {
			unit = "万元"
		}
		w.Write([]string{"col", string(c.Table), c.Key, c.Label, c.English, unit, both(c.Templates), ""})
	}
	for _, f := range normalize.CheckFamilies {
		w.Write([]string{"check", string(f.Table), f.ID, "", plain(f.Identity + " (" + f.Note + ")"), "", "", ""})
	}
	for _, list := range [][]parse.CodeDoc{parse.ReaderCodes, normalize.MappingCodes, WriterCodes} {
		for _, c := range list {
			w.Write([]string{"warning", "", string(c.Code), "", c.Meaning, "", "", ""})
		}
	}
	w.Flush()
	return buf.Bytes()
}

// plain drops the Markdown code quotes of a description.
func plain(s string) string { return strings.ReplaceAll(s, "`", "") }

func both(t string) string {
	if t == "" {
		return "2019, 2021"
	}
	return t
}
