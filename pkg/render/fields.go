package render

import (
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/opsbook/opsbook/pkg/internal/cells"
)

// Field is one line of a field list: a label and its value.
type Field struct {
	Label, Value string
}

// WriteFields writes labels and values in two aligned columns, each line
// indented. Widths are display widths, so Chinese labels and values line up.
// A value's own line breaks continue under the value column; with width > 0
// (a terminal's), long values also wrap there. When the labels leave the
// values less than 20 cells (a narrow terminal, long Chinese labels), each
// value goes under its label instead, indented and wrapped to the width,
// rather than run past the terminal's edge.
func WriteFields(w io.Writer, fields []Field, indent string, width int) error {
	labelWidth := 0
	for _, f := range fields {
		labelWidth = max(labelWidth, cells.Width(f.Label))
	}
	pad := indent + strings.Repeat(" ", labelWidth+2)
	room := width - cells.Width(pad)
	if width > 0 && room < 20 {
		return writeStacked(w, fields, indent, width)
	}
	var b strings.Builder
	for _, f := range fields {
		var lines []string
		for _, l := range strings.Split(strings.TrimRight(f.Value, "\n"), "\n") {
			if width > 0 && room >= 20 {
				lines = append(lines, Wrap(l, room)...)
			} else {
				lines = append(lines, l)
			}
		}
		for i, l := range lines {
			if i == 0 {
				b.WriteString(indent + Pad(f.Label, labelWidth+2))
			} else {
				b.WriteString(pad)
			}
			b.WriteString(strings.TrimRight(l, " ") + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeStacked writes each label on its line and its value under it,
// indented two more cells and wrapped to width.
func writeStacked(w io.Writer, fields []Field, indent string, width int) error {
	under := indent + "  "
	room := max(width-cells.Width(under), 10)
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(indent + f.Label + "\n")
		for _, l := range strings.Split(strings.TrimRight(f.Value, "\n"), "\n") {
			for _, part := range Wrap(l, room) {
				b.WriteString(under + strings.TrimRight(part, " ") + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Wrap breaks text into lines of at most width display cells: between words
// for alphabetic text, between any two characters for Chinese (which has no
// spaces), and inside a word only when the word alone is too wide: after a
// . _ / or - in it where it has one (investigation. over root_cause),
// anywhere otherwise.
//
// A colour's escape codes take no room: an opening code stays with the
// word it colours, a closing one with the word it ends, so that no line
// holds half of one. A number's group separators ("69,609.00") hold it
// together as one word.
func Wrap(s string, width int) []string {
	if width <= 0 || cells.Width(stripANSI(s)) <= width {
		return []string{s}
	}
	var lines []string
	var line strings.Builder
	lineWidth := 0
	flush := func() {
		lines = append(lines, strings.TrimRight(line.String(), " "))
		line.Reset()
		lineWidth = 0
	}
	for _, tok := range wrapUnits(s) {
		tw := cells.Width(stripANSI(tok))
		if tok == " " && lineWidth == 0 {
			continue
		}
		if lineWidth+tw > width && lineWidth > 0 {
			flush()
			if tok == " " {
				continue
			}
		}
		if tw > width && tok != stripANSI(tok) {
			tok = stripANSI(tok) // cut below: its codes would be split
		}
		for tw > width { // a word wider than a line: cut it
			head := runewidth.Truncate(tok, width, "")
			if head == "" {
				break
			}
			// a word of letters breaks after a . _ / or - inside it
			// (investigation. over root_cause) before it is cut anywhere
			if i := strings.LastIndexAny(head, wordBreaks); i > 0 {
				head = head[:i+1]
			}
			// the rest does not start with a closing mark glued to the
			// word ("resolution.solution；"): a letter goes with it
			for {
				r, _ := utf8.DecodeRuneInString(tok[len(head):])
				last, size := utf8.DecodeLastRuneInString(head)
				if !strings.ContainsRune(closingMarks, r) || size == len(head) || strings.ContainsRune(closingMarks, last) {
					break
				}
				head = head[:len(head)-size]
			}
			line.WriteString(head)
			flush()
			tok = tok[len(head):]
			tw = cells.Width(tok)
		}
		line.WriteString(tok)
		lineWidth += tw
	}
	if line.Len() > 0 {
		flush()
	}
	return lines
}

// wordBreaks are the marks inside a word of letters (a field's path, a
// handle, a date) a line may break after when the word alone is wider
// than the line.
const wordBreaks = "._/-"

// WrapLines is Wrap for a paragraph of prose written at a terminal of
// width cells (0: no limit): each of its lines wrapped, joined by line
// breaks. A wide (CJK) character counts two cells and is never cut; an
// English word is never broken unless it alone is wider than the line.
func WrapLines(s string, width int) string {
	if width <= 0 {
		return s
	}
	var out []string
	for _, l := range strings.Split(s, "\n") {
		out = append(out, Wrap(l, width)...)
	}
	return strings.Join(out, "\n")
}

// wrapUnits splits text into the pieces a line may break between: runs of
// letters, digits and ASCII symbols without a space (a word, a tag such as
// !!str, a field's name), single spaces, and every other character on its
// own (a Chinese character, a full-width mark).
func wrapUnits(s string) []string {
	out := splitUnits(s)
	// glue each escape code to its word: an opening one to the next unit,
	// a reset to the one before
	var glued []string
	pending := ""
	for _, u := range out {
		switch {
		case strings.HasPrefix(u, "\x1b[") && u == "\x1b[0m" && len(glued) > 0 && pending == "":
			glued[len(glued)-1] += u
		case strings.HasPrefix(u, "\x1b["):
			pending += u
		default:
			glued = append(glued, pending+u)
			pending = ""
		}
	}
	if pending != "" {
		if len(glued) > 0 {
			glued[len(glued)-1] += pending
		} else {
			glued = append(glued, pending)
		}
	}
	return gluePunctuation(glued)
}

// closing marks never start a line, opening ones never end one: a
// closing mark goes with the unit before it, an opening one with the unit
// after it ("(fewer", "all)", "（已結案）" kept from breaking at its marks).
const (
	closingMarks = ")]},.;:!?）」』】，。、；：！？"
	openingMarks = "([{（「『【"
)

func gluePunctuation(units []string) []string {
	units = glueShortBrackets(units)
	out := units[:0:0]
	open := ""
	for i, u := range units {
		plain := stripANSI(u)
		if plain == `"` {
			// a straight quote closes when it follows a word and a space,
			// a closing mark or the end follows it ("[redacted]"）), and
			// opens otherwise: either way it stays with what it quotes
			after := ""
			if i+1 < len(units) {
				after = stripANSI(units[i+1])
			}
			closing := open == "" && len(out) > 0 && out[len(out)-1] != " " &&
				(after == "" || after == " " || utf8.RuneCountInString(after) == 1 && strings.ContainsAny(after, closingMarks))
			if closing {
				out[len(out)-1] += u
			} else {
				open += u
			}
			continue
		}
		switch {
		case utf8.RuneCountInString(plain) == 1 && strings.ContainsAny(plain, openingMarks):
			open += u
		case open == "" && len(out) > 0 && out[len(out)-1] != " " && utf8.RuneCountInString(plain) == 1 && strings.ContainsAny(plain, closingMarks):
			out[len(out)-1] += u
		case open == "" && len(out) > 0 && endsLatinClose(out[len(out)-1]) && plain != " " && plain[0] < utf8.RuneSelf:
			// a word of letters goes on after a bracket without a space
			// between: the end of a command, sun.li}'
			out[len(out)-1] += u
		default:
			out = append(out, open+u)
			open = ""
		}
	}
	if open != "" {
		out = append(out, open)
	}
	return out
}

// glueShortBrackets keeps a word of at most four Chinese characters in
// full-width brackets whole, as a word of letters is: liu.yang（經理）
// never breaks inside （經理）.
func glueShortBrackets(units []string) []string {
	var out []string
	for i := 0; i < len(units); i++ {
		if units[i] == "（" {
			j := i + 1
			for j < len(units) && j-i-1 < 4 && utf8.RuneCountInString(units[j]) == 1 && cells.Width(units[j]) == 2 &&
				!strings.ContainsAny(units[j], closingMarks+openingMarks) {
				j++
			}
			if j > i+1 && j < len(units) && units[j] == "）" {
				out = append(out, strings.Join(units[i:j+1], ""))
				i = j
				continue
			}
		}
		out = append(out, units[i])
	}
	return out
}

// endsLatinClose reports whether a unit ends with a bracket of Latin text.
func endsLatinClose(u string) bool {
	u = stripANSI(u)
	return u != "" && strings.ContainsRune(")]}", rune(u[len(u)-1]))
}

// splitUnits is wrapUnits before its escape codes are glued: each code
// (ESC [ ... m) is a unit of its own.
func splitUnits(s string) []string {
	var out []string
	word := -1
	endWord := func(i int) {
		if word >= 0 {
			out = append(out, s[word:i])
			word = -1
		}
	}
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			if m := ansiRE.FindStringIndex(s[i:]); m != nil && m[0] == 0 {
				endWord(i)
				out = append(out, s[i:i+m[1]])
				i += m[1]
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		// a run of Latin letters, digits and ASCII symbols without a space
		// is one unit: a tag (!!str), a field (tasks.0.done=2026-12-06),
		// a list (id,status,title), a number (69,609.00)
		alpha := r > ' ' && r < utf8.RuneSelf && r != 0x7F ||
			r < 0x1100 && !unicode.IsSpace(r) && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '§')
		if alpha {
			if word < 0 {
				word = i
			}
			i += size
			continue
		}
		endWord(i)
		if unicode.IsSpace(r) {
			out = append(out, " ")
		} else {
			out = append(out, s[i:i+size])
		}
		i += size
	}
	endWord(len(s))
	return out
}
