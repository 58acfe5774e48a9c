package record

import (
	"strings"
	"testing"
	"unicode/utf16"
)

func utf16le(s string, bom bool) []byte {
	var out []byte
	if bom {
		out = append(out, 0xFF, 0xFE)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u), byte(u>>8))
	}
	return out
}

func utf16be(s string) []byte {
	out := []byte{0xFE, 0xFF}
	for _, u := range utf16.Encode([]rune(s)) {
		out = append(out, byte(u>>8), byte(u))
	}
	return out
}

const encSample = "kind: expense\nid: EXP-2026-0001\ntitle: 差旅\nstatus: draft\nclaimant: li.wei\n"

func TestAFileNotInUTF8IsOneErrorNamingItsEncoding(t *testing.T) {
	// 差旅費用報銷 and 杭州 in GBK, byte by byte
	gbk := []byte("kind: expense\nid: EXP-2026-0001\ntitle: \xb2\xee\xc2\xc3\xd9\x4d\xd3\xc3\x88\xf3\xe4\x4e\nnote: \xba\xbc\xd6\xdd\n")
	for _, c := range []struct {
		name string
		data []byte
		want string
		line int
	}{
		{"UTF-16LE with BOM", utf16le(encSample, true), "file is UTF-16-encoded, not UTF-8: save it as UTF-8", 1},
		{"UTF-16BE with BOM", utf16be(encSample), "file is UTF-16-encoded, not UTF-8", 1},
		{"UTF-16LE without BOM", utf16le(encSample, false), "UTF-16-encoded (without a byte-order mark)", 1},
		{"GBK", gbk, "it looks GBK-, GB18030- or Big5-encoded", 3},
		{"one stray byte", []byte("kind: expense\nid: EXP-2026-0001\ntitle: a\xff\n"), "invalid UTF-8 byte 0xFF: save it as UTF-8", 3},
	} {
		_, ds := Parse("records/expenses/2026/EXP-2026-0001.yaml", c.data)
		if len(ds) != 1 {
			t.Errorf("%s: %d diagnostics, want 1: %v", c.name, len(ds), ds)
			continue
		}
		if d := ds[0]; d.Rule != "file-encoding" || !strings.Contains(d.Message, c.want) || d.Line != c.line {
			t.Errorf("%s: got %s, want line %d with %q", c.name, d, c.line, c.want)
		}
	}
}

func TestSyntaxHints(t *testing.T) {
	for _, c := range []struct {
		name, src, want string
		line, col       int
	}{
		{"full-width colon", "kind: expense\nid: EXP-2026-0001\ntitle： 差旅\nstatus: draft\n", `full-width colon '：' after "title"`, 3, 1},
		{"full-width colon, only field", "title：差旅\n", `after "title"`, 1, 1},
		{"full-width colon in a list item", "kind: expense\nitems:\n  - description： a\n    amount: 1.00\n", `after "description"`, 3, 5},
		{"tab after a field", "kind: expense\nid: EXP-2026-0001\nnote: y\n\tbad: 1\n", "a tab in the indentation", 4, 1},
		{"tab in a list", "kind: expense\nitems:\n\t- description: a\n", "a tab in the indentation", 3, 1},
		{"tab after spaces", "kind: expense\nitems:\n  - description: a\n  \tamount: 1\n", "a tab in the indentation", 4, 3},
		// the YAML parser's own errors count lines from 0: the line named is
		// the one with the mistake
		{"unclosed list", "kind: expense\nid: EXP-2026-0001\ntitle: [unclosed\nnote: a\n", "did not find expected ',' or ']'", 3, 1},
		{"unclosed mapping", "kind: expense\nid: EXP-2026-0001\ntitle: {a: 1\n", "did not find expected ',' or '}'", 3, 1},
		{"a list item among fields", "kind: expense\nid: EXP-2026-0001\n- item\n", "did not find expected key", 3, 1},
		{"unclosed quote", "kind: expense\nid: EXP-2026-0001\ntitle: \"unclosed\n", "found unexpected end of stream", 3, 1},
	} {
		_, ds := Parse("x.yaml", []byte(c.src))
		if len(ds) == 0 {
			t.Errorf("%s: no diagnostic", c.name)
			continue
		}
		if d := ds[0]; !strings.Contains(d.Message, c.want) || d.Line != c.line || d.Column != c.col {
			t.Errorf("%s: got %s, want %d:%d %q", c.name, d, c.line, c.col, c.want)
		}
	}
	// a full-width colon inside a value is text, not a mistake
	if _, ds := Parse("x.yaml", []byte("kind: expense\nnote: 備註：下週\n")); len(ds) != 0 {
		t.Errorf("full-width colon in a value: %v", ds)
	}
}

// A control character written as an escape in double quotes ("\e[2J",
// "\x07") is refused as one typed raw is: list, show and the reports would
// send it to the reader's terminal (clear the screen, set its title). A
// line break or tab written so is text.
func TestAControlCharacterWrittenAsAnEscapeIsRefused(t *testing.T) {
	for _, c := range []struct {
		esc  string
		code string
		col  int
	}{
		{`\e[2J`, "U+001B", 8},
		{`ok\x07`, "U+0007", 8},
		{`\u009b31m`, "U+009B", 8},
		{`a\x7f`, "U+007F", 8},
		{`a\rb`, "U+000D", 8},
	} {
		src := "kind: expense\nid: EXP-2026-0001\ntitle: \"" + c.esc + "\"\nstatus: draft\n"
		r, ds := Parse("records/expenses/2026/EXP-2026-0001.yaml", []byte(src))
		if len(ds) != 1 || ds[0].Rule != "file-encoding" || !strings.Contains(ds[0].Message, c.code) || ds[0].Line != 3 || ds[0].Column != c.col {
			t.Errorf("%s: got %v, want one file-encoding finding naming %s at 3:%d", c.esc, ds, c.code, c.col)
			continue
		}
		if v, ok := r.Data.Get("title"); ok {
			t.Errorf("%s: the title was kept: %q", c.esc, v)
		}
	}
	r, ds := Parse("x.yaml", []byte("kind: expense\nid: EXP-2026-0001\ntitle: \"a\\tb\\nc\"\n"))
	if len(ds) != 0 {
		t.Errorf("a tab and a line break as escapes: %v", ds)
	}
	if v, _ := r.Data.Get("title"); v != "a\tb\nc" {
		t.Errorf("title = %q", v)
	}
}

// A bidirectional override or isolate (U+202E, U+2066) reorders how text
// is shown ("Trojan Source"): a reviewer of the diff and a reader of show
// would see other text than the file holds. Typed or as an escape, it is
// refused where it stands.
func TestABidiControlIsRefused(t *testing.T) {
	for _, c := range []struct {
		title string
		code  string
		col   int
	}{
		{"a\u202Egnp.exe", "U+202E", 9},
		{"\u2066x\u2069", "U+2066", 8},
		{`"a\u202Eb"`, "U+202E", 8},
	} {
		src := "kind: expense\nid: EXP-2026-0001\ntitle: " + c.title + "\nstatus: draft\n"
		_, ds := Parse("x.yaml", []byte(src))
		if len(ds) == 0 || ds[0].Rule != "file-encoding" || !strings.Contains(ds[0].Message, c.code) || ds[0].Line != 3 || ds[0].Column != c.col {
			t.Errorf("%q: got %v, want file-encoding naming %s at 3:%d", c.title, ds, c.code, c.col)
		}
	}
	// right-to-left text itself (Arabic, Hebrew) and marks are text
	if _, ds := Parse("x.yaml", []byte("kind: expense\ntitle: שלום \u200F مرحبا\n")); len(ds) != 0 {
		t.Errorf("right-to-left text: %v", ds)
	}
}
