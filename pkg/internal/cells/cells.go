// Package cells measures text in terminal cells exactly as go-runewidth
// does (a CJK character takes two), without building go-runewidth's lookup
// table: the first width it looks up above U+02FF fills a 2 MB table,
// about 7 ms, which was a tenth of a short command in Chinese. Here the
// runes opsbook's own text and a Chinese department's records are made of
// (Latin, CJK ideographs and punctuation, kana, full-width forms, the
// arrows, dashes, bars and box drawing opsbook prints) are looked up in a
// short table of ranges; a string with any other rune, or with a control
// character, is measured by go-runewidth itself. TestTableIsRunewidths
// checks every rune of the table against go-runewidth.
package cells

import (
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// span is a range of runes of one width that join no neighbour into a
// cluster (no combining marks, joiners or variation selectors), so that a
// string of them is as wide as its runes together.
type span struct {
	lo, hi rune
	width  int
}

// table is sorted; widths are go-runewidth's with EastAsianWidth off.
var table = []span{
	{0x0370, 0x03FF, 1}, // Greek (Σ)
	{0x2010, 0x2027, 1}, // dashes, quotes, …
	{0x2030, 0x205E, 1}, // ‰, ‹ ›, …
	{0x2190, 0x21FF, 1}, // arrows
	{0x2200, 0x22FF, 1}, // mathematical operators (−, ∞)
	{0x2300, 0x2319, 1}, // ⌈ ⌉
	{0x2500, 0x259F, 1}, // box drawing, block elements (█ ░ ▏)
	{0x3000, 0x3029, 2}, // CJK symbols and punctuation (、。「」)
	{0x3030, 0x303E, 2},
	{0x3041, 0x3096, 2}, // hiragana
	{0x30A0, 0x30FF, 2}, // katakana
	{0x3400, 0x4DBF, 2}, // CJK ideographs, extension A
	{0x4E00, 0x9FFF, 2}, // CJK ideographs
	{0xF900, 0xFAFF, 2}, // CJK compatibility ideographs
	{0xFF01, 0xFF60, 2}, // full-width forms (，：（）)
	{0xFF61, 0xFF9D, 1}, // half-width forms
	{0xFFE0, 0xFFE6, 2},
}

// lookup is the width of r from the table; ok is false for a rune the
// table does not hold.
func lookup(r rune) (width int, ok bool) {
	lo, hi := 0, len(table)
	for lo < hi {
		m := (lo + hi) / 2
		switch s := table[m]; {
		case r < s.lo:
			hi = m
		case r > s.hi:
			lo = m + 1
		default:
			return s.width, true
		}
	}
	return 0, false
}

// ours reports whether go-runewidth measures as the table does: the
// condition it was made for (what pkg/render sets: ambiguous characters
// take one cell).
func ours() bool {
	c := runewidth.DefaultCondition
	return !c.EastAsianWidth && c.StrictEmojiNeutral
}

// Width is the number of cells s takes: runewidth.StringWidth(s).
func Width(s string) int {
	if !ours() {
		return runewidth.StringWidth(s)
	}
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7F {
				return runewidth.StringWidth(s) // a control (CR joins LF)
			}
			w++
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return runewidth.StringWidth(s)
		case r < 0x300:
			// Below U+0300 go-runewidth's table is filled at start and
			// only CR joins a cluster.
			w += runewidth.RuneWidth(r)
		default:
			rw, ok := lookup(r)
			if !ok {
				return runewidth.StringWidth(s)
			}
			w += rw
		}
		i += n
	}
	return w
}

// RuneWidth is the number of cells r takes: runewidth.RuneWidth(r).
func RuneWidth(r rune) int {
	if r >= 0x300 && ours() {
		if w, ok := lookup(r); ok {
			return w
		}
	}
	return runewidth.RuneWidth(r)
}
