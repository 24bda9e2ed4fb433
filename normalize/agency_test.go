package normalize

import (
	"regexp"
	"testing"
)

func TestAgencyID(t *testing.T) {
	same := []struct {
		name               string
		reg1, pr1          string
		reg2, pr2          string
		wantSame, wantName bool
	}{
		{name: "registry qualifies the printed name", reg1: "淮安市洪泽区人民政府", pr1: "洪泽区人民政府", reg2: "淮安市洪泽区人民政府", pr2: "淮安市洪泽区人民政府", wantSame: true},
		{name: "registry alone", reg1: "淮安市洪泽区人民政府", pr1: "洪泽区人民政府", reg2: "淮安市洪泽区人民政府", wantSame: true},
		{name: "printed qualifies the registry's", reg1: "洪泽区人民政府", pr1: "淮安市洪泽区人民政府", reg2: "洪泽区人民政府", wantSame: true},
		{name: "政府 for 人民政府", pr1: "洪泽区政府", pr2: "洪泽区人民政府", wantSame: true},
		{name: "label, spaces, full width", pr1: "标题：洪泽区　人民政府", pr2: "洪泽区人民政府", wantSame: true},
		{name: "annotation in brackets", reg1: "沭阳县人民政府（部门栏目）", reg2: "沭阳县人民政府", wantSame: true},
		{name: "管委会", reg1: "平潭综合实验区管理委员会", pr1: "平潭综合实验区", reg2: "平潭综合实验区管委会", wantSame: true},
		{name: "bare place name takes the registry's", reg1: "平潭综合实验区管理委员会", pr1: "平潭综合实验区", pr2: "平潭综合实验区管理委员会", wantSame: true},
		{name: "a department in its government's column", reg1: "上海市人民政府", pr1: "上海市人民政府办公厅", pr2: "上海市人民政府办公厅", wantSame: true},
		{name: "the department is not the government", reg1: "上海市人民政府", pr1: "上海市人民政府办公厅", reg2: "上海市人民政府", wantSame: false},
		{name: "办公室 is a department", pr1: "青山县人民政府办公室", pr2: "青山县人民政府", wantSame: false},
		{name: "办公室 and 办公厅 are not unified", pr1: "某市人民政府办公室", pr2: "某市人民政府办公厅", wantSame: false},
		{name: "unqualified names are not merged without a registry", pr1: "洪泽区人民政府", pr2: "淮安市洪泽区人民政府", wantSame: false},
		{name: "two departments", pr1: "澄川县教育局", pr2: "澄川县自然资源局", wantSame: false},
	}
	for _, tt := range same {
		t.Run(tt.name, func(t *testing.T) {
			a, b := AgencyID(tt.reg1, tt.pr1), AgencyID(tt.reg2, tt.pr2)
			if a == "" || b == "" {
				t.Fatalf("empty id: %q %q", a, b)
			}
			if (a == b) != tt.wantSame {
				t.Errorf("AgencyID(%q, %q) = %s, AgencyID(%q, %q) = %s; same = %v, want %v", tt.reg1, tt.pr1, a, tt.reg2, tt.pr2, b, a == b, tt.wantSame)
			}
		})
	}
	if id := AgencyID("", ""); id != "" {
		t.Errorf("AgencyID of no name = %q, want empty", id)
	}
	if id := AgencyID("", "澄川县教育局"); !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("id %q is not 12 hex digits", id)
	}
	// Stable: the id is the hash of the normalised name, nothing else.
	if got, want := AgencyID("", "澄川县教育局"), agencyHash("澄川县教育局"); got != want {
		t.Errorf("id %s, want %s", got, want)
	}
}

func TestChooseAgency(t *testing.T) {
	tests := []struct{ reg, printed, want string }{
		{"", "洪泽区人民政府", "洪泽区人民政府"},
		{"淮安市洪泽区人民政府", "", "淮安市洪泽区人民政府"},
		{"淮安市洪泽区人民政府", "洪泽区人民政府", "淮安市洪泽区人民政府"},
		{"平潭综合实验区管理委员会", "平潭综合实验区", "平潭综合实验区管理委员会"},
		{"上海市人民政府", "上海市人民政府办公厅", "上海市人民政府办公厅"},
		{"沭阳县人民政府（sygfj 部门栏目）", "沭阳县供销合作总社", "沭阳县供销合作总社"},
		{"沭阳县人民政府（sygfj 部门栏目）", "", "沭阳县人民政府"},
		{"", "发布机构： 澄川县 教育局", "澄川县教育局"},
	}
	for _, tt := range tests {
		if got := ChooseAgency(tt.reg, tt.printed); got != tt.want {
			t.Errorf("ChooseAgency(%q, %q) = %q, want %q", tt.reg, tt.printed, got, tt.want)
		}
	}
}

func TestIdentifyAgency(t *testing.T) {
	r := &Report{Agency: "洪泽区人民政府", AgencyPrinted: "洪泽区人民政府", AgencyID: AgencyID("", "洪泽区人民政府")}
	IdentifyAgency(r, "淮安市洪泽区人民政府")
	if r.Agency != "淮安市洪泽区人民政府" || r.AgencyPrinted != "洪泽区人民政府" || r.AgencyRegistry != "淮安市洪泽区人民政府" ||
		r.AgencyID != AgencyID("淮安市洪泽区人民政府", "") {
		t.Errorf("identified %+v", r)
	}
	IdentifyAgency(r, "淮安市洪泽区人民政府") // twice: the same
	if r.Agency != "淮安市洪泽区人民政府" || r.AgencyID != AgencyID("淮安市洪泽区人民政府", "") {
		t.Errorf("identified twice %+v", r)
	}
	// Nothing printed: the crawl's name (annotate put it in Agency).
	r = &Report{Agency: "澄川县人民政府"}
	IdentifyAgency(r, "澄川县人民政府")
	if r.Agency != "澄川县人民政府" || r.AgencyID != AgencyID("澄川县人民政府", "") {
		t.Errorf("identified %+v", r)
	}
	// No registry: the printed name's id.
	r = &Report{Agency: "澄川县教育局", AgencyPrinted: "澄川县教育局"}
	IdentifyAgency(r, "")
	if r.AgencyID != AgencyID("", "澄川县教育局") || r.AgencyRegistry != "" {
		t.Errorf("identified %+v", r)
	}
}

func TestAgencyLevel(t *testing.T) {
	tests := map[string]string{
		"澄川县人民政府":         LevelGovernment,
		"鹿溪市苍澜区人民政府":      LevelGovernment,
		"上海市政府":           LevelGovernment,
		"某地区行政公署":         LevelGovernment,
		"平潭综合实验区管理委员会":    LevelGovernment,
		"西咸新区管委会":         LevelGovernment,
		"某经济技术开发区管理委员会":   LevelGovernment,
		"澄川县教育局":          LevelDepartment,
		"上海市人民政府办公厅":      LevelDepartment,
		"青山县人民政府办公室":      LevelDepartment,
		"清河区卫生健康委员会":      LevelDepartment,
		"北京市城市管理委员会":      LevelDepartment,
		"某市发展和改革委":        LevelDepartment,
		"某区政务服务中心":        LevelDepartment,
		"某县供销合作总社":        LevelDepartment,
		"北京市西城区人民政府外事办公室": LevelDepartment,
		"白沙镇人民政府":         LevelTownship,
		"某乡人民政府":          LevelTownship,
		"某街道办事处":          LevelTownship,
		"平潭综合实验区":         "",
		"":                "",
	}
	for name, want := range tests {
		if got := AgencyLevel(name); got != want {
			t.Errorf("AgencyLevel(%q) = %q, want %q", name, got, want)
		}
	}
}
