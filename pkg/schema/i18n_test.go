package schema

import (
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// TestMessagesInChinese: schema errors keep the English in Message (for
// -o json) and give the reader's language in Text, the validator's own
// messages included.
// complaintNeeds is a complaint with neither customer nor contact.
const complaintNeeds = "kind: complaint\nid: CMP-2026-0001\ntitle: 破損\nstatus: received\ntype: complaint\nchannel: phone\ncategory: delivery\nseverity: low\nsummary: 三箱破損\nreceived_at: 2026-11-20T10:00:00+08:00\n"

func TestMessagesInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	s, err := Compile(expCats, cmpCats)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ edit, english, chinese string }{
		{strings.Replace(expense, "category: marketing", "category: Marketing", 1),
			`category: "Marketing" is not allowed (did you mean "marketing"?); value must be one of "personnel", "marketing", "office", "travel", "training", "other"`,
			`category：不允許 "Marketing"（你是指 "marketing" 嗎？）；值必須是下列之一："personnel"（人事）、"marketing"（市場推廣）、"office"（辦公）、"travel"（差旅）、"training"（培訓）、"other"（其他）`},
		// a value typed as its Chinese word: the value meant, in both
		// languages (the English is the same whoever reads)
		{strings.Replace(expense, "category: marketing", "category: 差旅", 1),
			`category: "差旅" is not allowed (did you mean "travel"?); value must be one of "personnel", "marketing", "office", "travel", "training", "other"`,
			`category：不允許 "差旅"（你是指 "travel" 嗎？）；值必須是下列之一："personnel"（人事）、"marketing"（市場推廣）、"office"（辦公）、"travel"（差旅）、"training"（培訓）、"other"（其他）`},
		{strings.Replace(expense, "status: draft", "status: 已提交", 1),
			`status: "已提交" is not allowed (did you mean "submitted"?); value must be one of "draft", "submitted", "reviewed", "approved", "returned", "rejected", "paid"`,
			`status：不允許 "已提交"（你是指 "submitted" 嗎？）；值必須是下列之一："draft"（草稿）、"submitted"（已提交）、"reviewed"（已審閱）、"approved"（已核准）、"returned"（已退回）、"rejected"（已駁回）、"paid"（已付款）`},
		{strings.Replace(expense, "date: 2026-09-14", "date: 14/09/2026", 1),
			`date: "14/09/2026" is not a real date (YYYY-MM-DD)`, `date："14/09/2026" 不是有效的日期（YYYY-MM-DD）`},
		{strings.Replace(expense, "claimant: li.wei\n", "", 1),
			`missing required field "claimant" in record`, `紀錄缺少必要欄位 "claimant"`},
		// several, listed with the reader's comma
		{strings.Replace(strings.Replace(expense, "claimant: li.wei\n", "", 1), "category: marketing\n", "", 1),
			`missing required fields "claimant", "category" in record`, `紀錄缺少必要欄位 "claimant"、"category"`},
		{expense + "amuont: 5\n", `unknown field "amuont" (did you mean "amount"?)`, `未知欄位 "amuont"（你是指 "amount" 嗎？）`},
		// a field typed as its Chinese word: the key meant; another word of
		// Chinese is no misspelling of a key
		{expense + "標題: 5\n", `unknown field "標題" (did you mean "title"?)`, `未知欄位 "標題"（你是指 "title" 嗎？）`},
		{expense + "亂碼: 5\n", `unknown field "亂碼"`, `未知欄位 "亂碼"`},
		// two unknown fields in one finding, joined as Chinese joins clauses
		{expense + "amuont: 5\nbogus: 1\n", `unknown field "amuont" (did you mean "amount"?); unknown field "bogus"`, `未知欄位 "amuont"（你是指 "amount" 嗎？）；未知欄位 "bogus"`},
		{strings.Replace(expense, "claimant: li.wei", "claimant: Li Wei", 1),
			`claimant: "Li Wei" is not a person's handle (lower-case letters, digits, . and -, like li.wei)`,
			`claimant："Li Wei" 不是人員代號（小寫字母、數字、. 與 -，例如 li.wei）`},
		// anyOf of required fields: the joining words are the reader's too
		{complaintNeeds, `record: needs "customer" or "contact"`, `紀錄：需要 "customer" 或 "contact"`},
		{strings.Replace(expense, "title: 印刷", "title: [a]", 1), "title: expected string, but got array", "title：應為文字，實際是清單"},
		{strings.Replace(expense, "title: 印刷", "title: {a: b}", 1), "title: expected string, but got object", "title：應為文字，實際是欄位組"},
	}
	for _, c := range cases {
		r, ds := record.Parse("records/expenses/2026/EXP-2026-0001.yaml", []byte(c.edit))
		if len(ds) > 0 {
			t.Fatalf("parse: %v", ds)
		}
		found := false
		for _, d := range s.Validate(r) {
			if d.Message == c.english {
				found = true
				if d.Text != c.chinese {
					t.Errorf("%s: text = %q, want %q", c.english, d.Text, c.chinese)
				}
			}
		}
		if !found {
			t.Errorf("no diagnostic %q in %v", c.english, s.Validate(r))
		}
	}
}

// A finding's English text (what -o json prints) does not depend on the
// reader's language, the "did you mean" of a value typed in Chinese
// included.
func TestEnumEnglishWhoeverReads(t *testing.T) {
	defer i18n.Set(i18n.English)
	s, err := Compile(expCats, cmpCats)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := record.Parse("records/expenses/2026/EXP-2026-0001.yaml", []byte(strings.Replace(expense, "category: marketing", "category: 差旅", 1)))
	var got []string
	for _, tag := range []language.Tag{i18n.English, i18n.Chinese} {
		i18n.Set(tag)
		var msgs []string
		for _, d := range s.Validate(r) {
			msgs = append(msgs, d.Message)
		}
		got = append(got, strings.Join(msgs, "\n"))
	}
	if got[0] != got[1] || !strings.Contains(got[0], `did you mean "travel"`) {
		t.Errorf("English:\n%s\nChinese reader:\n%s", got[0], got[1])
	}
}
