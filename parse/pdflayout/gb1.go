package pdflayout

import (
	_ "embed"
	"encoding/binary"
)

//go:generate go run ./internal/gengb1 -out adobe_gb1.bin

// adobeGB1Table maps Adobe-GB1 CIDs to Unicode, four bytes a CID. CID fonts
// set in the predefined Identity-H encoding without a ToUnicode map or an
// embedded font (公文 typesetting systems emit them) can be read only
// through their character collection.
//
//go:embed adobe_gb1.bin
var adobeGB1Table []byte

// adobeGB1 returns the character of an Adobe-GB1 CID.
func adobeGB1(cid uint32) (rune, bool) {
	i := int(cid) * 4
	if cid == 0 || i+4 > len(adobeGB1Table) {
		return 0, false
	}
	r := rune(binary.LittleEndian.Uint32(adobeGB1Table[i:]))
	return r, r != 0
}
