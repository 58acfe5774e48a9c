package rules

import (
	"strings"
	"testing"
	"unicode"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// TestMessagesInChinese: in Chinese, a diagnostic's Message stays the
// English of -o json and its Text is the Chinese, with states, roles and
// kinds given as terms and the case-dependent parts translated too.
func TestMessagesInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	cases := []struct {
		name    string
		files   map[string]string
		path    string
		rule    string
		english string
		chinese string
	}{
		{"state as a term", map[string]string{expPath: expense("submitted", "600.00", "")}, expPath, "receipt-required",
			"amount 600.00 is over 500.00: a submitted claim needs a receipt (receipt: or one on each item)",
			"金額 600.00 超過 500.00：已提交的報銷單需要收據（receipt:，或每個項目各附一張）"},
		{"kind as a term, suggestion kept", map[string]string{expPath: strings.Replace(expense("draft", "10.00", ""), "claimant: li.wei", "claimant: li.wie", 1)}, expPath, "ref-missing",
			`claimant: no person "li.wie" (did you mean "li.wei"?)`,
			`claimant：沒有人員 "li.wie"（你是指 "li.wei" 嗎？）`},
		{"a reference to a record whose kind cannot be read", map[string]string{expPath: expense("draft", "10.00", ""), liWeiPath: strings.Replace(base[liWeiPath], "kind: person\n", "", 1)}, expPath, "ref-missing",
			"claimant: li.wei is a record whose kind cannot be read (see its file's errors), not a person",
			"claimant：li.wei 是讀不出種類的紀錄（見其檔案的錯誤），不是人員"},
		// a list of fields is joined by the enumeration comma in Chinese
		{"a list of fields", map[string]string{"records/analyses/2026/ANA-2026-0001.yaml": "kind: analysis\nid: ANA-2026-0001\ntitle: a\nstatus: submitted\nauthor: li.wei\nperiod: 2026-Q3\n"}, "records/analyses/2026/ANA-2026-0001.yaml", "state-needs",
			"a submitted analysis needs sources, findings, recommendations (§4.2)",
			"已提交的分析需要 sources、findings、recommendations（§4.2）"},
		// and so is a list the rule builds itself
		{"a list of missing fields", map[string]string{"records/status-reports/2026/RPT-2026-0001.yaml": "kind: status-report\nid: RPT-2026-0001\ntitle: a\nstatus: submitted\nauthor: li.wei\nto: zhang.min\nperiod: 2026-W48\n"}, "records/status-reports/2026/RPT-2026-0001.yaml", "state-needs",
			"a submitted status report needs progress, submitted_at, snapshot",
			"已提交的工作匯報需要 progress、submitted_at、snapshot"},
		{"a phrase in each language", map[string]string{cmpPath: complaint("acknowledged", "critical", "assignee: li.wei\nacknowledged_at: 2026-11-20T10:30:00+08:00\n")}, cmpPath, "sla-breach",
			"first response SLA breached: acknowledged after 1.5h, limit 1.0h for critical severity",
			"首次回應超出 SLA：1.5h 後才確認受理，嚴重度「緊急」的上限為 1.0h"},
	}
	for _, c := range cases {
		for _, lang := range []string{"en", "zh"} {
			if lang == "zh" {
				i18n.Set(i18n.Chinese)
			} else {
				i18n.Set(i18n.English)
			}
			found := false
			ds := check(t, c.files)
			for _, d := range ds {
				if d.Path != c.path || d.Rule != c.rule || d.Message != c.english {
					continue
				}
				found = true
				want := c.english
				if lang == "zh" {
					want = c.chinese
				}
				if d.Human() != want {
					t.Errorf("%s (%s): text = %q, want %q", c.name, lang, d.Human(), want)
				}
			}
			if !found {
				t.Errorf("%s (%s): no %s diagnostic %q in %v", c.name, lang, c.rule, c.english, ds)
			}
		}
	}
}

// TestEveryRuleTestSpeaksChinese runs the cases of the other tests in
// Chinese: every diagnostic's text holds Chinese, so no English sentence
// reaches a Chinese reader through an argument.
func TestEveryRuleTestSpeaksChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	seen := 0
	checkHook = func(ds []diag.Diagnostic) {
		for _, d := range ds {
			seen++
			if !strings.ContainsFunc(d.Text, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("%s: no Chinese in %q", d.Rule, d.Text)
			}
			if w := englishListedWord(d.Text); w != "" {
				t.Errorf("%s: %q says the listed word %q in English", d.Rule, d.Text, w)
			}
		}
	}
	defer func() { checkHook = nil }()
	for _, test := range []func(*testing.T){
		TestAnalysisRules, TestCustomerCare, TestPreventionOnEveryClosedComplaint, TestMeetingRules,
		TestNDA, TestNDARequired, TestOpsPlanRules, TestOutcomes, TestAppraisalMissing, TestMeasuresRecorded,
		TestIndicatorCatalogue, TestRules, TestAppraisalRules, TestComplaintRules, TestPlanAndProjectRules,
		TestSplitClaim, TestStatusReportRules, TestTaskRules, TestPlanTaskDates, TestPlanMeasurements,
		TestTrainingRules, TestViolationRules,
	} {
		test(t)
	}
	if seen < 100 {
		t.Fatalf("only %d diagnostics seen", seen)
	}
}

// TestEveryRuleSummaryInChinese: `validate --rules` tells what each rule
// checks in Chinese, from the catalog's "rule" terms; a rule added without
// its Chinese summary fails here.
func TestEveryRuleSummaryInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	for _, r := range Catalog {
		got := i18n.Term("rule", r.Code)
		if got == r.Code {
			t.Errorf("rule %s has no Chinese summary (terms catalog, group rule)", r.Code)
			continue
		}
		if !strings.ContainsFunc(got, func(c rune) bool { return unicode.Is(unicode.Han, c) }) {
			t.Errorf("rule %s: summary %q is not Chinese", r.Code, got)
		}
	}
}

// listedWords are words of the records' lists (a rating, a training's
// topic, a sanction, …) that the catalog translates: a Chinese message
// says them as terms, never as the file's English word.
var listedWords = map[string][]string{
	"rating":   {"outstanding", "exceeds", "meets", "below", "unsatisfactory"},
	"topic":    {"business", "skills", "professionalism", "confidentiality", "management"},
	"delivery": {"internal", "external"},
	"sanction": {"warning", "fine", "termination", "legal_referral"},
	"type":     {"inquiry", "weekly", "monthly", "cross-department"},
	"segment":  {"key_account", "wholesale", "retail", "consumer"},
	"category": {"personnel", "marketing", "office", "travel", "training", "product", "service", "billing"},
}

// englishListedWord is the first listed word text holds as a word of its
// own (not inside a field path such as improvement.goals or a command, nor
// as the value of a field written as in the file, category: training).
func englishListedWord(text string) string {
	isWord := func(r rune) bool {
		return r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.' || r == ':' || r == '`')
	}
	prev := ""
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return !isWord(r) }) {
		asInFile := strings.HasSuffix(prev, ":")
		prev = f
		if asInFile {
			continue
		}
		for _, ws := range listedWords {
			for _, w := range ws {
				if f == w {
					return w
				}
			}
		}
	}
	return ""
}
