package parse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Word 97–2003 (.doc) and Kingsoft WPS Writer (.wps) files are OLE
// compound files whose text sits in a piece table and whose tables are
// paragraphs ended by cell marks, with the grid, spans and merges in
// binary table properties (sprmTDefTable, sprmTMerge, …). No pure-Go
// reader kept up to date reads those tables: the ones there are
// (doc2txt, msdoc, doc-go) extract the running text only, which loses
// every column. So nianbao converts the file to DOCX with LibreOffice,
// which reads both formats faithfully, and reads the DOCX. LibreOffice is
// optional: without it the document is needs_converter and its warning
// names the Debian package to install.

// Conversion limits.
const (
	// convertTimeout is the most one conversion may take. A cold start of
	// LibreOffice with a fresh profile takes 3–10 s on one core, a report
	// converts in under a second; a file that takes longer is stuck.
	convertTimeout = 60 * time.Second
	// maxConvertInput is the largest OLE file handed to the converter: a
	// report with its seal images is a few MiB.
	maxConvertInput = 64 << 20
	// converterPackage is what to install for the conversion.
	converterPackage = "libreoffice-writer-nogui"
)

// Warning codes of the conversion.
const (
	CodeConverterMissing Code = "convert.missing" // LibreOffice is not installed
	CodeConvertFailed    Code = "convert.failed"  // LibreOffice could not convert the file
)

// converterNames are the commands tried, in order, to find LibreOffice.
var converterNames = []string{"soffice", "libreoffice"}

// lookConverter returns the path of LibreOffice, "" when not installed.
// A variable so that tests can pretend it is missing.
var lookConverter = func() string {
	for _, n := range converterNames {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// ParseWord reads an OLE Word document (.doc, .wps) by converting it to
// DOCX with LibreOffice and parsing that. name's extension is kept for
// the converter, which picks its import filter by content anyway.
func ParseWord(ctx context.Context, name string, data []byte) (*Document, error) {
	doc := &Document{Format: FormatWord, Meta: map[string]string{}}
	soffice := lookConverter()
	if soffice == "" {
		doc.Status = StatusNeedsConverter
		doc.Warnings = append(doc.Warnings, Warning{Code: CodeConverterMissing,
			Message: fmt.Sprintf("%s: Word 97/WPS files are read through LibreOffice, which is not installed (Debian package %s)", filepath.Base(name), converterPackage)})
		return doc, nil
	}
	if len(data) > maxConvertInput {
		doc.Status = StatusFailed
		doc.Warnings = append(doc.Warnings, limitWarning("the file's size", maxConvertInput, Loc{}))
		return doc, nil
	}
	docx, err := convertToDOCX(ctx, soffice, name, data)
	if err != nil {
		if ctx.Err() != nil {
			stopped(ctx, doc, Loc{})
			return doc, nil
		}
		doc.Status = StatusFailed
		doc.Warnings = append(doc.Warnings, Warning{Code: CodeConvertFailed, Message: fmt.Sprintf("%s: %v", filepath.Base(name), err)})
		return doc, nil
	}
	out, err := ParseDOCX(ctx, docx)
	if out != nil {
		out.Format = FormatWord
		out.Meta["converted_by"] = "libreoffice"
	}
	return out, err
}

// convertToDOCX runs LibreOffice on data in a temporary directory of its
// own, with its own user profile so that conversions may run side by side
// and never touch a user's settings, and returns the DOCX it wrote.
func convertToDOCX(ctx context.Context, soffice, name string, data []byte) ([]byte, error) {
	dir, err := os.MkdirTemp("", "nianbao-convert-")
	if err != nil {
		return nil, fmt.Errorf("converting: %w", err)
	}
	defer os.RemoveAll(dir)
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".doc" && ext != ".wps" {
		ext = ".doc"
	}
	in := filepath.Join(dir, "in"+ext)
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, fmt.Errorf("converting: %w", err)
	}
	outDir := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(ctx, convertTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "--nologo", "--nolockcheck",
		"-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--convert-to", "docx:MS Word 2007 XML", "--outdir", outDir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &limitedWriter{w: &stderr, n: 4096}
	killGroup(cmd)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("LibreOffice stopped after %v: %w", convertTimeout, context.Cause(ctx))
		}
		return nil, fmt.Errorf("LibreOffice: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	b, err := readCapped(filepath.Join(outDir, "in.docx"), maxConvertInput*4)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("LibreOffice wrote no DOCX (not a text document?): %s", strings.TrimSpace(stderr.String()))
	}
	return b, err
}

// readCapped reads a file of at most limit bytes.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = fmt.Errorf("the converted DOCX is larger than %d bytes", limit)
	}
	return b, err
}

// limitedWriter keeps the first n bytes written to it.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		l.w.Write(p[:k])
	}
	return len(p), nil
}
