package main

// Producers.
const (
	prodGopdf   = "gopdf"       // signintech/gopdf, embedded TrueType subset, Identity-H + ToUnicode
	prodLO      = "libreoffice" // soffice --headless --infilter="HTML (StarWriter)" --convert-to pdf
	prodWK      = "wkhtmltopdf" // wkhtmltopdf 0.12 (Qt WebKit)
	prodCMap    = "cmap"        // hand-written PDF, STSong-Light via UniGB-UCS2-H / GBK-EUC-H, no ToUnicode
	prodQPDF    = "qpdf"        // qpdf --encrypt of a gopdf rendering
	prodScanned = "scan"        // pdftoppm raster of a gopdf rendering wrapped as an image-only PDF
)

// Fixture is one testdata/pdf/<Name> folder.
type Fixture struct {
	Name     string
	Producer string
	Report   *Report
	// Encryption (prodQPDF): user and owner password, key length and
	// extra qpdf switches.
	UserPW, OwnerPW, Bits string
	QPDFArgs              []string
	// NoCells: expected.json lists no cells (image only; needs a password).
	NoCells bool
}

// fixtures is the whole set. Each Report.Notes says what the fixture is
// for; the generator appends nothing to it, so keep it accurate when a
// spec changes.
var fixtures = []Fixture{
	{
		Name: "gopdf-2021-ruled", Producer: prodGopdf,
		Report: &Report{
			Template: "2021", Year: 2023, Agency: "青川市河西区人民政府", Seed: 1,
			Layout: Layout{Ruled: true, VerticalGroup: true},
			Set: map[string]float64{
				"t4/reconsideration/upheld": 3, "t4/reconsideration/corrected": 1,
				"t4/reconsideration/other": 0, "t4/reconsideration/pending": 0,
				"t4/reconsideration/total": 3,
			},
			Notes: "gopdf (signintech/gopdf) with an embedded subset of AR PL SungtiL GB (gbsn00lp.ttf) as a Type0 Identity-H font with a ToUnicode CMap; every cell edge is a separate stroked line (shared edges drawn once). Full 2021 template: 表二 four blocks under centred 第二十条第（…）项 titles, 表三 25 result rows with （六）1/2/3, 表四 15 columns. The group label 三、本年度办理结果 is vertical, one character per line in a narrow column; long labels wrap inside their cells (（二）部分公开…, （五）5, （六）1/2) and the group labels （三）不予公开 etc. wrap in their narrow column; header words are stacked (商业/企业, 社会/公益/组织). 表三 starts on p.1 and continues on p.2 after （三）6 (the vertical label and （三）不予公开 cells are cut by the page break, their text stays on p.1). 表四 行政复议 prints 3/1/0/0 with 总计 3 (deliberately broken). Body text holds numbers that are not cells (1136条, 46篇, 7场, 〔2021〕30号).",
		},
	},
	{
		Name: "gopdf-2019-unruled", Producer: prodGopdf,
		Report: &Report{
			Template: "2019", Year: 2019, Agency: "临河县人民政府办公室", Seed: 2,
			Layout:    Layout{Ruled: false, SubRows: []string{"行政检查", "行政确认"}, MoneyHeaderYuan: true},
			BlankCols: map[string]string{"research": "", "social_welfare": ""},
			Set:       map[string]float64{"t2/art20_9.procurement/procurement_amount_wan": 25.1},
			Printed:   map[string]string{"t2/art20_9.procurement/procurement_amount_wan": "251000元"},
			Notes:     "gopdf, embedded AR PL SungtiL GB subset (Identity-H + ToUnicode), no rulings at all: columns must be found from text positions alone. 2019 template: 表二 (一) 本年新制作/新公开/对外公开总数量, (五) 行政许可 plus 其他对外管理服务事项 printed as a parent label spanning two local sub-rows 行政检查 / 行政确认 (keys art20_5.other_services[行政检查] etc.; the parent has no cells of its own), (八) two values, (九) header 采购总金额 without unit and the amount printed '251000元' → 25.1 万元; 本年增/减 has negative values ('-4'). 表三 （六）其他处理 is one row (result.other); the 科研机构 and 社会公益组织 columns are printed empty in every row (null, not 0). Group labels are horizontal and wrap; 表三 breaks across pages after （三）1, and the （三）不予公开 group label is cut with it: '（三）不予' on p.1, '公开' at the top of p.2.",
		},
	},
	{
		Name: "gopdf-2021-pagesplit-subtotal", Producer: prodGopdf,
		Report: &Report{
			Template: "2021", Year: 2022, Agency: "松陵市城南区人民政府", Seed: 3,
			Layout: Layout{Ruled: true, OrgSubtotal: true, OtherSingle: true, BreakBefore: "result.unavailable.unclear", SpacedTotals: true, FontSize: 8.5},
			Delta:  map[string]float64{"t3/new_received/total": 2},
			Notes:  "gopdf, embedded AR PL SungtiL GB subset (Identity-H + ToUnicode), ruled, 8.5 pt table text. 2021 template with 8 applicant columns: 法人或其他组织 has a 小计 column (org_subtotal) after 其他. （六）其他处理 is printed as a single row (result.other, 23 result rows) as some 2021 reports do. 表三 runs over three pages: p.1 down to （三）7, p.2 holds only （三）8, （四）1 and （四）2 (then a forced page break, as a manual break in a word processor leaves), p.3 from （四）3; the row-spanning cells 三、本年度办理结果 and （四）无法提供 are cut into bordered pieces with their text in the first piece only. 表四 header 总计 printed spaced ('总 计'). 表三 一、本年新收 总计 is printed 2 higher than the sum of its row (deliberate), which also breaks the 总计 column's 一+二 = 三（七）+四.",
		},
	},
	{
		Name: "lo-2021-pagesplit", Producer: prodLO,
		Report: &Report{
			Template: "2021", Year: 2024, Agency: "白沙市望江区人民政府", Seed: 4,
			Layout: Layout{Ruled: true, BodyParas: 6},
			Blank:  map[string]string{"t2/art20_8.fees/fee_amount_wan": "—", "t2/art20_1.regulations/issued": "/"},
			Notes:  "LibreOffice Writer 7.4 (headless, --infilter=\"HTML (StarWriter)\") from the site-style HTML: the CJK font is embedded as several single-byte TrueType subsets (WinAnsi encoding with ToUnicode), every cell border is stroked as its own path, and Writer's autospacing puts spaces between CJK and digits in body text ('2024 年'). 2021 template, full 表三 (（六）1/2/3). Six body paragraphs push the tables down so that 表三 breaks across pages inside （三）: p.1 ends with （三）3 (its wrapped label '3.危及“三安全一稳' / '定”'), p.2 starts with （三）4; Writer does not repeat the header rows. Narrow label cells wrap most labels onto two lines. 表二 (八) 收费金额 printed '—' and 规章 本年制发件数 printed '/' (both null).",
		},
	},
	{
		Name: "lo-2019-vertical", Producer: prodLO,
		Report: &Report{
			Template: "2019", Year: 2020, Agency: "东林市人民政府办公室", Seed: 5,
			Layout:    Layout{Ruled: true, VerticalGroup: true, BodyParas: 1},
			BlankCols: map[string]string{"legal_service": "无"},
			Delta:     map[string]float64{"t4/litigation_after_reconsideration/total": 1},
			Notes:     "LibreOffice Writer from HTML (single-byte font subsets, stroked borders). 2019 template: 表二 with 其他对外管理服务事项 as an ordinary row, (九) 采购总金额（万元）. 表三: 三、本年度办理结果 written one character per line (<br /> between characters) in a narrow cell; 法律服务机构 column printed '无' in every row (null). 表三 breaks across pages inside a row: （四）3 prints '3.补正后申请内容仍不' and its values at the foot of p.1 and the rest of its label, '明确', at the top of p.2. 表四 复议后起诉 总计 is one more than its four result cells (deliberate).",
		},
	},
	{
		Name: "wk-2019-kangxi", Producer: prodWK,
		Report: &Report{
			Template: "2019", Year: 2020, Agency: "南平县人民政府", Seed: 6,
			Layout: Layout{Ruled: true, Kangxi: true, BodyParas: 5, SpacedTotals: true, OffPage: true},
			Notes:  "wkhtmltopdf 0.12.6 (Qt 5 WebKit, unpatched Qt, so the page is shrunk to fit) from HTML in AR PL UMing CN, embedded as a CID TrueType font with Identity-H and ToUnicode; cell borders are filled thin rectangles, not strokes. Table text contains Kangxi radical code points instead of the unified ideographs: ⼀ U+2F00 for 一, ⼈ U+2F08 for 人, ⾏ U+2F8F for 行, ⾦ U+2FA6 for 金, ⽅ U+2F45 for 方 (e.g. '（⼀）予以公开', '自然⼈', '⾏政许可', '采购总⾦额（万元）', '4.保护第三⽅合法权益'); the extractor must NFKC-normalise before matching labels. The title and headings have no bold face in the font, so WebKit fakes bold by drawing each run twice, 0.5 px apart, the second copy inside a /Span marked-content sequence with an empty /ActualText. A site breadcrumb '当前位置：首页 > 政务公开 > …' starts left of the page edge: its first characters are drawn at negative x, outside the MediaBox. 2019 template; 表三 ends p.1, 表四 on p.2; 表四 总计 headers spaced ('总 计').",
		},
	},
	{
		Name: "wk-2021-unruled", Producer: prodWK,
		Report: &Report{
			Template: "2021", Year: 2021, Agency: "清源市北湖区人民政府", Seed: 7,
			Layout: Layout{Ruled: false, OrgSubtotal: true, BodyParas: 2},
			Blank:  map[string]string{"t4/litigation_direct/pending": ""},
			Notes:  "wkhtmltopdf from HTML in AR PL SungtiL GB (no bold face, so the title and headings are drawn twice, the copy marked with an empty /ActualText), tables without any borders. 2021 template with 法人或其他组织 小计 column (8 applicant columns). All three tables on p.1. 表四 未经复议直接起诉 尚未审结 printed empty (null).",
		},
	},
	{
		Name: "cmap-unigb-no-tounicode", Producer: prodCMap,
		Report: &Report{
			Template: "2021", Year: 2023, Agency: "石门县人民政府", Seed: 8,
			Layout: Layout{Ruled: true},
			Notes:  "Hand-written PDF with no embedded font and no ToUnicode: the standard Adobe-GB1 font STSong-Light through predefined CMaps. CJK text inside the tables uses /F1 (Type0, /Encoding /UniGB-UCS2-H: 2-byte UCS-2 codes); numbers, headings, the title and body text use /F2 (Type0, /Encoding /GBK-EUC-H: 2-byte GBK for CJK, single bytes for ASCII digits). Text must be decoded from the CMap name, not from a ToUnicode map. poppler's pdftotext shows the GBK-EUC-H digits as fullwidth ０–９ and '．' (the Adobe-GB1 CIDs they select), so digits need NFKC as well. Ruled 2021 template, full 表三, which breaks across pages after （三）6. One text object per cell, positioned with Tm.",
		},
	},
	{
		Name: "encrypted-empty-pw", Producer: prodQPDF,
		UserPW: "", OwnerPW: "owner-nianbao", Bits: "128",
		QPDFArgs: []string{"--use-aes=n", "--allow-weak-crypto", "--extract=n", "--modify=none"},
		Report: &Report{
			Template: "2021", Year: 2023, Agency: "西江市人民政府办公室", Seed: 9,
			Layout: Layout{Ruled: true},
			Notes:  "gopdf rendering (embedded font, Identity-H + ToUnicode, ruled, 2021 template, 表三 breaks after （三）6) encrypted by qpdf with RC4 128-bit (V2 R3), an empty user password and an owner password; permissions forbid copying and modifying. Opens without a password: the parser must decrypt with the empty user password (and may ignore the copy restriction).",
		},
	},
	{
		Name: "encrypted-user-pw", Producer: prodQPDF, NoCells: true,
		UserPW: "nianbao2024", OwnerPW: "owner-nianbao", Bits: "128",
		QPDFArgs: []string{"--use-aes=y"},
		Report: &Report{
			Template: "2021", Year: 2023, Agency: "西江市人民政府办公室", Seed: 9,
			Layout: Layout{Ruled: true},
			Notes:  "The same rendering as encrypted-empty-pw, encrypted by qpdf with AES-128 (V4 R4, AESV2) and a real user password ('nianbao2024'). Without the password nothing is readable: the expected outcome is a clear encrypted/needs-password status with no cells. With the password the cells are those of ../encrypted-empty-pw/expected.json.",
		},
	},
	{
		Name: "scanned-image-only", Producer: prodScanned, NoCells: true,
		Report: &Report{
			Template: "2019", Year: 2019, Agency: "河口镇人民政府", Seed: 10,
			Layout: Layout{Ruled: true},
			Notes:  "Image-only PDF, like a scanned paper report: every page is one 8-bit grey image (a 100 dpi raster of a gopdf rendering of a ruled 2019-template report) and there is no text layer at all. Expected status: needs_ocr, no cells.",
		},
	},
}
