package output

import (
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/compress"
	pqzstd "github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// zstdWindow is the history a page's compressor looks back over. A page
// is compressed on its own, and pages are a fraction of a MiB
// (parquet-go's page buffer): a longer window finds nothing more, but
// parquet-go's codec keeps the default, 8 MiB, in every encoder of its
// pool, one per file being written at once (some 32 MiB of a run's heap).
const zstdWindow = 1 << 20

// pageCodec is zstd with a window the size of a page. It reads what any
// zstd writer wrote.
type pageCodec struct {
	encoders sync.Pool
	decode   pqzstd.Codec
}

var _ compress.Codec = (*pageCodec)(nil)

func (c *pageCodec) String() string                            { return "ZSTD" }
func (c *pageCodec) CompressionCodec() format.CompressionCodec { return format.Zstd }

func (c *pageCodec) Encode(dst, src []byte) ([]byte, error) {
	e, _ := c.encoders.Get().(*zstd.Encoder)
	if e == nil {
		var err error
		e, err = zstd.NewWriter(nil,
			zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithWindowSize(zstdWindow),
			zstd.WithZeroFrames(true),
			zstd.WithEncoderCRC(false),
		)
		if err != nil {
			return nil, err
		}
	}
	defer c.encoders.Put(e)
	return e.EncodeAll(src, dst[:0]), nil
}

func (c *pageCodec) Decode(dst, src []byte) ([]byte, error) { return c.decode.Decode(dst, src) }
