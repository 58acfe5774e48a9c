package cells

import (
	"testing"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

func init() {
	// As pkg/render sets it for every command.
	runewidth.EastAsianWidth = false
	runewidth.DefaultCondition.EastAsianWidth = false
}

// Every rune of the table has go-runewidth's width, is no part of a
// cluster with its neighbours (a string of table runes is as wide as its
// runes together), and the ranges are sorted apart.
func TestTableIsRunewidths(t *testing.T) {
	for i, s := range table {
		if s.lo > s.hi || i > 0 && table[i-1].hi >= s.lo {
			t.Fatalf("span %d (%#x-%#x) is empty or out of order", i, s.lo, s.hi)
		}
		for r := s.lo; r <= s.hi; r++ {
			c := string(r)
			if w := runewidth.RuneWidth(r); w != s.width {
				t.Fatalf("%U: go-runewidth says %d, the table %d", r, w, s.width)
			}
			for _, ctx := range [][2]string{{"a", "a"}, {c, c}, {"漢", "。"}, {"→", "█"}, {"", "ｱ"}} {
				str := ctx[0] + c + ctx[1]
				if got, want := Width(str), runewidth.StringWidth(str); got != want {
					t.Fatalf("%q: %d cells, go-runewidth says %d", str, got, want)
				}
			}
		}
	}
}

func TestWidth(t *testing.T) {
	for _, s := range []string{"", "a", "abc", "漢字", "已核准", "Σ 權重 × 分數 / 100", "██░░ 40%", "a\tb", "a\r\nb", "\x00",
		"\xff", "a\xffb", "漢\xe6", "e\u0301", "👍", "👍🏽", "a\u200db", "🇹🇼", "☀\ufe0f", "한국어", "ｶﾞ", "\u00ad", "é", "…—–",
		"（確認前無值）", "acknowledged_at − received_at", "\u2028", "ǅ", "\u0300"} {
		if got, want := Width(s), runewidth.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, go-runewidth says %d", s, got, want)
		}
		for _, r := range s {
			if got, want := RuneWidth(r), runewidth.RuneWidth(r); got != want {
				t.Errorf("RuneWidth(%U) = %d, go-runewidth says %d", r, got, want)
			}
		}
	}
}

// With ambiguous characters at two cells (a condition opsbook does not
// set), go-runewidth measures, not the table.
func TestEastAsianFallsBack(t *testing.T) {
	runewidth.DefaultCondition.EastAsianWidth = true
	defer func() { runewidth.DefaultCondition.EastAsianWidth = false }()
	for _, s := range []string{"█", "→漢", "Σ"} {
		if got, want := Width(s), runewidth.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, go-runewidth says %d", s, got, want)
		}
		r, _ := utf8.DecodeRuneInString(s)
		if got, want := RuneWidth(r), runewidth.RuneWidth(r); got != want {
			t.Errorf("RuneWidth(%U) = %d, go-runewidth says %d", r, got, want)
		}
	}
	if Width("█") != 2 {
		t.Errorf("under East Asian widths █ takes two cells, got %d", Width("█"))
	}
}

func FuzzWidth(f *testing.F) {
	for _, s := range []string{"漢字 abc", "██░", "e\u0301", "👍🏽", "a\r\n", "（）→", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Width(s), runewidth.StringWidth(s); got != want {
			t.Fatalf("Width(%q) = %d, go-runewidth says %d", s, got, want)
		}
	})
}

// BenchmarkWidth measures a Chinese label.
func BenchmarkWidth(b *testing.B) {
	for b.Loop() {
		Width("負責人（確認前無值）")
	}
}
