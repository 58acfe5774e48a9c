package config

import (
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// TestPolicyMessagesInChinese: a bad policy value and an incoherent pair
// keep the English in Message and say it in the reader's language in Text.
func TestPolicyMessagesInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	_, ds := FromBytes([]byte("indicators:\n  specialist:\n    - name: a\n      weight: 60\n      standard: s\n    - name: b\n      weight: 30\n      standard: s\napproval_limits:\n  manager: 9000.00\n  director: 8000.00\n"))
	want := map[string]string{
		"indicators.specialist: the weights of specialist's indicators sum to 90, not 100": "indicators.specialist：specialist 的指標權重合計為 90，而不是 100",
		"approval_limits: the manager's limit 9000.00 is above the director's 8000.00":     "approval_limits：經理的上限 9000.00 高於總監的 8000.00",
	}
	for _, d := range ds {
		if zh, ok := want[d.Message]; ok {
			if d.Text != zh {
				t.Errorf("%s: Text = %q, want %q", d.Message, d.Text, zh)
			}
			delete(want, d.Message)
		}
	}
	for en := range want {
		t.Errorf("no diagnostic %q in %v", en, ds)
	}
}
