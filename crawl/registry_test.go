package crawl

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultRegistry(t *testing.T) {
	reg := DefaultRegistry()
	if len(reg.Sites) < 8 {
		t.Fatalf("built-in registry has %d sites", len(reg.Sites))
	}
	for _, s := range reg.Sites {
		if s.Name == "" || s.Agency == "" || len(s.Start) == 0 || len(s.Hosts) == 0 {
			t.Errorf("incomplete built-in site %+v", s)
		}
		for _, h := range s.Hosts {
			if !strings.HasSuffix(h, ".gov.cn") {
				t.Errorf("site %s: host %q is not a government host", s.Name, h)
			}
		}
	}
}

func TestLoadRegistry(t *testing.T) {
	reg, err := LoadRegistry(strings.NewReader(`
sites:
  - name: a
    agency: 某某县人民政府
    start: [https://www.a.gov.cn/nb/]
    hosts: [WWW.A.gov.cn, "a.gov.cn:8080"]
    delay: 2500ms
    parallel: 2
    max_depth: 3
    max_pages: 50
    follow: [/art/]
`))
	if err != nil {
		t.Fatal(err)
	}
	s := reg.Sites[0]
	if time.Duration(s.Delay) != 2500*time.Millisecond || s.Parallel != 2 || s.MaxDepth != 3 || s.MaxPages != 50 ||
		s.Hosts[0] != "www.a.gov.cn" || s.Follow[0] != "/art/" {
		t.Errorf("loaded %+v", s)
	}
}

func TestLoadRegistryErrors(t *testing.T) {
	const ok = "    agency: x\n    start: [https://a.gov.cn/nb/]\n    hosts: [a.gov.cn]\n"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"empty", "", "empty"},
		{"no sites", "sites: []\n", "no sites"},
		{"unknown key", "sites:\n  - name: a\n" + ok + "    pages: 3\n", `line 6: unknown key "pages"`},
		{"unknown top key", "site:\n  - name: a\n", `unknown key "site"`},
		{"missing name", "sites:\n  - agency: x\n    start: [https://a.gov.cn/]\n    hosts: [a.gov.cn]\n", "missing name"},
		{"duplicate", "sites:\n  - name: a\n" + ok + "  - name: a\n" + ok, "duplicate"},
		{"missing agency", "sites:\n  - name: a\n    start: [https://a.gov.cn/]\n    hosts: [a.gov.cn]\n", "missing agency"},
		{"missing hosts", "sites:\n  - name: a\n    agency: x\n    start: [https://a.gov.cn/]\n", "missing hosts"},
		{"missing start", "sites:\n  - name: a\n    agency: x\n    hosts: [a.gov.cn]\n", "missing start"},
		{"relative start", "sites:\n  - name: a\n    agency: x\n    start: [/nb/]\n    hosts: [a.gov.cn]\n", "absolute"},
		{"ftp start", "sites:\n  - name: a\n    agency: x\n    start: [ftp://a.gov.cn/nb/]\n    hosts: [a.gov.cn]\n", "absolute"},
		{"bad URL", "sites:\n  - name: a\n    agency: x\n    start: [\"http://a.gov.cn/%zz\"]\n    hosts: [a.gov.cn]\n", "bad start URL"},
		{"start off hosts", "sites:\n  - name: a\n    agency: x\n    start: [https://spam.example.com/]\n    hosts: [a.gov.cn]\n", "not on the site's hosts"},
		{"host with path", "sites:\n  - name: a\n    agency: x\n    start: [https://a.gov.cn/]\n    hosts: [a.gov.cn/nb]\n", "bad host"},
		{"bad delay", "sites:\n  - name: a\n" + ok + "    delay: soon\n", "bad duration"},
		{"negative parallel", "sites:\n  - name: a\n" + ok + "    parallel: -1\n", "negative"},
		{"bad follow", "sites:\n  - name: a\n" + ok + "    follow: [art]\n", "bad follow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadRegistry(strings.NewReader(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadRegistry error = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

// TestNationalRegistry checks the generated registry as the crawl loads
// it: every portal, nearly all with a division code, the curated sites in
// place of their portals.
func TestNationalRegistry(t *testing.T) {
	r := NationalRegistry()
	if len(r.Sites) < 3000 {
		t.Fatalf("%d sites", len(r.Sites))
	}
	coded, levels := 0, map[string]int{}
	for _, s := range r.Sites {
		if s.Code != "" {
			coded++
		}
		levels[s.Level]++
	}
	if coded*100 < 95*len(r.Sites) {
		t.Errorf("%d of %d sites with a division code", coded, len(r.Sites))
	}
	if levels["province"] != 31 || levels["prefecture"] < 400 || levels["county"] < 2500 {
		t.Errorf("levels %v", levels)
	}
	curated := DefaultRegistry().Sites
	for _, c := range curated {
		found := false
		for _, s := range r.Sites {
			if s.Name == c.Name {
				found = slices.Equal(s.Start, c.Start)
			}
		}
		if !found {
			t.Errorf("curated site %s is not in the national registry with its start URLs", c.Name)
		}
	}
}
