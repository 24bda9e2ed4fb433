package benchsite

import (
	"errors"
	"io/fs"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/crawl"
)

// TestCrawl crawls a small generated site: every report page, article page
// and PDF is found through the paginated lists, and every body differs.
func TestCrawl(t *testing.T) {
	fx, err := Load("../../../../testdata")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range fx.Skipped {
		t.Log("fixture skipped: " + s)
	}
	// Two sites of three list pages, the second with a short last one.
	const perSite = 3 * PerPage
	const n = perSite + 2*PerPage + 3
	site := New(fx, n)
	site.perSite = perSite
	srv := httptest.NewServer(site)
	defer srv.Close()
	reg, err := crawl.LoadRegistry(strings.NewReader(string(site.Registry(srv.URL))))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := crawl.Run(t.Context(), crawl.Config{Registry: reg, Dir: dir, Delay: -1, Parallel: 8})
	if err != nil {
		t.Fatal(err)
	}
	if sum.New != site.Documents() || sum.Failed != 0 {
		t.Errorf("%d new documents, %d failed fetches; want %d and 0 (%+v)", sum.New, sum.Failed, site.Documents(), sum)
	}
	docs, err := crawl.Documents(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	shas := map[string]bool{}
	kinds := map[string]int{}
	for _, d := range docs {
		shas[d.SHA256] = true
		kinds[d.Kind]++
	}
	if len(shas) != site.Documents() || kinds["report"] != n || kinds["attachment"] != site.PDFs() {
		t.Errorf("%d distinct bodies, %v; want %d, %d reports and %d attachments", len(shas), kinds, site.Documents(), n, site.PDFs())
	}
}
