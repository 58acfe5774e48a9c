package workflow

import (
	"errors"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// TestRefusalsInChinese: a refusal keeps the English in Message (for
// -o json) and says it in the reader's language in Text and Error, with
// roles, states and kinds as terms.
func TestRefusalsInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	role := func(r string) string { return i18n.Term("role", r) }
	state := func(s string) string { return i18n.Term("state", s) }
	kind := func(k string) string { return i18n.Term("kind", k) }
	cases := []struct {
		name, to, english, chinese string
		actor                      Actor
		status, claimant, amount   string
	}{
		{"over the limit", "approved",
			"zhang.min (manager) may not approve EXP-2026-0193: 12,000.00 is over the manager limit of 5,000.00; a director or leadership must approve it",
			"zhang.min（" + role("manager") + "） 不得核准 EXP-2026-0193：12,000.00 超過" + role("manager") + "的核准上限 5,000.00；須由" + role("director") + "或公司高層核准",
			manager, "submitted", "li.wei", "12000.00"},
		{"wrong role", "approved",
			"li.wei (specialist) may not approve EXP-2026-0193: only a manager, a director or leadership may",
			"li.wei（" + role("specialist") + "） 不得核准 EXP-2026-0193：只有" + role("manager") + "，" + role("director") + "或公司高層可以",
			specialist, "submitted", "zhao.lei", "10"},
		{"not in the table", "approved",
			"no move from draft to approved for an expense; from draft: submitted",
			kind("expense") + "不能從" + state("draft") + "移至" + state("approved") + "；從" + state("draft") + "可以移至：" + state("submitted"),
			specialist, "draft", "li.wei", "10"},
	}
	for _, c := range cases {
		err := CheckMove(c.actor, expense(t, c.status, c.claimant, c.amount), c.to, Env{})
		var r *Refusal
		if !errors.As(err, &r) {
			t.Fatalf("%s: %v", c.name, err)
		}
		if r.Message != c.english {
			t.Errorf("%s: Message = %q, want %q", c.name, r.Message, c.english)
		}
		if r.Error() != c.chinese || r.Text != c.chinese {
			t.Errorf("%s: text = %q, want %q", c.name, r.Error(), c.chinese)
		}
	}
}
