package audit

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// TestViolationsInChinese: verify's findings keep the English in Message
// (for -o json) and say it in the reader's language in Text, a merge's
// prefix and the workflow's refusal included.
func TestViolationsInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	tr := honest(t)
	tr.git("checkout", "-q", "-b", "other", "main~1")
	tr.write("README.md", "notes\n")
	tr.commit("li.wei", "notes")
	tr.git("checkout", "-q", "main")
	tr.gitEnv([]string{"GIT_AUTHOR_NAME=li.wei", "GIT_AUTHOR_EMAIL=li.wei@example.com",
		"GIT_COMMITTER_NAME=li.wei", "GIT_COMMITTER_EMAIL=li.wei@example.com"},
		"merge", "-q", "--no-ff", "--no-commit", "other")
	tr.edit(expensePath("EXP-2026-0001"), "amount: 1280.50", "amount: 2280.50")
	tr.git("add", "-A")
	tr.commit("li.wei", "merge other")
	en := tr.verify("")
	i18n.Set(i18n.Chinese)
	zh := tr.verify("")
	if len(en.Violations) != 1 || len(zh.Violations) != 1 {
		t.Fatalf("violations: %v / %v", en.Violations, zh.Violations)
	}
	e, z := en.Violations[0], zh.Violations[0]
	if e.Message != z.Message {
		t.Errorf("the English differs by language:\n%s\n%s", e.Message, z.Message)
	}
	if !strings.HasPrefix(z.Text, "合併 commit 本身的變更（不是其他父 commit 帶來的）：") || !strings.Contains(z.Text, "這是最終狀態") {
		t.Errorf("Text = %q", z.Text)
	}
	if e.Human() != e.Message {
		t.Errorf("in English the text is the message: %q", e.Human())
	}
}
