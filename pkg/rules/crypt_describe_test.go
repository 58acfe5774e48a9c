package rules

import (
	"testing"

	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// TestDescribeReadersInChinese: the readers a ciphertext misses are named
// with their roles and fields in the reader's language, and as the files
// spell them in English.
func TestDescribeReadersInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	rs := []crypt.Reader{{Handle: "zhou.jie", Why: []string{"assignee", "manager"}}, {Handle: "wang.fang", Why: []string{"director"}}}
	english, local := i18n.Both("%s", describe(rs))
	if want := "zhou.jie (assignee, manager), wang.fang (director)"; english != want {
		t.Errorf("English = %q, want %q", english, want)
	}
	want := "zhou.jie（" + i18n.Term("field", "assignee") + "、" + i18n.Term("role", "manager") + "）、wang.fang（" + i18n.Term("role", "director") + "）"
	if local != want {
		t.Errorf("text = %q, want %q", local, want)
	}
}
