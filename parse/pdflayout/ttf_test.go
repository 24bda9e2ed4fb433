package pdflayout

import (
	"encoding/binary"
	"testing"
)

// fontWithCMap builds a TrueType file holding only a cmap table with one
// subtable.
func fontWithCMap(pid, eid uint16, sub []byte) []byte {
	be := binary.BigEndian
	cmap := make([]byte, 12)
	be.PutUint16(cmap[2:], 1)
	be.PutUint16(cmap[4:], pid)
	be.PutUint16(cmap[6:], eid)
	be.PutUint32(cmap[8:], 12)
	cmap = append(cmap, sub...)
	f := make([]byte, 12+16)
	be.PutUint16(f[4:], 1)
	copy(f[12:], "cmap")
	be.PutUint32(f[12+8:], uint32(len(f)))
	be.PutUint32(f[12+12:], uint32(len(cmap)))
	return append(f, cmap...)
}

func TestTrueTypeCMap(t *testing.T) {
	be := binary.BigEndian
	// format 4: U+4E00–U+4E02 → glyphs 5–7 by delta, U+0041 → glyph 9
	// through the glyph id array, and the closing 0xFFFF segment.
	seg := func(vals ...uint16) []byte {
		b := make([]byte, 2*len(vals))
		for i, v := range vals {
			be.PutUint16(b[2*i:], v)
		}
		return b
	}
	var f4 []byte
	f4 = append(f4, seg(4, 0, 0, 6, 0, 0, 0)...)            // format, length, language, segCountX2=6, …
	f4 = append(f4, seg(0x41, 0x4E02, 0xFFFF)...)           // end codes
	f4 = append(f4, seg(0)...)                              // reserved pad
	f4 = append(f4, seg(0x41, 0x4E00, 0xFFFF)...)           // start codes
	f4 = append(f4, seg(0, uint16(5-0x4E00+0x10000), 1)...) // deltas
	f4 = append(f4, seg(6, 0, 0)...)                        // range offsets: the first points past the array
	f4 = append(f4, seg(9)...)                              // glyph id array
	m := ttfCMap(fontWithCMap(3, 1, f4))
	want := map[uint32]rune{5: '一', 6: '丁', 7: '丂', 9: 'A'}
	for gid, r := range want {
		if m[gid] != r {
			t.Errorf("format 4: glyph %d → %q, want %q (map %v)", gid, m[gid], r, m)
		}
	}
	// format 12: one group U+20000–U+20001 → glyphs 100–101
	f12 := make([]byte, 16+12)
	be.PutUint16(f12, 12)
	be.PutUint32(f12[12:], 1)
	be.PutUint32(f12[16:], 0x20000)
	be.PutUint32(f12[20:], 0x20001)
	be.PutUint32(f12[24:], 100)
	m = ttfCMap(fontWithCMap(3, 10, f12))
	if m[100] != 0x20000 || m[101] != 0x20001 {
		t.Errorf("format 12: %v", m)
	}
	if ttfCMap([]byte("not a font at all")) != nil {
		t.Error("garbage gave a cmap")
	}
}
