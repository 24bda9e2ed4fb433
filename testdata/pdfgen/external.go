package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"time"
)

// fixedDate is the PDF date every fixture carries, so that regeneration
// is byte-stable wherever the tool allows.
const fixedDate = "20240315093000"

var fixedTime = time.Date(2024, 3, 15, 9, 30, 0, 0, time.UTC)

func run(ctx context.Context, dir string, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C.UTF-8", "QT_QPA_PLATFORM=offscreen", "XDG_RUNTIME_DIR="+dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %v\n%s", name, err, out.String())
	}
	return nil
}

func have(tool string) bool { _, err := exec.LookPath(tool); return err == nil }

// viaLibreOffice converts HTML with LibreOffice Writer's HTML import
// filter. Writer lays the page out, embeds single-byte font subsets and
// strokes every cell border.
func viaLibreOffice(ctx context.Context, name, page string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "pdfgen-lo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "report.html")
	if err := os.WriteFile(in, []byte(page), 0o644); err != nil {
		return nil, err
	}
	profile := "file://" + filepath.Join(tmp, "profile")
	if err := run(ctx, tmp, "soffice", "-env:UserInstallation="+profile, "--headless", "--norestore",
		`--infilter=HTML (StarWriter)`, "--convert-to", "pdf:writer_pdf_Export", "--outdir", tmp, in); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(tmp, "report.pdf"))
	if err != nil {
		return nil, err
	}
	return stabilize(b, name), nil
}

// viaWkhtmltopdf converts HTML with wkhtmltopdf (Qt WebKit): fonts are
// embedded whole as CID TrueType, bold without a bold face is faked by
// drawing the text twice, and lines cut by a page break are drawn on both
// pages, partly outside the page.
func viaWkhtmltopdf(ctx context.Context, name, page string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "pdfgen-wk-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "report.html")
	out := filepath.Join(tmp, "report.pdf")
	if err := os.WriteFile(in, []byte(page), 0o644); err != nil {
		return nil, err
	}
	if err := run(ctx, tmp, "wkhtmltopdf", "--quiet", "--page-size", "A4", "--encoding", "utf-8",
		"--margin-top", "18mm", "--margin-bottom", "18mm", "--margin-left", "20mm", "--margin-right", "20mm",
		"--title", name, in, out); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	return stabilize(b, name), nil
}

var (
	dateRe = regexp.MustCompile(`D:\d{14}`)
	idRe   = regexp.MustCompile(`/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]`)
	xmpRe  = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d`)
	sumRe  = regexp.MustCompile(`/DocChecksum\s*/[0-9A-Fa-f]+`)
)

// stabilize replaces creation dates and the file /ID by fixed strings of
// the same length, so the xref offsets stay valid.
func stabilize(b []byte, name string) []byte {
	b = dateRe.ReplaceAll(b, []byte("D:"+fixedDate))
	b = xmpRe.ReplaceAll(b, []byte("2024-03-15T09:30:00"))
	sum := fmt.Sprintf("%X", md5.Sum([]byte("nianbao/"+name)))
	// LibreOffice's /DocChecksum covers the (time-stamped) original.
	b = sumRe.ReplaceAllFunc(b, func(m []byte) []byte {
		i := bytes.LastIndexByte(m, '/')
		rep := []byte(string(m[:i+1]) + (sum + sum)[:len(m)-i-1])
		return rep
	})
	b = idRe.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := idRe.FindSubmatch(m)
		out := m
		for _, h := range sub[1:] {
			rep := sum
			for len(rep) < len(h) {
				rep += sum
			}
			out = bytes.Replace(out, h, []byte(rep[:len(h)]), 1)
		}
		return out
	})
	return b
}

// encrypt writes an encrypted copy of src with qpdf. The --static-id and
// --static-aes-iv switches (meant for qpdf's own tests) make the output
// byte-stable.
func encrypt(ctx context.Context, src []byte, user, owner string, bits string, extra ...string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "pdfgen-qpdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	in, out := filepath.Join(tmp, "in.pdf"), filepath.Join(tmp, "out.pdf")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		return nil, err
	}
	// extra holds encryption options; switches that are not encryption
	// options (--allow-weak-crypto) must come before --encrypt.
	args := []string{"--static-id", "--static-aes-iv"}
	var encOpts []string
	for _, a := range extra {
		if a == "--allow-weak-crypto" {
			args = append(args, a)
		} else {
			encOpts = append(encOpts, a)
		}
	}
	args = append(args, "--encrypt", user, owner, bits)
	args = append(args, encOpts...)
	args = append(args, "--", in, out)
	if err := run(ctx, tmp, "qpdf", args...); err != nil {
		return nil, err
	}
	return os.ReadFile(out)
}

// rasterize renders every page of a PDF to an 8-bit grey image with
// poppler's pdftoppm.
func rasterize(ctx context.Context, src []byte, dpi int) ([]grayImage, error) {
	tmp, err := os.MkdirTemp("", "pdfgen-ppm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	in := filepath.Join(tmp, "in.pdf")
	if err := os.WriteFile(in, src, 0o644); err != nil {
		return nil, err
	}
	if err := run(ctx, tmp, "pdftoppm", "-gray", "-r", fmt.Sprint(dpi), in, filepath.Join(tmp, "p")); err != nil {
		return nil, err
	}
	files, _ := filepath.Glob(filepath.Join(tmp, "p-*.pgm"))
	var imgs []grayImage
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		im, err := parsePGM(b)
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, im)
	}
	return imgs, nil
}
