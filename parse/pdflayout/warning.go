package pdflayout

// WarnKind says what a warning is about, so that the caller can give it
// a code of its own without reading the message.
type WarnKind string

const (
	WarnStructure WarnKind = "structure" // the document's page tree
	WarnFont      WarnKind = "font"      // a font resource, or character codes without Unicode
	WarnCMap      WarnKind = "cmap"      // an encoding or ToUnicode CMap
	WarnRotation  WarnKind = "rotation"  // the page's /Rotate, or text drawn turned
	WarnContent   WarnKind = "content"   // the page's content stream
	WarnXObject   WarnKind = "xobject"   // a form XObject drawn on the page
	WarnLimit     WarnKind = "limit"     // a cap on what one file may make the layer build: the rest not read
	WarnRepair    WarnKind = "repair"    // the file was repaired to be read (junk around it, its header, its cross-reference table)
)

// Warning is something the layer met and did not understand, or chose to
// skip, in the document's structure or on one of its pages.
type Warning struct {
	Kind WarnKind
	Page int // 1-based; 0 for the document as a whole
	Msg  string
}

// warnFunc reports a warning about what is being read.
type warnFunc func(kind WarnKind, msg string)

func (p *Page) warn(kind WarnKind, msg string) {
	p.Warnings = append(p.Warnings, Warning{Kind: kind, Page: p.Number, Msg: msg})
}
