package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seed = "../../../../shared/registry"

// TestGenerated checks that the generator is deterministic and that
// crawl/portals.yaml is what it makes from the seed data (run go generate
// ./crawl after changing either).
func TestGenerated(t *testing.T) {
	if _, err := os.Stat(filepath.Join(seed, "portals.json")); err != nil {
		t.Skipf("no seed data beside the clone (%v): nothing to compare", err)
	}
	a, unmatched, err := generate(seed)
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := generate(seed)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs differ")
	}
	committed, err := os.ReadFile("../../portals.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, committed) {
		t.Error("crawl/portals.yaml is not what the generator makes: run go generate ./crawl")
	}
	if n := strings.Count(string(a), "\n  - name:"); n < 3000 || len(unmatched)*20 > n {
		t.Errorf("%d portals, %d without a division code or left out", n, len(unmatched))
	}
	hosts := map[string]bool{}
	for _, l := range strings.Split(string(a), "\n") {
		if hs, ok := strings.CutPrefix(l, "    hosts: "); ok {
			for _, h := range strings.Split(strings.Trim(hs, "[]"), ", ") {
				if hosts[h] {
					t.Errorf("host %s on two portals", h)
				}
				hosts[h] = true
			}
		}
	}
}

func TestWWWTwin(t *testing.T) {
	for host, want := range map[string]string{
		"www.huaian.gov.cn": "huaian.gov.cn", "hongze.gov.cn": "www.hongze.gov.cn",
		"xxgk.hongze.gov.cn": "", "10.0.0.1:8080": "", "www.x.gov.cn:8080": "",
	} {
		if got := wwwTwin(host); got != want {
			t.Errorf("%s: %q, want %q", host, got, want)
		}
	}
}

func TestAgencyName(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"江苏省", "江苏省人民政府"},
		{"江苏省/淮安市", "淮安市人民政府"},
		{"江苏省/淮安市/洪泽区", "淮安市洪泽区人民政府"},
		{"江苏省/苏州市/昆山市", "昆山市人民政府"},
		{"北京市/东城区", "北京市东城区人民政府"},
		{"河南省/省直辖县级行政区划/济源市", "济源市人民政府"},
	} {
		if got := agencyName(strings.Split(tc.path, "/")); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.path, got, tc.want)
		}
	}
}

func TestDivisionCode(t *testing.T) {
	d := &divisions{
		province: map[string]string{"江苏省": "32", "北京市": "11"},
		city:     map[string]map[string]string{"32": {"淮安市": "3208"}, "11": {"市辖区": "1101"}},
		area:     map[string]map[string]string{"32": {"洪泽区": "320813", "鼓楼区": "320106,320302"}, "11": {"东城区": "110101"}},
		areaCity: map[string]map[string]string{"3208": {"洪泽区": "320813"}, "1101": {"东城区": "110101"}},
	}
	for _, tc := range []struct{ path, want string }{
		{"江苏省", "32"}, {"江苏省/淮安市", "3208"}, {"江苏省/淮安市/洪泽区", "320813"},
		{"北京市/东城区", "110101"}, // a municipality's district, found in its province
		{"江苏省/某市/鼓楼区", ""},    // two areas of that name: not guessed
		{"浙江省", ""},
	} {
		if got := d.code(strings.Split(tc.path, "/")); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.path, got, tc.want)
		}
	}
}
