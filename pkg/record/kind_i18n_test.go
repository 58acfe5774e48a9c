package record

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
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
