package config

import (
	"os"
	"path/filepath"
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

// TestPolicyFileErrorsInChinese: a policy that is not a regular file is
// refused in the reader's language, its English kept.
func TestPolicyFileErrorsInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	_, _, _, err := LoadRead(root)
	if err == nil || err.Error() != ".opsbook.yaml 是資料夾，不是一般檔案：政策只從一般檔案讀取" {
		t.Errorf("a folder as the policy: %v", err)
	}
	if err != nil && i18n.EnglishOf(err) != ".opsbook.yaml is a folder, not a regular file: the policy is read only from a regular file" {
		t.Errorf("in English: %q", i18n.EnglishOf(err))
	}
	// a symbolic link is named so
	linked := t.TempDir()
	if err := os.Symlink(filepath.Join(root, FileName), filepath.Join(linked, FileName)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := LoadRead(linked); err == nil || i18n.EnglishOf(err) != ".opsbook.yaml is a symbolic link, not a regular file: the policy is read only from a regular file" {
		t.Errorf("a symbolic link as the policy: %v", err)
	}
}

// TestEncryptPolicyMessagesInChinese: a mistake in the policy's encrypt
// section is said in the reader's language, the kind as its word and the
// lists with the enumeration comma; a kind that names no party is not
// offered an empty list of them.
func TestEncryptPolicyMessagesInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	cases := []struct{ policy, english, chinese string }{
		{"encrypt:\n  customer:\n    fields: [contact]\n    readers: [director, boss]\n",
			`encrypt.customer: readers: "boss" is not a role (director, manager, specialist, leadership, finance), and a customer names no party who could read it`,
			`encrypt.customer：readers："boss" 不是角色（director、manager、specialist、leadership、finance），而客戶沒有可作為讀者的當事人`},
		{"encrypt:\n  complaint:\n    fields: [contact]\n    readers: [boss]\n",
			`encrypt.complaint: readers: "boss" is neither a role (director, manager, specialist, leadership, finance) nor a party of a complaint (assignee)`,
			`encrypt.complaint：readers："boss" 既不是角色（director、manager、specialist、leadership、finance），也不是投訴的當事人（assignee）`},
		{"encrypt:\n  customer:\n    fields: [contact, contact]\n    readers: [director]\n",
			`encrypt.customer: contact is listed twice`, `encrypt.customer：contact 列了兩次`},
	}
	for _, c := range cases {
		i18n.Set(i18n.Chinese)
		_, ds := FromBytes([]byte(c.policy))
		found := false
		for _, d := range ds {
			if d.Message == c.english {
				found = true
				if d.Text != c.chinese {
					t.Errorf("%s: Text = %q, want %q", d.Message, d.Text, c.chinese)
				}
			}
		}
		if !found {
			t.Errorf("no diagnostic %q in %v", c.english, ds)
		}
	}
}
