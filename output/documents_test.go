package output

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

func TestWriteDocumentsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	year := int32(2023)
	date := time.Date(2024, 3, 8, 0, 0, 0, 0, time.UTC)
	fetched := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	rows := []DocumentRow{
		{URL: "https://example.gov.cn/nb/t1.htm", Site: "s", Agency: "某某县人民政府", Kind: "report", Title: "2023年政府信息公开工作年度报告",
			Year: &year, PublishDate: Date(date), SHA256: "ab", Size: 10, ContentType: "text/html", Status: "superseded", HTTPStatus: 200, FetchedAt: fetched, Revision: 1},
		{URL: "https://example.gov.cn/nb/a.pdf", Site: "s", Kind: "attachment", PageURL: "https://example.gov.cn/nb/t1.htm", Status: "failed",
			HTTPStatus: 404, Error: "Not Found", FetchedAt: fetched},
	}
	if err := WriteDocuments(dir, rows, Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := parquet.ReadFile[DocumentRow](filepath.Join(dir, DocumentsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("read %d rows, want 2", len(got))
	}
	g := got[0]
	if g.URL != rows[0].URL || g.Title != rows[0].Title || g.Year == nil || *g.Year != 2023 ||
		g.PublishDate == nil || *g.PublishDate != 19790 || !g.FetchedAt.Equal(fetched) || g.Revision != 1 {
		t.Errorf("row 0 = %+v", g)
	}
	if got[1].Year != nil || got[1].PublishDate != nil || got[1].Error != "Not Found" || got[1].HTTPStatus != 404 {
		t.Errorf("row 1 = %+v", got[1])
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only %s", len(entries), DocumentsFile)
	}
}
