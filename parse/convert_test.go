package parse

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestParseWordWithoutConverter(t *testing.T) {
	saved := lookConverter
	lookConverter = func() string { return "" }
	defer func() { lookConverter = saved }()
	d, err := Parse(context.Background(), "report.wps", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != StatusNeedsConverter || !hasCode(d, CodeConverterMissing) {
		t.Fatalf("status %q, warnings %v; want needs_converter and %s", d.Status, d.Warnings, CodeConverterMissing)
	}
	if !strings.Contains(d.Warnings[0].Message, converterPackage) {
		t.Errorf("warning %q does not name the package %s", d.Warnings[0].Message, converterPackage)
	}
}

// TestParseWordLibreOffice converts the committed .doc and .wps fixtures;
// CI installs LibreOffice (libreoffice-writer-nogui).
func TestParseWordLibreOffice(t *testing.T) {
	if lookConverter() == "" {
		t.Skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
	}
	if testing.Short() {
		t.Skip("converting with LibreOffice takes seconds")
	}
	for _, f := range []string{"../testdata/word/doc-2019-libreoffice/report.doc", "../testdata/word/wps-2021-libreoffice/report.wps"} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(context.Background(), f, data)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != StatusOK || d.Format != FormatWord || len(tables(d)) < 3 {
			t.Errorf("%s: status %q, format %s, %d tables; warnings %v", f, d.Status, d.Format, len(tables(d)), d.Warnings)
		}
	}
	d, _ := Parse(context.Background(), "junk.doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 600)...))
	if d.Status != StatusFailed || !hasCode(d, CodeConvertFailed) {
		t.Errorf("junk OLE: status %q, warnings %v; want failed and %s", d.Status, d.Warnings, CodeConvertFailed)
	}
}
