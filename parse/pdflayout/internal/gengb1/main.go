// Command gengb1 writes adobe_gb1.bin, the Adobe-GB1 CID → Unicode table
// pdflayout uses for CID fonts that carry neither a ToUnicode map nor an
// embedded font program. It reads the table that Debian's poppler-data
// ships (Adobe's data, BSD-3-Clause; see adobe_gb1.LICENSE): one hex code
// point per line, line n for CID n−1, 0000 where a CID has none.
//
//	apt-get install poppler-data
//	go generate ./parse/pdflayout
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"log"
	"os"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "/usr/share/poppler/cidToUnicode/Adobe-GB1", "poppler-data cidToUnicode file")
	out := flag.String("out", "adobe_gb1.bin", "output: one little-endian uint32 code point per CID")
	flag.Parse()
	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	var buf []byte
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		r, err := strconv.ParseUint(strings.TrimSpace(sc.Text()), 16, 32)
		if err != nil || r > 0x10FFFF {
			log.Fatalf("%s:%d: bad code point %q", *in, n, sc.Text())
		}
		buf = binary.LittleEndian.AppendUint32(buf, uint32(r))
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, buf, 0o644); err != nil {
		log.Fatal(err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		log.Fatal(err)
	}
}
