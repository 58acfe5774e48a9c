package i18n

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
)

func TestBoth(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	en, zh := Both("refused: the change would break the rules; nothing was changed")
	if en != "refused: the change would break the rules; nothing was changed" || zh == en {
		t.Fatalf("Both in Chinese = %q, %q", en, zh)
	}
	en, zh = Both("%s is %s", "EXP-1", Word{Group: "state", Key: "approved"})
	if en != "EXP-1 is approved" || zh != "EXP-1 is 已核准" {
		t.Fatalf("a Word is its key in English and its term in Chinese: %q, %q", en, zh)
	}
	Set(English)
	en, zh = Both("%s is %s", "EXP-1", Word{Group: "state", Key: "approved"})
	if en != zh || en != "EXP-1 is approved" {
		t.Fatalf("Both in English = %q, %q", en, zh)
	}
}

func TestBothPhrase(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	p := P("%s and %s", Word{Group: "state", Key: "approved"}, "x")
	en, zh := Both("it is %s", p)
	if en != "it is approved and x" || zh != "it is 已核准 and x" {
		t.Fatalf("a Phrase is formatted in each language: %q, %q", en, zh)
	}
}

func TestBothError(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	err := NewError("%s is %s", "x", Word{Group: "state", Key: "approved"})
	if err.Error() != "x is 已核准" {
		t.Fatalf("Error = %q", err.Error())
	}
	en, zh := Both("failed: %v", err)
	if en != "failed: x is approved" || zh != "failed: x is 已核准" {
		t.Fatalf("an Error is formatted in each language: %q, %q", en, zh)
	}
}

func TestBothJoin(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	j := Join(P(" or "), Word{Group: "state", Key: "approved"}, Word{Group: "state", Key: "paid"})
	en, zh := Both("it is %s", j)
	if en != "it is approved or paid" || zh != "it is 已核准或已付款" {
		t.Fatalf("a Joined list is formatted in each language: %q, %q", en, zh)
	}
	// Chinese writes no space between Chinese words, one beside a word of
	// letters
	j = Join(P(" or "), Word{Group: "state", Key: "approved"}, "li.wei", Word{Group: "state", Key: "paid"})
	if _, zh := Both("%s", j); zh != "已核准或 li.wei 或已付款" {
		t.Errorf("mixed: %q", zh)
	}
}

// TestField: a field path in words in Chinese (a list index from 1), as
// it is in English.
func TestField(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	en, zh := Both("names %s", Field("updates.0.by"))
	if en != "names updates.0.by" {
		t.Errorf("English %q", en)
	}
	if want := Term("field", "updates") + " 1·" + Term("field", "by"); !strings.HasSuffix(zh, want) || strings.Contains(want, "updates") {
		t.Errorf("Chinese %q, want it to end in %q", zh, want)
	}
	if got := Field("no_such_key").String(); got != "no_such_key" {
		t.Errorf("unknown key: %q", got)
	}
	// an indicator's name is a 名稱, a contact's (a person's) a 姓名
	if got := Field("indicators.0.name").String(); got != "指標 1·名稱" {
		t.Errorf("indicators.0.name: %q", got)
	}
	if got := Field("attendees.0.rating").String(); got != "與會者 1·評分" {
		t.Errorf("attendees.0.rating: %q", got)
	}
	// a violation's reported_on is the day it was reported (通報), not a
	// status report's (匯報)
	if got := Field("reported_on").String(); got != "通報日" {
		t.Errorf("reported_on: %q", got)
	}
	// a task's assigned is the date it was assigned
	if got := Field("assigned").String(); got != "指派日" {
		t.Errorf("assigned: %q", got)
	}
	if got := Field("contact.name").String(); got != "聯絡方式·姓名" {
		t.Errorf("contact.name: %q", got)
	}
}

// TestErrorfKeepsEnglish: an error of Errorf reads in the reader's
// language, keeps its English (with the English of the errors it wraps)
// for -o json, and still wraps for errors.Is and errors.As.
func TestErrorfKeepsEnglish(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	base := NewError("repository cannot be changed")
	inner := Errorf("writing: %w", fs.ErrPermission)
	err := Errorf("%w: %v", base, inner)
	if got := err.Error(); got != "無法變更儲存庫：寫入失敗："+fs.ErrPermission.Error() {
		t.Errorf("Error = %q", got)
	}
	if got := EnglishOf(err); got != "repository cannot be changed: writing: "+fs.ErrPermission.Error() {
		t.Errorf("EnglishOf = %q", got)
	}
	if !errors.Is(err, base) || errors.Is(err, fs.ErrPermission) || !errors.Is(inner, fs.ErrPermission) {
		t.Error("Errorf wraps what %w wraps, and only that")
	}
	outer := Errorf("writing: %w", err)
	var pe *fs.PathError
	if !errors.Is(outer, base) || errors.As(outer, &pe) {
		t.Error("a wrapped Errorf is found through another")
	}
	two := Errorf("%w: %s; %s, then run opsbook again", base, P("a merge is in progress"), "x")
	if got := EnglishOf(two); got != "repository cannot be changed: a merge is in progress; x, then run opsbook again" {
		t.Errorf("EnglishOf with a Phrase = %q", got)
	}
	if got := two.Error(); !strings.HasPrefix(got, "無法變更儲存庫：合併") {
		t.Errorf("Error with a Phrase = %q", got)
	}
	if got := EnglishOf(fs.ErrNotExist); got != fs.ErrNotExist.Error() {
		t.Errorf("EnglishOf(another error) = %q", got)
	}
	Set(English)
	if got := Errorf("%w: %v", base, "x").Error(); got != "repository cannot be changed: x" {
		t.Errorf("in English = %q", got)
	}
}

// TestBothTidiesAfterBrackets: Chinese writes no space after a closing
// full-width bracket, which an argument (an actor and their role) may end
// in where the format leaves one.
func TestBothTidiesAfterBrackets(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	_, zh := Both("%s may not %s %s: only %s may", P("%s (%s)", "sun.li", Word{Group: "role", Key: "specialist"}), P("approve"), "EXP-2026-0001", "x")
	if strings.Contains(zh, "） ") || !strings.HasPrefix(zh, "sun.li（專員）不得") {
		t.Errorf("%q", zh)
	}
	// a space before letters or digits stays
	if got := tidy("（經理） EXP-1"); got != "（經理） EXP-1" {
		t.Errorf("%q", got)
	}
}

// A PluralP phrase takes English's one or other form in the English text
// of Both, and the catalog's one form in Chinese.
func TestBothPluralPhrase(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	for n, want := range map[int][2]string{
		1: {"the sum of its 1 item", "the sum of its 1 個項目"},
		3: {"the sum of its 3 items", "the sum of its 3 個項目"},
	} {
		en, zh := Both("the sum of its %s", PluralP(n, "%d item", "%d items", n))
		if en != want[0] || zh != want[1] {
			t.Errorf("%d: %q, %q; want %q, %q", n, en, zh, want[0], want[1])
		}
	}
	Set(English)
	if got := Sprintf("every %s", PluralP(1, "%d day", "%d days", 1)); got != "every 1 day" {
		t.Errorf("English: %q", got)
	}
}

// Some names at most n ids and counts the rest, in each language; n or
// fewer are all named.
func TestSome(t *testing.T) {
	defer Set(English)
	Set(Chinese)
	ids := []string{"EXP-1", "EXP-2", "EXP-3", "EXP-4", "EXP-5"}
	en, zh := Both("claims %s", Some(ids, 2))
	if en != "claims EXP-1, EXP-2 and 3 more records" || zh != "claims EXP-1、EXP-2（另有 3 筆）" {
		t.Fatalf("Some(5 ids, 2) = %q, %q", en, zh)
	}
	en, zh = Both("claims %s", Some(ids, 5))
	if en != "claims EXP-1, EXP-2, EXP-3, EXP-4, EXP-5" || zh != "claims EXP-1、EXP-2、EXP-3、EXP-4、EXP-5" {
		t.Fatalf("Some(5 ids, 5) = %q, %q", en, zh)
	}
}
