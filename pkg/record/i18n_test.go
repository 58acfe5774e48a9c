package record

import (
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// TestParseMessagesInChinese: parse errors and their hints keep the English
// in Message and give Chinese in Text.
func TestParseMessagesInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	cases := []struct {
		text, english, chinese string
	}{
		{"kind: expense\nid: EXP-2026-0001\ntitle：x\n",
			`full-width colon '：' after "title": YAML needs an ASCII colon ':' and a space (title: ...)`,
			`"title" 後面是全形冒號「：」：YAML 需要半形冒號「:」加一個空格（title: ...）`},
		{"\xff\xfek\x00i\x00n\x00d\x00",
			"file is UTF-16-encoded, not UTF-8: save it as UTF-8 (in most editors: Save As, encoding UTF-8)",
			"檔案是 UTF-16 編碼，不是 UTF-8：請另存為 UTF-8（大多數編輯器：另存新檔，編碼選 UTF-8）"},
		{"- a\n- b\n", "a record is a mapping of fields (kind: ..., id: ...), not a list",
			"紀錄是欄位的對應（kind: ...、id: ...），而不是清單"},
	}
	for _, c := range cases {
		_, ds := Parse("records/expenses/2026/EXP-2026-0001.yaml", []byte(c.text))
		if len(ds) != 1 || ds[0].Message != c.english || ds[0].Text != c.chinese {
			t.Errorf("%q: got %+v\nwant %q / %q", c.text, ds, c.english, c.chinese)
		}
	}
}

// TestPlaceMessagesInChinese: a misplaced file is explained in both.
func TestPlaceMessagesInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	r, _ := Parse("records/stuff/EXP-2026-0001.yaml", []byte("kind: expense\nid: EXP-2026-0001\n"))
	ds := CheckPlace(r, "records")
	if len(ds) != 1 || ds[0].Message != `folder "stuff" is not a kind's folder` || ds[0].Text != `資料夾 "stuff" 不是任何類型的資料夾` {
		t.Fatalf("got %+v", ds)
	}
}

// TestYAMLErrorsInChinese: the YAML parser's own words for the usual
// mistakes are given in the reader's language (with a hint at the cause);
// Message keeps the parser's English.
func TestYAMLErrorsInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	said := 0
	for _, text := range []string{
		"kind: expense\nid: [EXP-2026-0001\n",      // an unclosed [
		"kind: expense\nid: {a: b\n",               // an unclosed {
		"kind: expense\ntitle: a: b\n",             // a colon in a value
		"kind: expense\ntitle: \"unclosed\n",       // an unclosed quote
		"kind: expense\nitems:\n  - a: 1\n b: 2\n", // indentation
		"kind: expense\ntitle: \"a\" b\n",          // text after a quote
		"kind: expense\ntitle: `x`\n",              // a backquote
		"kind: expense\ntitle: \"a\\qb\"\n",        // an unknown escape
		"kind: expense\nlist:\n  - a\n  b\n",       // a list item without its dash
		"kind: expense\n? [a]\n",                   // a complex key, unclosed
	} {
		_, ds := Parse("records/expenses/2026/EXP-2026-0001.yaml", []byte(text))
		for _, d := range ds {
			if d.Rule != "yaml-syntax" {
				continue
			}
			said++
			msg := strings.TrimPrefix(d.Message, "YAML syntax error: ")
			if strings.Contains(d.Text, msg) {
				t.Errorf("%q: the parser's English in the Chinese text: %s", text, d.Text)
			}
			if !strings.HasPrefix(d.Message, "YAML syntax error: ") {
				t.Errorf("%q: Message %q", text, d.Message)
			}
		}
	}
	if said < 8 {
		t.Errorf("%d of the mistakes were said as YAML syntax errors: the test proves little", said)
	}
}
