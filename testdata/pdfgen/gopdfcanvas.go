package main

import (
	"bytes"
	"time"

	"github.com/signintech/gopdf"
)

// gopdfCanvas draws with signintech/gopdf: the TrueType font is embedded
// as a subset, text is shown as 2-byte glyph ids (Type0, Identity-H) and a
// ToUnicode CMap maps the glyphs back to text.
type gopdfCanvas struct {
	pdf  *gopdf.GoPdf
	size float64
}

func newGopdfCanvas(fontPath, title, agency string, created time.Time) (*gopdfCanvas, error) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if err := pdf.AddTTFFont("song", fontPath); err != nil {
		return nil, err
	}
	pdf.SetInfo(gopdf.PdfInfo{
		Title:        title,
		Author:       agency,
		Creator:      "nianbao pdfgen",
		Producer:     "gopdf",
		CreationDate: created,
	})
	return &gopdfCanvas{pdf: pdf}, nil
}

func (c *gopdfCanvas) NewPage() error {
	c.pdf.AddPage()
	c.pdf.SetLineWidth(0.6) // also creates the page's content stream, which SetPage needs
	return nil
}

func (c *gopdfCanvas) SetPage(n int) error { return c.pdf.SetPage(n) }

func (c *gopdfCanvas) font(size float64) error {
	if c.size == size {
		return nil
	}
	c.size = size
	return c.pdf.SetFont("song", "", size)
}

func (c *gopdfCanvas) Text(x, y, size float64, s string) error {
	if err := c.font(size); err != nil {
		return err
	}
	c.pdf.SetXY(x, y)
	return c.pdf.Text(s)
}

func (c *gopdfCanvas) Line(x1, y1, x2, y2 float64) error {
	c.pdf.Line(x1, y1, x2, y2)
	return nil
}

func (c *gopdfCanvas) Width(s string, size float64) float64 {
	if err := c.font(size); err != nil {
		panic(err)
	}
	w, err := c.pdf.MeasureTextWidth(s)
	if err != nil {
		panic(err)
	}
	return w
}

func (c *gopdfCanvas) Bytes() ([]byte, error) {
	var b bytes.Buffer
	_, err := c.pdf.WriteTo(&b)
	return b.Bytes(), err
}
