package attach

import (
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// TestPathErrorsInChinese: a bad attachment path is explained in the
// reader's language, and in English where the English is kept (-o json).
func TestPathErrorsInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	err := CheckPath(`attachments\EXP-2026-0001\r.pdf`)
	if err == nil || err.Error() != `attachments\EXP-2026-0001\r.pdf 含有反斜線：請使用 '/'` {
		t.Fatalf("err = %v", err)
	}
	en, _ := i18n.Both("attachments: %v", err)
	if en != `attachments: attachments\EXP-2026-0001\r.pdf has a backslash: use '/'` {
		t.Fatalf("English = %q", en)
	}
}
