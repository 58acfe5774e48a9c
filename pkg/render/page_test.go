package render

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

func TestBarsOnlyWhenTheyFit(t *testing.T) {
	p := &Page{Sections: []Section{{
		Table: &Table{Headers: []string{"CATEGORY", "USED %"}, Rows: [][]string{{"marketing", "10.9"}}},
		Bars:  []float64{10.9},
	}}}
	var wide, narrow bytes.Buffer
	if err := WritePageWidth(&wide, p, true, Colors{}, 120); err != nil {
		t.Fatal(err)
	}
	if err := WritePageWidth(&narrow, p, true, Colors{}, 30); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(wide.String(), "█") {
		t.Errorf("no bar on a wide terminal:\n%s", wide.String())
	}
	if strings.Contains(narrow.String(), "█") || strings.Contains(narrow.String(), "░") {
		t.Errorf("bar on a 30-column terminal:\n%s", narrow.String())
	}
}

// A page's prose (its lines, a section's lines and its note for no rows)
// wraps at a terminal's width, a Chinese character counted as two cells
// and never cut, an English word never broken, a closing mark never
// alone at a line's start; piped, every line stays whole.
func TestPageProseWrapsAtTheWidth(t *testing.T) {
	en := "12 people (11 active), 4 customers, operations plan OPP-2026 approved; 3 training plans, 8 trainings, 5 violations, 5 meetings, 5 tasks."
	zh := "12 人（11 人在職），4 位客戶，年度運營計畫 OPP-2026 已核准；培訓計畫 3，培訓 8，違規 5，會議 5，任務 5，工作匯報 4，數據分析 4。"
	p := &Page{Title: "summary", Lines: []string{en, zh}, Sections: []Section{{
		Title: "Records", Lines: []string{en}, Table: &Table{Headers: []string{"A"}}, Empty: zh,
	}}}
	for _, width := range []int{40, 60, 80} {
		var b bytes.Buffer
		if err := WritePageWidth(&b, p, true, Colors{}, width); err != nil {
			t.Fatal(err)
		}
		words := map[string]bool{"summary": true, "Records": true}
		for _, w := range strings.Fields(en) {
			words[w] = true
		}
		for _, l := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
			if w := runewidth.StringWidth(l); w > width {
				t.Errorf("at %d a line is %d wide: %q", width, w, l)
			}
			if strings.ContainsRune(l, utf8.RuneError) {
				t.Errorf("at %d a character cut in half: %q", width, l)
			}
			if r, _ := utf8.DecodeRuneInString(l); strings.ContainsRune(")]},.;:）」，。、；：", r) {
				t.Errorf("at %d a line starts with a closing mark: %q", width, l)
			}
			if utf8.RuneCountInString(l) == len(l) { // an English line
				for _, w := range strings.Fields(l) {
					if !words[w] {
						t.Errorf("at %d an English word broken: %q in %q", width, w, l)
					}
				}
			}
		}
	}
	var piped bytes.Buffer
	if err := WritePageWidth(&piped, p, false, Colors{}, 40); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(piped.String(), en+"\n") || !strings.Contains(piped.String(), zh+"\n") {
		t.Errorf("piped prose is not whole:\n%s", piped.String())
	}
}

// A page's table keeps the column that gives way first (its title): on a
// narrow terminal the title is cut before a handle is.
func TestPageTableKeepsGive(t *testing.T) {
	tb := &Table{Headers: []string{"編號", "嚴重度", "狀態", "處理人", "計時", "已開", "時限", "標題"},
		Right: map[int]bool{5: true, 6: true}, Give: map[int]bool{7: true}}
	tb.Add("CMP-2026-0015", "緊急", "調查中", "sun.li", "解決", "273.1h", "24.0h", "重複開票導致無法付款")
	tb.Add("CMP-2026-0014", "高", "調查中", "chen.hao", "解決", "315.2h", "72.0h", "客服熱線長時間無人接聽")
	var b bytes.Buffer
	if err := WritePageWidth(&b, &Page{Sections: []Section{{Table: tb}}}, true, Colors{}, 80); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "│ chen.hao │") {
		t.Errorf("the handle was cut:\n%s", b.String())
	}
}
