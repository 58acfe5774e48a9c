package record

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
	"golang.org/x/text/language"
)

// An unknown kind is named in the reader's language; the kinds listed stay
// as they are typed.
func TestParseKindErrorInBothLanguages(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	_, err := ParseKind("nokind")
	if err == nil || !strings.HasPrefix(err.Error(), `沒有 "nokind" 這個類型（類型有：person、customer、`) {
		t.Errorf("Chinese: %v", err)
	}
	i18n.Set(i18n.English)
	_, err = ParseKind("nokind")
	if err == nil || !strings.HasPrefix(err.Error(), `unknown kind "nokind" (kinds: person, customer,`) {
		t.Errorf("English: %v", err)
	}
}

// A kind typed as its Chinese word is answered with the kind meant.
func TestParseKindChineseWord(t *testing.T) {
	defer i18n.Set(i18n.English)
	for _, lang := range []language.Tag{i18n.Chinese, i18n.English} {
		i18n.Set(lang)
		_, err := ParseKind("報銷單")
		want := map[language.Tag]string{i18n.Chinese: `沒有 "報銷單" 這個類型（你是指 "expense" 嗎？）`, i18n.English: `unknown kind "報銷單" (did you mean "expense"?)`}[lang]
		if err == nil || err.Error() != want {
			t.Errorf("%v: %v, want %s", lang, err, want)
		}
	}
}
