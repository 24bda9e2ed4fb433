package main

import (
	"fmt"
	"html"
	"strings"
)

// HTMLOptions are the producer-specific touches of the HTML handed to a
// converter.
type HTMLOptions struct {
	Font      string // CSS font family
	Ruled     bool
	FakeBold  string // CSS added to headings to make a renderer draw them twice
	OffPage   string // HTML placed outside the printable page
	TableFont string // table font size, e.g. "9pt"
}

// HTML renders the document as a web page like the ones sites publish:
// bare tables with rowspan/colspan and <br/> inside header cells.
func (d *Doc) HTML(o HTMLOptions) string {
	var b strings.Builder
	border := "0"
	tdBorder := "none"
	if o.Ruled {
		border, tdBorder = "1", "0.75pt solid #000000"
	}
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>%s</title>
<style type="text/css">
body { font-family: "%s"; font-size: 10.5pt; }
p { margin: 0.3em 0; line-height: 150%%; }
p.body { text-indent: 2em; }
p.h { font-weight: bold; %s }
h1 { font-size: 16pt; text-align: center; font-weight: bold; %s }
table { border-collapse: collapse; }
td { font-family: "%s"; font-size: %s; border: %s; padding: 2pt 3pt; text-align: center; vertical-align: middle; }
td.l { text-align: left; }
</style>
</head>
<body>
`, html.EscapeString(d.Title), o.Font, o.FakeBold, o.FakeBold, o.Font, o.TableFont, tdBorder)
	if o.OffPage != "" {
		b.WriteString(o.OffPage + "\n")
	}
	fmt.Fprintf(&b, "<h1>%s</h1>\n", html.EscapeString(d.Title))
	for _, bl := range d.Blocks {
		switch {
		case bl.Heading != "":
			fmt.Fprintf(&b, "<p class=\"h\"><strong>%s</strong></p>\n", html.EscapeString(bl.Heading))
		case bl.Para != "":
			fmt.Fprintf(&b, "<p class=\"body\">%s</p>\n", html.EscapeString(bl.Para))
		case bl.Table != nil:
			bl.Table.html(&b, border)
		}
	}
	b.WriteString("</body>\n</html>\n")
	return b.String()
}

func (t *Table) html(b *strings.Builder, border string) {
	var sum float64
	for _, w := range t.Weights {
		sum += w
	}
	fmt.Fprintf(b, "<table border=\"%s\" cellspacing=\"0\" cellpadding=\"3\" width=\"100%%\">\n<colgroup>", border)
	for _, w := range t.Weights {
		fmt.Fprintf(b, "<col width=\"%d%%\" />", int(w/sum*100+0.5))
	}
	b.WriteString("</colgroup>\n<tbody>\n")
	for row := 0; row < t.NRows; row++ {
		b.WriteString("<tr>")
		for _, c := range t.Cells {
			if c.Row != row {
				continue
			}
			attrs := ""
			if c.RowSpan > 1 {
				attrs += fmt.Sprintf(" rowspan=\"%d\"", c.RowSpan)
			}
			if c.ColSpan > 1 {
				attrs += fmt.Sprintf(" colspan=\"%d\"", c.ColSpan)
			}
			if c.Kind == 'l' && !c.Vertical {
				attrs += " class=\"l\""
			}
			var text string
			if c.Vertical {
				var parts []string
				for _, r := range c.Text {
					parts = append(parts, html.EscapeString(string(r)))
				}
				text = strings.Join(parts, "<br />")
			} else {
				var parts []string
				for _, l := range strings.Split(c.Text, "\n") {
					parts = append(parts, html.EscapeString(l))
				}
				text = strings.Join(parts, "<br />")
			}
			if text == "" {
				text = "&nbsp;"
			}
			fmt.Fprintf(b, "<td%s>%s</td>", attrs, text)
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
}
