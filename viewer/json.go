package viewer

import (
	"reflect"
	"strings"
)

// columns is a row of the dataset (or a slice of rows) as JSON objects
// keyed by the Parquet column names, so that a page's twin reads like the
// dataset it comes from (report_id, not ReportID): the row types carry
// parquet tags only.
func columns(v any) any {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = columns(rv.Index(i).Interface())
		}
		return out
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return columns(rv.Elem().Interface())
	case reflect.Struct:
		m := make(map[string]any, rv.NumField())
		t := rv.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("parquet"), ",")
			if name == "" || name == "-" {
				continue
			}
			f := rv.Field(i)
			if f.Kind() == reflect.Pointer && f.IsNil() {
				m[name] = nil
				continue
			}
			m[name] = f.Interface()
		}
		return m
	}
	return v
}
