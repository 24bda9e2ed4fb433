package pdflayout

import (
	"encoding/binary"

	"github.com/ledongthuc/pdf"
)

// loadTrueTypeCMap reads the Unicode cmap table of an embedded TrueType
// font and inverts it to glyph id → Unicode. With an identity CIDToGIDMap
// a CID is a glyph id, so this recovers text from Identity-H fonts that
// carry no ToUnicode map. It returns nil when the font has no usable table.
func loadTrueTypeCMap(ff pdf.Value) map[uint32]rune {
	if ff.Kind() != pdf.Stream {
		return nil
	}
	data, err := readStream(ff, maxStreamBytes)
	if err != nil {
		return nil
	}
	return ttfCMap(data)
}

// ttfCMap inverts the Unicode cmap subtable (format 4 or 12) of a TrueType
// font file.
func ttfCMap(data []byte) map[uint32]rune {
	if len(data) < 12 {
		return nil
	}
	table := ttTable(data, "cmap")
	if len(table) < 4 {
		return nil
	}
	n := int(binary.BigEndian.Uint16(table[2:]))
	var best []byte
	for i := 0; i < n && 4+8*i+8 <= len(table); i++ {
		rec := table[4+8*i:]
		pid, eid := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		off := int(binary.BigEndian.Uint32(rec[4:]))
		if off >= len(table) {
			continue
		}
		if pid == 3 && (eid == 1 || eid == 10) || pid == 0 {
			best = table[off:]
			if eid == 10 {
				break
			}
		}
	}
	if len(best) < 4 {
		return nil
	}
	out := map[uint32]rune{}
	budget := maxTTFCodes
	add := func(r rune, gid uint32) bool {
		if budget--; budget < 0 {
			return false
		}
		if gid == 0 {
			return true
		}
		if old, ok := out[gid]; !ok || r < old {
			out[gid] = r
		}
		return true
	}
	switch binary.BigEndian.Uint16(best) {
	case 4:
		parseFormat4(best, add)
	case 12:
		parseFormat12(best, add)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func ttTable(data []byte, tag string) []byte {
	n := int(binary.BigEndian.Uint16(data[4:]))
	for i := 0; i < n && 12+16*i+16 <= len(data); i++ {
		rec := data[12+16*i:]
		if string(rec[:4]) != tag {
			continue
		}
		off, l := int(binary.BigEndian.Uint32(rec[8:])), int(binary.BigEndian.Uint32(rec[12:]))
		if off < 0 || l < 0 || off > len(data) || l > len(data)-off {
			return nil
		}
		return data[off : off+l]
	}
	return nil
}

// maxTTFCodes is the most codes read of a font's cmap table: a font has
// at most 65,535 glyphs, and twice as many codes leave room for glyphs
// that several codes show. Segments past it are not read.
const maxTTFCodes = 2 << 16

func parseFormat4(t []byte, add func(rune, uint32) bool) {
	if len(t) < 14 {
		return
	}
	segX2 := int(binary.BigEndian.Uint16(t[6:]))
	segs := segX2 / 2
	ends, starts, deltas, offs := 14, 16+segX2, 16+2*segX2, 16+3*segX2
	if offs+segX2 > len(t) {
		return
	}
	u16 := func(p int) int {
		if p < 0 || p+2 > len(t) {
			return 0
		}
		return int(binary.BigEndian.Uint16(t[p:]))
	}
	for s := 0; s < segs; s++ {
		end, start := u16(ends+2*s), u16(starts+2*s)
		delta, ro := u16(deltas+2*s), u16(offs+2*s)
		if end < start || end-start > maxExpand {
			continue
		}
		for c := start; c <= end && c != 0xffff; c++ {
			var gid int
			if ro == 0 {
				gid = (c + delta) & 0xffff
			} else {
				p := offs + 2*s + ro + 2*(c-start)
				gid = u16(p)
				if gid != 0 {
					gid = (gid + delta) & 0xffff
				}
			}
			if !add(rune(c), uint32(gid)) {
				return
			}
		}
	}
}

func parseFormat12(t []byte, add func(rune, uint32) bool) {
	if len(t) < 16 {
		return
	}
	n := int(binary.BigEndian.Uint32(t[12:]))
	for i := 0; i < n && 16+12*i+12 <= len(t); i++ {
		g := t[16+12*i:]
		lo, hi, gid := binary.BigEndian.Uint32(g), binary.BigEndian.Uint32(g[4:]), binary.BigEndian.Uint32(g[8:])
		if hi < lo || hi-lo > maxExpand || hi > 0x10ffff {
			continue
		}
		for c := lo; c <= hi; c++ {
			if !add(rune(c), gid+(c-lo)) {
				return
			}
		}
	}
}
