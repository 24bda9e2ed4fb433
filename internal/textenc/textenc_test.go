package textenc

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
)

func gbk(s string) string {
	b, _ := simplifiedchinese.GB18030.NewEncoder().String(s)
	return b
}

func TestDecodeText(t *testing.T) {
	tests := []struct {
		name, in, want, charset, note string
	}{
		{"utf-8", "规章\t0\n", "规章\t0\n", "utf-8", ""},
		{"gbk", gbk("规章\t0\n行政许可\t3\n"), "规章\t0\n行政许可\t3\n", "gb18030", ""},
		{"one bad byte in utf-8", "一、总体情况\n规章\xff\t0\n行政许可\t3\n", "一、总体情况\n规章\uFFFD\t0\n行政许可\t3\n", "utf-8", "charset.mixed"},
		{"utf-8 and gbk pasted together", "规章\t0\n" + gbk("行政许可\t3\n"), "规章\t0\n行政许可\t3\n", "utf-8", "charset.mixed"},
		{"NUL bytes", "规\x00章\t0\n", "规章\t0\n", "utf-8", "charset.nul"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cs, notes := DecodeText([]byte(tt.in))
			var codes []string
			for _, n := range notes {
				codes = append(codes, n.Code)
			}
			if got != tt.want || cs != tt.charset || strings.Join(codes, ",") != tt.note {
				t.Errorf("DecodeText = %q, %s, %v; want %q, %s, %s", got, cs, codes, tt.want, tt.charset, tt.note)
			}
		})
	}
}
