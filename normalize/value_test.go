package normalize

import "testing"

func TestParseValue(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		raw  string
		ok   bool
		want *float64
		unit string
	}{
		{"0", true, f(0), ""},
		{"13", true, f(13), ""},
		{"3.4600", true, f(3.46), ""},
		{"5949.088667", true, f(5949.088667), ""},
		{"１２", true, f(12), ""},      // full-width digits
		{"1,234", true, f(1234), ""}, // thousands separator
		{"1，234", true, f(1234), ""}, // full-width comma
		{"-3", true, f(-3), ""},      // 本年增/减
		{"－3", true, f(-3), ""},      // full-width minus
		{"251000元", true, f(251000), "元"},
		{"25.1万元", true, f(25.1), "万元"},
		{"12 件", true, f(12), ""},
		{"", true, nil, ""},
		{" ", true, nil, ""},
		{"\u00a0", true, nil, ""}, // &nbsp;
		{"—", true, nil, ""},
		{"-", true, nil, ""},
		{"/", true, nil, ""},
		{"无", true, nil, ""},
		{"规章", false, nil, ""},
		{"1.属于国家秘密", false, nil, ""},
		{"Inf", false, nil, ""},
		{"1e5", false, nil, ""},
		{"0x10", false, nil, ""},
		{"1.2.3", false, nil, ""},
		{"元", false, nil, ""},
	}
	for _, tt := range tests {
		v, ok := parseValue(tt.raw)
		if ok != tt.ok {
			t.Errorf("parseValue(%q) ok = %v, want %v", tt.raw, ok, tt.ok)
			continue
		}
		if !sameValue(v.Num, tt.want) || v.Unit != tt.unit {
			t.Errorf("parseValue(%q) = %v %q, want %v %q", tt.raw, fmtNum(v.Num), v.Unit, fmtNum(tt.want), tt.unit)
		}
	}
}

func fmtNum(p *float64) any {
	if p == nil {
		return "null"
	}
	return *p
}

func TestMoney(t *testing.T) {
	tests := []struct {
		header, unit string
		v, want      float64
	}{
		{"采购总金额", "", 25.1, 25.1},
		{"采购总金额", "元", 251000, 25.1},
		{"采购总金额（元）", "", 251000, 25.1},
		{"采购总金额（万元，保留四位小数）", "", 3.46, 3.46},
		{"本年收费金额（单位：万元）", "", 7730.28, 7730.28},
		{"本年收费金额（单位：万元）", "万元", 1, 1},
		{"采购总金额（元）", "万元", 2, 2}, // the value's own unit wins
	}
	for _, tt := range tests {
		unit := tt.unit
		if unit == "" {
			unit = moneyUnit(tt.header)
		}
		if got := toWan(tt.v, unit); got != tt.want {
			t.Errorf("toWan(%v) under %q unit %q = %v, want %v", tt.v, tt.header, tt.unit, got, tt.want)
		}
	}
}
