package crawl

import (
	"strings"
	"unicode/utf8"
)

// maxFieldLen caps the recorded length in bytes of a title, error text or
// header value: a page's <title> or a server's ETag can be megabytes long,
// and the state database and documents.parquet keep one per URL. URLs are
// not cut: they are keys, and admit keeps them short (maxURLLen).
const maxFieldLen = 2048

// invalidUTF8Note is added to the error text of a URL whose recorded
// strings had invalid UTF-8 in them.
const invalidUTF8Note = "invalid UTF-8 replaced"

// validUTF8 returns s with every invalid UTF-8 sequence replaced by
// U+FFFD, and whether there was any.
func validUTF8(s string) (string, bool) {
	if utf8.ValidString(s) {
		return s, false
	}
	return strings.ToValidUTF8(s, "\uFFFD"), true
}

// clip cuts s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// clean makes every string of st valid UTF-8, as DuckDB and every other
// reader of the dataset require, and cuts titles, error texts and header
// values to maxFieldLen. It returns the names of the fields that had
// invalid UTF-8, and says so in st.Error too.
func (st *urlState) clean() (replaced []string) {
	fields := []struct {
		name string
		p    *string
		max  int
	}{
		{"url", &st.URL, 0}, {"site", &st.Site, 0}, {"kind", &st.Kind, 0}, {"page_url", &st.PageURL, 0},
		{"title", &st.Title, maxFieldLen}, {"publish_date", &st.PublishDate, maxFieldLen},
		{"agency", &st.Agency, maxFieldLen}, {"error", &st.Error, maxFieldLen},
		{"etag", &st.ETag, maxFieldLen}, {"last_modified", &st.LastModified, maxFieldLen},
		{"content_type", &st.ContentType, maxFieldLen}, {"sha256", &st.SHA256, 0},
	}
	for _, f := range fields {
		s, bad := validUTF8(*f.p)
		if f.max > 0 {
			s = clip(s, f.max)
		}
		*f.p = s
		if bad {
			replaced = append(replaced, f.name)
		}
	}
	if len(replaced) > 0 && !strings.Contains(st.Error, invalidUTF8Note) {
		note := invalidUTF8Note + " (" + strings.Join(replaced, ", ") + ")"
		if st.Error == "" {
			st.Error = note
		} else {
			st.Error = clip(st.Error, maxFieldLen) + "; " + note
		}
	}
	return replaced
}
