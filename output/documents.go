package output

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
)

// DocumentsFile is the name of the crawl's dataset in an output directory.
const DocumentsFile = "documents.parquet"

// DocumentRow is one row of documents.parquet: one version (revision) of a
// report page or attachment the crawler fetched, or tried to.
type DocumentRow struct {
	URL         string    `parquet:"url"`
	Site        string    `parquet:"site"`
	Agency      string    `parquet:"agency"`
	Kind        string    `parquet:"kind"`     // report (HTML page) or attachment
	PageURL     string    `parquet:"page_url"` // attachments: the page linking to them
	Title       string    `parquet:"title"`
	Year        *int32    `parquet:"year,optional"`
	PublishDate *int32    `parquet:"publish_date,optional,date"` // days since 1970-01-01; see Date
	SHA256      string    `parquet:"sha256"`                     // "" when no body was ever fetched
	Size        int64     `parquet:"size"`
	ContentType string    `parquet:"content_type"`
	Status      string    `parquet:"status"`
	HTTPStatus  int32     `parquet:"http_status"`
	Error       string    `parquet:"error"`
	FetchedAt   time.Time `parquet:"fetched_at,timestamp(millisecond)"`
	Revision    int32     `parquet:"revision"`
}

// Date returns the Parquet DATE value (days since 1970-01-01) of the
// calendar day t falls on, for DocumentRow.PublishDate.
func Date(t time.Time) *int32 {
	d := int32(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
	return &d
}

// WriteDocuments writes rows to dir/documents.parquet (zstd-compressed)
// through a temporary file renamed over it once complete and synced:
// readers see the old file or the new one, and no temporary file is left
// behind on an error; those of a killed earlier call are removed first.
// Strings that are not valid UTF-8 are written with their bad bytes
// replaced by U+FFFD, and the row's error says in which fields.
func WriteDocuments(dir string, rows []DocumentRow) error {
	final := filepath.Join(dir, DocumentsFile)
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if name := e.Name(); e.Type().IsRegular() && (strings.HasPrefix(name, "."+DocumentsFile+".tmp-") || leftover(name) && strings.HasPrefix(name, ".documents-")) {
				os.Remove(filepath.Join(dir, name))
			}
		}
	}
	rows = validDocuments(rows)
	return writeAtomic(final, func(f *os.File) error {
		w := parquet.NewGenericWriter[DocumentRow](f, parquet.Compression(&zstd.Codec{}))
		if _, err := w.Write(rows); err != nil {
			return err
		}
		return w.Close()
	})
}

// WriteDocuments adds documents.parquet, the crawl's records, to the
// dataset being written.
func (w *Writer) WriteDocuments(rows []DocumentRow) error {
	return WriteDocuments(w.dir, rows)
}

// validDocuments returns rows with every string valid UTF-8, copying only
// if one was not.
func validDocuments(rows []DocumentRow) []DocumentRow {
	var out []DocumentRow
	for i := range rows {
		var u utf8Fixer
		r := rows[i]
		r.URL, r.Site, r.Agency, r.Kind = u.str("url", r.URL), u.str("site", r.Site), u.str("agency", r.Agency), u.str("kind", r.Kind)
		r.PageURL, r.Title, r.SHA256 = u.str("page_url", r.PageURL), u.str("title", r.Title), u.str("sha256", r.SHA256)
		r.ContentType, r.Status, r.Error = u.str("content_type", r.ContentType), u.str("status", r.Status), u.str("error", r.Error)
		if len(u.fields) == 0 {
			if out != nil {
				out = append(out, r)
			}
			continue
		}
		if out == nil {
			out = append(make([]DocumentRow, 0, len(rows)), rows[:i]...)
		}
		note := "invalid UTF-8 replaced in " + strings.Join(u.fields, ", ")
		if r.Error != "" {
			note = r.Error + "; " + note
		}
		r.Error = note
		out = append(out, r)
	}
	if out == nil {
		return rows
	}
	return out
}
