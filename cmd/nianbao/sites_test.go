package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/opengov-cn/nianbao/crawl"
)

// TestSitesExportRoundTrip checks that 'nianbao sites' filters the
// national registry and that its YAML is a registry --sites reads back.
func TestSitesExportRoundTrip(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"sites", "--code", "3208", "--format", "yaml"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	reg, err := crawl.LoadRegistry(&stdout)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Sites) < 5 {
		t.Fatalf("%d sites of 3208", len(reg.Sites))
	}
	for _, s := range reg.Sites {
		if !strings.HasPrefix(s.Code, "3208") || !strings.HasPrefix(s.Path, "江苏省/淮安市") || s.Level == "" {
			t.Errorf("%+v", s)
		}
	}
	for _, bad := range [][]string{{"sites", "--level", "town"}, {"sites", "--format", "xml"}} {
		if code := run(bad, &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", bad, code, exitUsage)
		}
	}
	if code := run([]string{"sites", "--province", "不存在省"}, &stdout, &stderr); code != exitFailed {
		t.Errorf("no match: exit %d, want %d", code, exitFailed)
	}
}
