package output

import (
	"fmt"
	"os"
	"path/filepath"
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

// WriteDocuments writes rows to dir/documents.parquet (zstd-compressed),
// replacing any earlier file only once the new one is complete.
func WriteDocuments(dir string, rows []DocumentRow) (err error) {
	final := filepath.Join(dir, DocumentsFile)
	f, err := os.CreateTemp(dir, ".documents-*.parquet")
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := parquet.NewGenericWriter[DocumentRow](f, parquet.Compression(&zstd.Codec{}))
	if _, err := w.Write(rows); err != nil {
		return fmt.Errorf("output: %s: %w", final, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("output: %s: %w", final, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("output: %s: %w", final, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("output: %s: %w", final, err)
	}
	if err := os.Rename(f.Name(), final); err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}
