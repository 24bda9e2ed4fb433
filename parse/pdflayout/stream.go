package pdflayout

import (
	"fmt"
	"hash/maphash"
	"io"

	"github.com/ledongthuc/pdf"
)

// maxStreamBytes bounds the decoded size of any one stream read by this
// package (content streams, CMaps, fonts), so that a compression bomb costs
// at most this much memory.
const maxStreamBytes = 64 << 20

// maxContentParts is the most streams read of a page's /Contents array;
// producers split a page's content in a few.
const maxContentParts = 4096

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
		// the parts of a page's content, each a stream: an array inside is
		// not read, so that nested arrays cannot make this recurse
		var all []byte
		var firstErr error
		for i := 0; i < v.Len() && i < maxContentParts; i++ {
			part := v.Index(i)
			if part.Kind() != pdf.Stream {
				if firstErr == nil {
					firstErr = fmt.Errorf("part %d is not a stream (%v)", i, part.Kind())
				}
				continue
			}
			d, err := readStream(part, limit-int64(len(all)))
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
	data, err = io.ReadAll(io.LimitReader(rc, min(limit, bigStream)+1))
	if int64(len(data)) > bigStream && err == nil {
		data, err = readBig(v, rc, int64(len(data)), limit)
	}
	if int64(len(data)) > limit {
		return data[:limit], fmt.Errorf("stream longer than %d bytes: truncated", limit)
	}
	if err != nil {
		return data, fmt.Errorf("stream: %w", err)
	}
	return data, nil
}

// bigStream is the size past which a stream is decoded twice: once to
// learn its length, once into a buffer of that length. Reading a stream
// of unknown length into a growing buffer allocates two to three times
// its size; a content stream of 60 MB would cost 150 MB.
const bigStream = 4 << 20

// readBig reads the stream v, of which rc has given the first n bytes,
// at most limit+1 bytes, in a buffer of the size it turns out to have.
func readBig(v pdf.Value, rc io.Reader, n, limit int64) ([]byte, error) {
	rest, cerr := io.Copy(io.Discard, io.LimitReader(rc, limit+1-n))
	again := v.Reader()
	defer again.Close()
	data := make([]byte, n+rest)
	m, err := io.ReadFull(again, data)
	if cerr != nil {
		err = cerr // the data that could be read, and why it ends
	}
	return data[:m], err
}

// objKey identifies an object of the file by its content. The library
// tells no object's number and parses an object anew at each lookup, so the
// caches and the cycle checks know an object by what it holds: Value.String
// prints a dictionary with its entries as written, references as "n g R",
// so two equal strings are one object or an exact copy of it, which decodes
// the same. The strings are hashed so that large inline dictionaries cost
// no memory as keys; two objects whose 64-bit hashes collide would share a
// cache entry, which no real file makes likely.
type objKey uint64

var keySeed = maphash.MakeSeed()

// contentKey identifies the object v.
func contentKey(v pdf.Value) objKey {
	return objKey(maphash.String(keySeed, v.String()))
}

// entryKey identifies the entry name of the dictionary whose key is k.
func entryKey(k objKey, name string) objKey {
	var h maphash.Hash
	h.SetSeed(keySeed)
	maphash.WriteComparable(&h, k)
	h.WriteString(name)
	return objKey(h.Sum64())
}

// streamKey identifies stream v, whose decoded data is data. A stream's
// String shows its dictionary, and where its data lies only by an offset
// the library does not document, so the data is part of the key: two
// streams with one dictionary are never taken for one.
func streamKey(v pdf.Value, data []byte) objKey {
	var h maphash.Hash
	h.SetSeed(keySeed)
	h.WriteString(v.String())
	h.WriteByte(0)
	h.Write(data)
	return objKey(h.Sum64())
}
