package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

func TestWriteFieldsAlignsChinese(t *testing.T) {
	var b bytes.Buffer
	err := WriteFields(&b, []Field{{"金額", "1,280.50"}, {"title", "華東區推廣物料印刷"}, {"note", "line one\nline two"}}, "  ", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := "  金額   1,280.50\n" +
		"  title  華東區推廣物料印刷\n" +
		"  note   line one\n" +
		"         line two\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// On a terminal whose labels leave the values no room (COLUMNS=60, long
// Chinese labels), each value goes under its label, wrapped to the width:
// no line runs past the terminal's edge.
func TestWriteFieldsStacksOnANarrowTerminal(t *testing.T) {
	var b bytes.Buffer
	fields := []Field{
		{"發現 1·發現 (findings.0.finding)", "十月熱線投訴 9 件，較九月增加 50%，主要集中在晚間與週末的熱線高峰時段"},
		{"建議 1·建議 (recommendations.0.recommendation)", "熱線高峰時段增加兩名坐席"},
	}
	if err := WriteFields(&b, fields, "  ", 60); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		if w := runewidth.StringWidth(l); w > 60 {
			t.Errorf("line %d wide: %q", w, l)
		}
	}
	if !strings.HasPrefix(b.String(), "  發現 1·發現 (findings.0.finding)\n    十月熱線投訴") {
		t.Errorf("not stacked:\n%s", b.String())
	}
	// wide enough: two columns as before
	b.Reset()
	if err := WriteFields(&b, fields[1:], "  ", 100); err != nil {
		t.Fatal(err)
	}
	if b.String() != "  建議 1·建議 (recommendations.0.recommendation)  熱線高峰時段增加兩名坐席\n" {
		t.Errorf("wide: %q", b.String())
	}
}

func TestWrap(t *testing.T) {
	cases := []struct {
		in    string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"the quick brown fox jumps", 10, []string{"the quick", "brown fox", "jumps"}},
		{"一位主播在小紅書私信詢問", 10, []string{"一位主播在", "小紅書私信", "詢問"}},
		{"資料轉交 PRJ-2026-0006 評估", 15, []string{"資料轉交", "PRJ-2026-0006", "評估"}},
		{"abcdefghijklmnop", 6, []string{"abcdef", "ghijkl", "mnop"}},
		// a word too wide breaks after a . _ / or - in it before anywhere else
		{"a resolved complaint needs investigation.root_cause", 16, []string{"a resolved", "complaint needs", "investigation.", "root_cause"}},
		{"需要 resolution.solution", 12, []string{"需要", "resolution.", "solution"}},
		{"docs/records/complaints/2026", 12, []string{"docs/", "records/", "complaints/", "2026"}},
		// a grouped number is one word: never "69," on one line and "609.00" on the next
		{"預算 80,000.00 · 剩餘 69,609.00", 26, []string{"預算 80,000.00 · 剩餘", "69,609.00"}},
		// a colour's escape codes take no room and are never split
		{"新增（草稿）  \x1b[2mcef2b23\x1b[0m", 20, []string{"新增（草稿）", "\x1b[2mcef2b23\x1b[0m"}},
		{"\x1b[1m標題\x1b[0m 一二三四五", 12, []string{"\x1b[1m標題\x1b[0m 一二三", "四五"}},
		// a straight quote stays with what it quotes, opening or closing
		{"隱藏機密紀錄與欄位（\"[redacted]\"），用於", 28, []string{"隱藏機密紀錄與欄位", "（\"[redacted]\"），用於"}},
		{"當作在 DIR 中啟動 opsbook（預設：\".\"）", 36, []string{"當作在 DIR 中啟動 opsbook（預設：", "\".\"）"}},
		// a run of letters, digits and ASCII symbols without a space is
		// never broken: !!str, not !! and str
		{"explicit tags (!!str, !!binary, custom tags)", 20, []string{"explicit tags", "(!!str, !!binary,", "custom tags)"}},
		{"顯式標籤（!!str、!!binary、自訂標籤）", 14, []string{"顯式標籤", "（!!str、", "!!binary、自訂", "標籤）"}},
		{`say "approved" now`, 12, []string{`say`, `"approved"`, `now`}},
		// alternatives stay whole: open|doing, text|json
		{"task open|doing → done", 14, []string{"task", "open|doing →", "done"}},
		// the end of a command stays whole: by: sun.li}'
		{"visits+={date: 2026-11-26, by: sun.li}'", 24, []string{"visits+={date:", "2026-11-26, by: sun.li}'"}},
		// an article of the rules stays whole: §4.2, §6.2.3
		{"recommendations（§4.2）", 18, []string{"recommendations", "（§4.2）"}},
	}
	for _, c := range cases {
		got := Wrap(c.in, c.width)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("Wrap(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
		for _, l := range got {
			if runewidth.StringWidth(stripANSI(l)) > c.width {
				t.Errorf("line %q is wider than %d", l, c.width)
			}
		}
	}
}

// WriteYAML keeps numbers as written: money is never binary floating point.
func TestWriteYAMLKeepsNumbersExact(t *testing.T) {
	var b bytes.Buffer
	v := map[string]any{"amount": json.Number("1280.50"), "n": json.Number("7"), "text": "0.30", "ok": true, "list": []any{json.Number("0.10")}}
	if err := WriteYAML(&b, v); err != nil {
		t.Fatal(err)
	}
	want := "amount: 1280.50\nlist:\n  - 0.10\nn: 7\nok: true\ntext: \"0.30\"\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// A short word in full-width brackets stays whole at any width: a role
// after a handle, liu.yang（經理）, never breaks inside （經理）.
func TestWrapKeepsShortBracketsWhole(t *testing.T) {
	text := "已加密；讀者：chen.hao（經理）、li.wei（專員）、liu.yang（經理）、sun.li（專員）、wang.fang（總監）"
	for w := 12; w <= 60; w++ {
		for _, l := range Wrap(text, w) {
			if strings.HasSuffix(l, "（經") || strings.HasSuffix(l, "（專") || strings.HasSuffix(l, "（總") {
				t.Errorf("width %d: %q breaks inside the brackets", w, l)
			}
		}
	}
}
