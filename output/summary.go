package output

import (
	"reflect"
	"strings"

	"github.com/opengov-cn/nianbao/normalize"
	"github.com/parquet-go/parquet-go"
)

// SummaryFile is the table of one row per current report with the
// numbers people ask for as columns.
const SummaryFile = "summary.parquet"

// SummaryRow is one row of summary.parquet: a current report (not one a
// revision replaced) with its headline numbers, NULL where the report does
// not print the cell (or prints it blank). Each number's canonical key is
// in its `key` struct tag, and in the file's key-value metadata as
// nianbao.column.<column> (MetaColumnPrefix): Parquet has no metadata per
// field that DuckDB, pyarrow and Spark all read, so the file's metadata
// names them, and the dictionary's Columns section says the same.
type SummaryRow struct {
	ReportID     string  `parquet:"report_id"`
	AgencyID     *string `parquet:"agency_id,optional,dict"`
	Agency       *string `parquet:"agency,optional,dict"`
	Year         *int32  `parquet:"year,optional"`
	Template     string  `parquet:"template,dict"`
	ParseStatus  string  `parquet:"parse_status,dict"`
	ChecksFailed int32   `parquet:"checks_failed"`

	RequestsReceived    *float64 `parquet:"requests_received,optional" key:"t3/new_received/total"`
	RequestsCarriedOver *float64 `parquet:"requests_carried_over,optional" key:"t3/carried_over/total"`
	Disclosed           *float64 `parquet:"disclosed,optional" key:"t3/result.disclosed/total"`
	PartlyDisclosed     *float64 `parquet:"partly_disclosed,optional" key:"t3/result.partly_disclosed/total"`
	WithheldSecret      *float64 `parquet:"withheld_state_secret,optional" key:"t3/result.withheld.state_secret/total"`
	WithheldByLaw       *float64 `parquet:"withheld_prohibited_by_law,optional" key:"t3/result.withheld.prohibited_by_law/total"`
	WithheldSecurity    *float64 `parquet:"withheld_security_stability,optional" key:"t3/result.withheld.security_stability/total"`
	WithheldThirdParty  *float64 `parquet:"withheld_third_party,optional" key:"t3/result.withheld.third_party/total"`
	WithheldInternal    *float64 `parquet:"withheld_internal_affairs,optional" key:"t3/result.withheld.internal_affairs/total"`
	WithheldProcess     *float64 `parquet:"withheld_process_info,optional" key:"t3/result.withheld.process_info/total"`
	WithheldEnforcement *float64 `parquet:"withheld_enforcement_file,optional" key:"t3/result.withheld.enforcement_file/total"`
	WithheldQuery       *float64 `parquet:"withheld_query_matter,optional" key:"t3/result.withheld.query_matter/total"`
	ResultsTotal        *float64 `parquet:"results_total,optional" key:"t3/result.total/total"`
	CarriedForward      *float64 `parquet:"carried_forward,optional" key:"t3/carried_forward/total"`

	ReconsiderationUpheld    *float64 `parquet:"reconsideration_upheld,optional" key:"t4/reconsideration/upheld"`
	ReconsiderationCorrected *float64 `parquet:"reconsideration_corrected,optional" key:"t4/reconsideration/corrected"`
	ReconsiderationOther     *float64 `parquet:"reconsideration_other,optional" key:"t4/reconsideration/other"`
	ReconsiderationPending   *float64 `parquet:"reconsideration_pending,optional" key:"t4/reconsideration/pending"`
	ReconsiderationTotal     *float64 `parquet:"reconsideration_total,optional" key:"t4/reconsideration/total"`
	LawsuitsUpheld           *float64 `parquet:"lawsuits_upheld,optional" key:"t4/litigation_direct/upheld+t4/litigation_after_reconsideration/upheld"`
	LawsuitsCorrected        *float64 `parquet:"lawsuits_corrected,optional" key:"t4/litigation_direct/corrected+t4/litigation_after_reconsideration/corrected"`
	LawsuitsOther            *float64 `parquet:"lawsuits_other,optional" key:"t4/litigation_direct/other+t4/litigation_after_reconsideration/other"`
	LawsuitsPending          *float64 `parquet:"lawsuits_pending,optional" key:"t4/litigation_direct/pending+t4/litigation_after_reconsideration/pending"`
	LawsuitsTotal            *float64 `parquet:"lawsuits_total,optional" key:"t4/litigation_direct/total+t4/litigation_after_reconsideration/total"`
	FeesWan                  *float64 `parquet:"fees_wan,optional" key:"t2/art20_8.fees/fee_amount_wan"`
}

// MetaColumnPrefix prefixes the key-value metadata that names the
// canonical key of a summary column: nianbao.column.requests_received =
// t3/new_received/total. A column summing keys names them joined by "+";
// it is NULL unless at least one is printed as a number.
const MetaColumnPrefix = "nianbao.column."

// summaryColumn is a number column of SummaryRow: its field and keys.
type summaryColumn struct {
	field int
	name  string
	keys  []string
}

// summaryColumns are SummaryRow's number columns, from its struct tags.
var summaryColumns = func() []summaryColumn {
	var out []summaryColumn
	t := reflect.TypeFor[SummaryRow]()
	for i := range t.NumField() {
		f := t.Field(i)
		key := f.Tag.Get("key")
		if key == "" {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("parquet"), ",")
		out = append(out, summaryColumn{field: i, name: name, keys: strings.Split(key, "+")})
	}
	return out
}()

// summaryOptions are the writer options of summary.parquet: the columns'
// keys as metadata.
func summaryOptions(o Options) []parquet.WriterOption {
	var extra []parquet.WriterOption
	for _, c := range summaryColumns {
		extra = append(extra, parquet.KeyValueMetadata(MetaColumnPrefix+c.name, strings.Join(c.keys, "+")))
	}
	return writerOptions(o, extra...)
}

// summaryRow is the summary of r, whose report row is rr.
func summaryRow(rr *ReportRow, r *normalize.Report, a *slabs) SummaryRow {
	s := SummaryRow{ReportID: rr.ReportID, AgencyID: rr.AgencyID, Agency: rr.Agency, Year: rr.Year,
		Template: rr.Template, ParseStatus: rr.ParseStatus, ChecksFailed: rr.ChecksFailed}
	values := map[string]float64{}
	for _, c := range r.Cells {
		if c.Value != nil {
			values[c.Key()] = *c.Value
		}
	}
	v := reflect.ValueOf(&s).Elem()
	for _, c := range summaryColumns {
		sum, any := 0.0, false
		for _, k := range c.keys {
			if x, ok := values[k]; ok {
				sum, any = sum+x, true
			}
		}
		if any {
			v.Field(c.field).Set(reflect.ValueOf(a.float(sum)))
		}
	}
	return s
}
