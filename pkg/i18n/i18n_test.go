package i18n

import (
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]string{
		"zh-Hant": "zh-Hant", "zh-TW": "zh-Hant", "zh_HK.UTF-8": "zh-Hant", "zh_CN.UTF-8": "zh-Hant",
		"en": "en", "en_US.UTF-8": "en", "en_GB@euro": "en",
	} {
		got, ok := Parse(in)
		if !ok || got.String() != want {
			t.Errorf("Parse(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "C", "POSIX", "C.UTF-8", "fr_FR.UTF-8", "%%"} {
		if _, ok := Parse(in); ok {
			t.Errorf("Parse(%q) ok, want not ok", in)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{"LANG": "zh_TW.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}
	tag, ok := FromEnv(func(k string) string { return env[k] })
	if !ok || tag != English {
		t.Fatalf("LC_MESSAGES should win over LANG: %v %v", tag, ok)
	}
	env["LC_ALL"] = "C"
	if _, ok := FromEnv(func(k string) string { return env[k] }); ok {
		t.Fatal("LC_ALL=C decides and names no language")
	}
}

func TestTranslate(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	if got := T("refused: the change would break the rules; nothing was changed"); got == "refused: the change would break the rules" {
		t.Fatalf("no Chinese for a catalogued key: %q", got)
	}
	if got := Sprintf("no such key %d", 2026); got != "no such key 2026" {
		t.Fatalf("an unknown key falls back to English, formatted by fmt: %q", got)
	}
	if got := Term("state", "approved"); got != "已核准" {
		t.Fatalf("Term = %q", got)
	}
	if got := Term("state", "no-such-state"); got != "no-such-state" {
		t.Fatalf("unknown term = %q", got)
	}
	Set(English)
	if got := Term("state", "approved"); got != "approved" {
		t.Fatalf("English term = %q", got)
	}
	if LoadError() != nil {
		t.Fatal(LoadError())
	}
}

// A term group may hold words catalog libraries reserve for plural forms
// ("other", "one", "id", "description"): they stay plain keys.
func TestReservedWordsAreTerms(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	if got := Term("category", "other"); got != "其他" {
		t.Fatalf("category.other = %q", got)
	}
	if got := Term("category", "training"); got != "培訓" {
		t.Fatalf("category.training = %q", got)
	}
}

// Plural picks English's one or other by the count, through go-i18n's
// plural rules; Chinese has one form, the catalog's text of other.
func TestPlural(t *testing.T) {
	Set(English)
	defer Set(English)
	for n, want := range map[int]string{0: "0 errors", 1: "1 error", 2: "2 errors", 11: "11 errors"} {
		if got := Plural(n, "%d error", "%d errors", n); got != want {
			t.Errorf("English %d: %q, want %q", n, got, want)
		}
	}
	Set(Chinese)
	for n, want := range map[int]string{1: "1 筆紀錄", 3: "3 筆紀錄"} {
		if got := Plural(n, "%d record", "%d records", n); got != want {
			t.Errorf("Chinese %d: %q, want %q", n, got, want)
		}
	}
}
