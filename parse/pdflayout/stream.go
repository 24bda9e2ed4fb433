package pdflayout

import (
	"fmt"
	"io"
	"reflect"

	"github.com/ledongthuc/pdf"
)

// maxStreamBytes bounds the decoded size of any one stream read by this
// package (content streams, CMaps, fonts), so that a compression bomb costs
// at most this much memory.
const maxStreamBytes = 64 << 20

// readStream returns the decoded data of stream v, at most limit bytes. A
// stream the library cannot decode (unknown filter, corrupt data) yields
// what could be read and an error; it never panics.
func readStream(v pdf.Value, limit int64) (data []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("stream: %v", r)
		}
	}()
	if v.Kind() == pdf.Array {
		var all []byte
		var firstErr error
		for i := 0; i < v.Len() && i < 4096; i++ {
			d, err := readStream(v.Index(i), limit-int64(len(all)))
			all = append(all, d...)
			all = append(all, '\n')
			if err != nil && firstErr == nil {
				firstErr = err
			}
			if int64(len(all)) >= limit {
				break
			}
		}
		return all, firstErr
	}
	if v.Kind() != pdf.Stream {
		return nil, fmt.Errorf("not a stream (%v)", v.Kind())
	}
	rc := v.Reader()
	defer rc.Close()
	data, err = io.ReadAll(io.LimitReader(rc, limit+1))
	if int64(len(data)) > limit {
		return data[:limit], fmt.Errorf("stream longer than %d bytes: truncated", limit)
	}
	if err != nil {
		return data, fmt.Errorf("stream: %w", err)
	}
	return data, nil
}

// objID returns the object number and generation of the indirect object v
// belongs to (v itself, or the object holding a direct value), or zero when
// that cannot be told. It reads the library's unexported reference through
// reflection, read-only; if the library's layout changes it returns zero and
// callers merely lose caching and cycle detection by identity.
func objID(v pdf.Value) uint64 {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Struct || rv.NumField() < 2 {
		return 0
	}
	p := rv.Field(1)
	if p.Kind() != reflect.Struct || p.NumField() < 2 {
		return 0
	}
	id, gen := p.Field(0), p.Field(1)
	if !isUint(id.Kind()) || !isUint(gen.Kind()) {
		return 0
	}
	return id.Uint()<<16 | gen.Uint()&0xffff
}

func isUint(k reflect.Kind) bool {
	return k == reflect.Uint8 || k == reflect.Uint16 || k == reflect.Uint32 || k == reflect.Uint64 || k == reflect.Uint
}
