package output

import (
	"iter"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
)

// DocumentID is the id of a file by its content: the first 16 hex digits
// of its sha256. A report's id is its document's: nianbao makes one report
// of each distinct body, however many paths or URLs it was found at.
func DocumentID(sha256 string) string { return sha256[:min(16, len(sha256))] }

// DocumentsFile is the name of the crawl's dataset in an output directory.
const DocumentsFile = "documents.parquet"

// DocumentRow is what a crawl recorded of one version (revision) of a
// report page or attachment it fetched, or tried to: one row of
// documents.parquet. A string field that is "" and a number that is 0
// (a zero FetchedAt) mean not known, and are written as NULL; so is Size
// when no body was fetched (SHA256 ""). Reading the file back into a
// DocumentRow turns them into "" and 0 again.
type DocumentRow struct {
	URL         string    `parquet:"url"`
	Site        string    `parquet:"site"`
	Agency      string    `parquet:"agency"`
	Listed      string    `parquet:"listed"`   // the department's or township's sub-column that listed it
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

// documentRecord is the schema of documents.parquet: a DocumentRow with
// NULL for what is not known.
type documentRecord struct {
	URL         string     `parquet:"url"`
	Site        string     `parquet:"site,dict"`
	Agency      *string    `parquet:"agency,optional,dict"`
	Listed      *string    `parquet:"listed,optional,dict"`
	Kind        string     `parquet:"kind,dict"`
	PageURL     *string    `parquet:"page_url,optional"`
	Title       *string    `parquet:"title,optional"`
	Year        *int32     `parquet:"year,optional"`
	PublishDate *int32     `parquet:"publish_date,optional,date"`
	SHA256      *string    `parquet:"sha256,optional"`
	DocumentID  *string    `parquet:"document_id,optional"`
	Size        *int64     `parquet:"size,optional"`
	ContentType *string    `parquet:"content_type,optional,dict"`
	Status      string     `parquet:"status,dict"`
	HTTPStatus  *int32     `parquet:"http_status,optional,dict"`
	Error       *string    `parquet:"error,optional"`
	FetchedAt   *time.Time `parquet:"fetched_at,optional,timestamp(millisecond)"`
	Revision    *int32     `parquet:"revision,optional"`
}

func orNull[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func (r *DocumentRow) record() documentRecord {
	d := documentRecord{URL: r.URL, Site: r.Site, Agency: orNull(r.Agency), Listed: orNull(r.Listed), Kind: r.Kind, PageURL: orNull(r.PageURL),
		Title: orNull(r.Title), Year: r.Year, PublishDate: r.PublishDate, SHA256: orNull(r.SHA256), ContentType: orNull(r.ContentType),
		Status: r.Status, HTTPStatus: orNull(r.HTTPStatus), Error: orNull(r.Error), Revision: orNull(r.Revision)}
	if r.SHA256 != "" {
		d.Size = &r.Size
		id := DocumentID(r.SHA256)
		d.DocumentID = &id
	}
	if !r.FetchedAt.IsZero() {
		d.FetchedAt = &r.FetchedAt
	}
	return d
}

// Date returns the Parquet DATE value (days since 1970-01-01) of the
// calendar day t falls on, for DocumentRow.PublishDate.
func Date(t time.Time) *int32 {
	d := int32(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
	return &d
}

// WriteDocuments writes rows to dir/documents.parquet (zstd-compressed,
// with o's version in its metadata) through a temporary file renamed over
// it once complete and synced:
// readers see the old file or the new one, and no temporary file is left
// behind on an error; those of a killed earlier call are removed first.
// Strings that are not valid UTF-8 are written with their bad bytes
// replaced by U+FFFD, and the row's error says in which fields.
func WriteDocuments(dir string, rows []DocumentRow, o Options) error {
	return WriteDocumentsFrom(dir, func(yield func(DocumentRow, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}, o)
}

// WriteDocumentsFrom is WriteDocuments of the rows rows yields, holding a
// row group at a time: a national crawl records hundreds of thousands of
// documents. The first error rows yields stops the writing, leaving no
// file.
func WriteDocumentsFrom(dir string, rows iter.Seq2[DocumentRow, error], o Options) error {
	final := filepath.Join(dir, DocumentsFile)
	if entries, err := os.ReadDir(dir); err == nil {
		for _, e := range entries {
			if name := e.Name(); e.Type().IsRegular() && (strings.HasPrefix(name, "."+DocumentsFile+".tmp-") || leftover(name) && strings.HasPrefix(name, ".documents-")) {
				os.Remove(filepath.Join(dir, name))
			}
		}
	}
	return writeAtomic(final, func(f *os.File) error {
		w := parquet.NewGenericWriter[documentRecord](f, writerOptions(o)...)
		batch := make([]documentRecord, 0, documentBatch)
		flush := func() error {
			_, err := w.Write(batch)
			batch = batch[:0]
			return err
		}
		for r, err := range rows {
			if err != nil {
				return err
			}
			r = validDocument(r)
			if batch = append(batch, r.record()); len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		return w.Close()
	})
}

// documentBatch is how many rows are encoded at once.
const documentBatch = 1024

// WriteDocuments adds documents.parquet, the crawl's records, to the
// dataset being written.
func (w *Writer) WriteDocuments(rows []DocumentRow) error {
	return WriteDocuments(w.dir, rows, w.opts)
}

// WriteDocumentsFrom is WriteDocuments of the rows rows yields.
func (w *Writer) WriteDocumentsFrom(rows iter.Seq2[DocumentRow, error]) error {
	return WriteDocumentsFrom(w.dir, rows, w.opts)
}

// validDocument returns r with every string valid UTF-8; its error says in
// which fields bytes were replaced.
func validDocument(r DocumentRow) DocumentRow {
	var u utf8Fixer
	r.URL, r.Site, r.Agency, r.Kind = u.str("url", r.URL), u.str("site", r.Site), u.str("agency", r.Agency), u.str("kind", r.Kind)
	r.PageURL, r.Title, r.SHA256 = u.str("page_url", r.PageURL), u.str("title", r.Title), u.str("sha256", r.SHA256)
	r.Listed = u.str("listed", r.Listed)
	r.ContentType, r.Status, r.Error = u.str("content_type", r.ContentType), u.str("status", r.Status), u.str("error", r.Error)
	if len(u.fields) == 0 {
		return r
	}
	note := "invalid UTF-8 replaced in " + strings.Join(u.fields, ", ")
	if r.Error != "" {
		note = r.Error + "; " + note
	}
	r.Error = note
	return r
}
