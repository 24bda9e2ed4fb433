package pdflayout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// withXref appends a cross-reference table with the given subsection
// header and trailer entries to body, and a startxref to it.
func withXref(body, subsection, trailer string) []byte {
	off := len(body)
	return []byte(fmt.Sprintf("%sxref\n%s\n0000000000 65535 f \ntrailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n", body, subsection, trailer, off))
}

func TestPrecheckRejectsHostileXref(t *testing.T) {
	body := "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
	selfPrev := fmt.Sprintf("/Size 2 /Root 1 0 R /Prev %d", len(body))
	extendsLoop := body + "5 0 obj\n<< /Type /ObjStm /N 0 /First 1 /Extends 6 0 R /Length 0 >>\nstream\nendstream\nendobj\n" +
		"6 0 obj\n<< /Type /ObjStm /N 0 /First 1 /Extends 5 0 R /Length 0 >>\nstream\nendstream\nendobj\n"
	tests := []struct {
		name string
		data []byte
		bad  bool
	}{
		{"fine", withXref(body, "0 1", "/Size 2 /Root 1 0 R"), false},
		{"huge Size", withXref(body, "0 1", "/Size 99999999999 /Root 1 0 R"), true},
		{"huge subsection", withXref(body, "4000000000 1", "/Size 2 /Root 1 0 R"), true},
		{"Prev loop", withXref(body, "0 1", selfPrev), true},
		{"Extends loop", withXref(extendsLoop, "0 1", "/Size 7 /Root 1 0 R"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := precheck(tt.data)
			if tt.bad != (err != nil) {
				t.Fatalf("precheck = %v, want error %v", err, tt.bad)
			}
			if err != nil && !errors.Is(err, errMalformed) {
				t.Errorf("error %v does not wrap errMalformed", err)
			}
			// Open must come back promptly either way.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { _, err := Open(ctx, tt.data); done <- err }()
			select {
			case err := <-done:
				if tt.bad && err == nil {
					t.Error("Open accepted the file")
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Open hung")
			}
		})
	}
}

func TestOpenNeverPanics(t *testing.T) {
	inputs := []string{"", "%PDF-1.4", "%PDF-1.4\n%%EOF", "%PDF-1.4\nstartxref\n0\n%%EOF\n", strings.Repeat("%PDF-1.7\n", 100) + "%%EOF"}
	for _, in := range inputs {
		if _, err := Open(context.Background(), []byte(in)); err == nil {
			t.Errorf("Open(%q) accepted garbage", in)
		}
	}
}
