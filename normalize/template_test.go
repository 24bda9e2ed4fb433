package normalize

import "testing"

func TestMatchRowLabels(t *testing.T) {
	tests := []struct {
		table, label, want string
	}{
		{"t2", "规章", "art20_1.regulations"},
		{"t2", "规范性文件", "art20_1.normative_documents"},
		{"t2", "行政规范性文件", "art20_1.normative_documents"},
		{"t2", "行 政 许 可", "art20_5.licensing"},
		{"t2", "其他对外管理\n服务事项", "art20_5.other_services"},
		{"t2", "行政检查", ""}, // a local sub-row, not a template row
		{"t3", "一、本年新收政府信息公开申请数量", "new_received"},
		{"t3", "本年新收政府信息公开申请\n数量", "new_received"},
		{"t3", "(一) 予以公开", "result.disclosed"},
		{"t3", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "result.partly_disclosed"},
		{"t3", "（二）部分公开（区分处理的，只计这一情", "result.partly_disclosed"},
		{"t3", "1. 属于国家秘密", "result.withheld.state_secret"},
		{"t3", "1、属于国家秘密", "result.withheld.state_secret"},
		{"t3", "１．属于国家秘密", "result.withheld.state_secret"},
		{"t3", "2.其他法律行政止公开", "result.withheld.prohibited_by_law"},
		{"t3", "3.危及\"三安全一稳定\"", "result.withheld.security_stability"},
		{"t3", "1. 信访举报投诉类申", "result.not_processed.petition"},
		{"t3", "4.无正当理由大量反复 申请", "result.not_processed.mass_repeat"},
		{"t3", "（六）其他处理", "result.other"},
		{"t3", "3.其他", "result.other.other"},
		{"t3", "(七) 总计", "result.total"},
		{"t3", "四、结转下年度继续办理", "carried_forward"},
		{"t3", "（八）其他补充情况", ""},
		{"t3", "请", ""},
	}
	for _, tt := range tests {
		key, score, amb := rowMatchers[tt.table].match(tt.label)
		got := key
		if score < matchThreshold || amb {
			got = ""
		}
		if got != tt.want {
			t.Errorf("match(%s, %q) = %q (score %.2f, ambiguous %v), want %q", tt.table, tt.label, key, score, amb, tt.want)
		}
	}
}

func TestMatchColumnLabels(t *testing.T) {
	tests := []struct {
		table, label, want string
	}{
		{"t2", "本年新\n制作数量", "new_made"},
		{"t2", "本年增/减", "change"},
		{"t2", "本年处理决定数量", "decisions"},
		{"t2", "采购总金额（万元，保留四位小数）", "procurement_amount_wan"},
		{"t2", "本年收费金额（单位：万元）", "fee_amount_wan"},
		{"t3", "商业\n企业", "commercial"},
		{"t3", "其他", "other_org"},
		{"t3", "小计", "org_subtotal"},
		{"t3", "总计", "total"},
		{"t3", "法人或其他组织", ""},
		{"t4", "结果\n纠正", "corrected"},
		{"t4", "总 计", "total"},
	}
	for _, tt := range tests {
		key, score, amb := colMatchers[tt.table].match(tt.label)
		got := key
		if score < 0.8 || amb {
			got = ""
		}
		if got != tt.want {
			t.Errorf("match(%s, %q) = %q (score %.2f), want %q", tt.table, tt.label, key, score, tt.want)
		}
	}
}

func TestCore(t *testing.T) {
	tests := map[string]string{
		"（一）予以公开":   "予以公开",
		"(三) 不予公开":  "不予公开",
		"三、本年度办理结果": "本年度办理结果",
		"2. 重复申请":   "重复申请",
		"⾦额":        "金额", // Kangxi radical
		"本年增/减":     "本年增/减",
		"（本列数据的勾稽关系为：…）": "本列数据的勾稽关系为",
	}
	for in, want := range tests {
		if got := core(in); got != want {
			t.Errorf("core(%q) = %q, want %q", in, got, want)
		}
	}
}
