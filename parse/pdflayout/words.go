package pdflayout

import "unicode/utf8"

// WordGlyphs splits a word that a reader other than a PDF's text layer
// found (an OCR engine, say) into one glyph per character, sharing its
// box evenly, so that the layout builder can cut and join it as it does
// a text layer's glyphs. size is the word's font size in points.
func WordGlyphs(text string, box Rect, size float64) []Glyph {
	n := utf8.RuneCountInString(text)
	if n == 0 {
		return nil
	}
	w := (box.X1 - box.X0) / float64(n)
	out := make([]Glyph, 0, n)
	i := 0
	for _, r := range text {
		x := box.X0 + float64(i)*w
		out = append(out, Glyph{Text: string(r), BBox: Rect{x, box.Y0, x + w, box.Y1}, Size: size})
		i++
	}
	return out
}
