package output

import (
	"bytes"
	"fmt"
	"testing"

	pqzstd "github.com/parquet-go/parquet-go/compress/zstd"
)

// TestPageCodec checks that pages compressed with the page-sized window
// are read back exactly by the standard zstd codec, pages longer than the
// window too, and that they still compress.
func TestPageCodec(t *testing.T) {
	var std pqzstd.Codec
	for _, n := range []int{0, 100, 300 << 10, 3 * zstdWindow} {
		var src bytes.Buffer
		for i := 0; src.Len() < n; i++ {
			fmt.Fprintf(&src, "report %08x cell t3.r%d.c%d value %d\n", i*2654435761, i%37, i%7, i%1000)
		}
		data := src.Bytes()[:n]
		enc, err := codec.Encode(nil, data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := std.Decode(nil, enc)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("%d bytes: read back differs", n)
		}
		if n > 1000 && len(enc) > n/2 {
			t.Errorf("%d bytes compressed to %d", n, len(enc))
		}
	}
}
