// Package render turns answers into text for people and for programs: aligned
// tables on a terminal (CJK-aware), tab-separated text when piped, and JSON,
// YAML, CSV, Markdown and GitHub annotations with stable shapes.
package render

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"go.yaml.in/yaml/v3"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/cells"
)

// Table is rows of text under headers. Right lists the columns to align
// right (numbers and money).
type Table struct {
	Headers []string
	Rows    [][]string
	Right   map[int]bool
	// Wrap lists the columns Fit wraps onto more lines instead of cutting
	// (a reason that must be read whole).
	Wrap map[int]bool
	// Give lists the columns Fit cuts first, down to 4 cells ("ab…"),
	// before any other is cut (a list's title, so that a state or a handle
	// stays whole).
	Give map[int]bool
	// Whole lists the columns of commands to copy: Fit gives each its
	// widest cell and takes the room from the other columns (a title wraps
	// or is cut first). Only when nothing else can give way is a command
	// wrapped, and then at its spaces alone, never inside an argument.
	Whole map[int]bool
	// Narrow lists, in order, the columns a page keeps on a terminal too
	// narrow for the whole table (Page.Narrowed); nil keeps them all.
	Narrow []int
	// Narrowest lists, in order, the fewer columns kept on a terminal too
	// narrow for the Narrow ones too (60 columns); nil keeps Narrow's.
	Narrowest []int
}

// Narrowed returns the table with only its Narrow columns, each with its
// alignment, wrapping and giving way; a table without Narrow is returned
// as it is.
func (t *Table) Narrowed() *Table {
	if t.Narrow == nil {
		return t
	}
	return t.keep(t.Narrow)
}

// keep returns the table with only the columns cols, in their order.
func (t *Table) keep(cols []int) *Table {
	out := &Table{Right: map[int]bool{}, Wrap: map[int]bool{}, Give: map[int]bool{}, Whole: map[int]bool{}}
	for j, i := range cols {
		out.Headers = append(out.Headers, t.Headers[i])
		out.Right[j], out.Wrap[j], out.Give[j], out.Whole[j] = t.Right[i], t.Wrap[i], t.Give[i], t.Whole[i]
	}
	for _, r := range t.Rows {
		row := make([]string, 0, len(cols))
		for _, i := range cols {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			row = append(row, c)
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// Format is an output format named by -o.
type Format string

const (
	Text     Format = "text"
	JSON     Format = "json"
	YAML     Format = "yaml"
	CSV      Format = "csv"
	Markdown Format = "markdown"
	GitHub   Format = "github"
)

// ParseFormat checks a -o value against the formats a command offers.
func ParseFormat(s string, allowed ...Format) (Format, error) {
	if s == "" || s == "table" {
		s = "text"
	}
	for _, f := range allowed {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(allowed))
	for i, f := range allowed {
		names[i] = string(f)
	}
	return "", i18n.Errorf("unknown output format %q (this command offers: %s)", s, i18n.Commas(names))
}

// WriteTable writes the table: boxed and aligned on a terminal, tab-separated
// (one header line, one line per row) when piped, so scripts can cut it.
func WriteTable(w io.Writer, t *Table, tty bool) error {
	return WriteTableWidth(w, t, tty, 0)
}

// WriteTableWidth is WriteTable for a terminal width cells wide (0:
// unknown, no limit): a boxed table wider than that has its text columns
// cut to fit, each cut cell ending in "…", widest first, never narrower
// than minColumn; numbers are never cut. The box itself is never broken.
// Piped output is tab-separated and whole, whatever the width.
func WriteTableWidth(w io.Writer, t *Table, tty bool, width int) error {
	if !tty {
		return writeTSV(w, t)
	}
	t = Fit(t, width)
	aligns := make([]tw.Align, len(t.Headers))
	for i := range aligns {
		aligns[i] = tw.AlignLeft
		if t.Right[i] {
			aligns[i] = tw.AlignRight
		}
	}
	tbl := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		// Off: Chinese characters are wide either way; On would also count
		// ambiguous characters (box drawing, dashes, quotes) as two cells,
		// which terminals draw as one, and break the borders.
		tablewriter.WithEastAsian(tw.Off),
	)
	tbl.Header(t.Headers)
	for _, r := range t.Rows {
		if err := tbl.Append(r); err != nil {
			return err
		}
	}
	return tbl.Render()
}

// minColumn is the narrowest Fit cuts a text column to, in cells, while
// it can; a header is never cut below its own width in that first pass.
const minColumn = 8

// Fit returns the table with its text (left-aligned) columns cut so that,
// boxed, it is at most width cells wide. The widest column gives way first,
// down to its header's width or minColumn; the first column (the id) and
// numbers are not cut (a number column's header may be, down to the width of
// its values). Only when that is not enough are the text columns narrowed
// further, to 4 cells ("ab…"), so the box never breaks. A column of record
// ids is not cut either, wherever it stands. A table
// that fits, or width 0, is returned as it is.
func Fit(t *Table, width int) *Table {
	if width <= 0 || len(t.Headers) == 0 {
		return t
	}
	widths := columnWidths(t)
	total := 1
	for _, w := range widths {
		total += w + 3
	}
	if total <= width {
		return t
	}
	cut := append([]int(nil), widths...)
	ids := idColumns(t)
	wholeTurn := false // a command's column gives way only in its turn
	shrink := func(floor func(i int) int) {
		for total > width {
			widest := -1
			for i, w := range cut {
				if i > 0 && !ids[i] && !t.Right[i] && (wholeTurn || !t.Whole[i]) && w > floor(i) && (widest < 0 || w > cut[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				return
			}
			cut[widest]--
			total--
		}
	}
	// the columns that give way first do, as far as needed
	shrink(func(i int) int {
		if t.Give[i] {
			return 4
		}
		return cut[i]
	})
	// a command keeps its full width while it can; one wider than the room
	// its column would have with every other column at its narrowest (a
	// prose column's words broken at their marks, not cut) wraps now,
	// rather than squeeze the prose for nothing
	args, pieces := longestArgs(t), longestPieces(t)
	narrowest := func(j int) int {
		switch {
		case t.Whole[j]:
			return max(cells.Width(t.Headers[j]), args[j])
		case j == 0 || ids[j] || t.Right[j]:
			return cut[j]
		}
		return min(cut[j], max(minColumn, cells.Width(t.Headers[j]), pieces[j]))
	}
	wholeTurn = true
	shrink(func(i int) int {
		if !t.Whole[i] {
			return cut[i]
		}
		room := width - 1
		for j := range cut {
			room -= 3
			if j != i {
				room -= narrowest(j)
			}
		}
		target := narrowest(i)
		for _, r := range t.Rows {
			if i < len(r) {
				if w := cells.Width(clean(stripANSI(r[i]))); w <= room {
					target = max(target, w)
				}
			}
		}
		return target
	})
	wholeTurn = false
	values := valueWidths(t)
	words := longestWords(t)
	// a wrapped column keeps room for its longest word (a command's
	// argument, an id) while other columns can give way, so a word is
	// cut only when nothing else is left to narrow
	shrink(func(i int) int { return max(minColumn, cells.Width(t.Headers[i]), words[i]) })
	// a number column's header wraps onto two lines before it is cut
	// (中位數 over （時）), then may be cut down to its values' width
	numbers := t.Right
	t.Right = nil
	shrink(func(i int) int {
		if numbers[i] {
			return max(values[i], headerRoom(t.Headers[i]))
		}
		return cut[i]
	})
	shrink(func(i int) int {
		if numbers[i] {
			return values[i]
		}
		return cut[i]
	})
	t.Right = numbers
	// a wrapped column (prose) narrows on, its long words broken after a
	// . _ / or - inside them but not cut, the widest column first, so that
	// a word is cut only when no prose column can narrow instead
	shrink(func(i int) int {
		if t.Wrap[i] {
			return max(minColumn, cells.Width(t.Headers[i]), pieces[i])
		}
		return cut[i]
	})
	// then to the width of its header, before a command is wrapped
	shrink(func(i int) int {
		if t.Wrap[i] {
			return max(minColumn, cells.Width(t.Headers[i]))
		}
		return cut[i]
	})
	// then a command wraps at its spaces: no argument is broken
	wholeTurn = true
	shrink(func(i int) int {
		if t.Whole[i] {
			return max(cells.Width(t.Headers[i]), args[i])
		}
		return cut[i]
	})
	shrink(func(int) int { return 4 })
	out := &Table{Headers: make([]string, len(t.Headers)), Right: t.Right, Wrap: t.Wrap, Give: t.Give, Whole: t.Whole, Rows: make([][]string, len(t.Rows))}
	for i, h := range t.Headers {
		if w := cut[i]; w < cells.Width(h) && w >= headerRoom(h) {
			out.Headers[i] = strings.Join(Wrap(h, w), "\n")
			continue
		}
		out.Headers[i] = truncate(h, cut[i])
	}
	for r, row := range t.Rows {
		out.Rows[r] = make([]string, len(row))
		for i, c := range row {
			if i < len(cut) && cut[i] < widths[i] {
				if t.Whole[i] && args[i] <= cut[i] {
					c = wrapAtSpaces(clean(c), cut[i])
				} else if t.Wrap[i] || t.Whole[i] {
					c = wrapColoured(clean(c), cut[i])
				} else {
					c = truncate(clean(c), cut[i])
				}
			}
			out.Rows[r][i] = c
		}
	}
	return out
}

// headerRoom is the narrowest a header can be written on two lines with
// no word cut: broken at a space, before a bracket or between two Chinese
// characters (SLA over （時）, 使用 over 率 %); its own width when it
// cannot be.
func headerRoom(h string) int {
	full := cells.Width(h)
	room := full
	for w := full - 1; w >= 1; w-- {
		lines := Wrap(h, w)
		if len(lines) > 2 || splitsWord(h, lines) {
			break
		}
		wide := false
		for _, l := range lines {
			wide = wide || cells.Width(l) > w
		}
		if wide {
			break
		}
		room = w
	}
	return room
}

// splitsWord says whether lines, the wrapped h, break inside a word of
// letters or digits (not at a space).
func splitsWord(h string, lines []string) bool {
	rest := h
	for i, l := range lines {
		rest = strings.TrimPrefix(rest, l)
		if i == len(lines)-1 {
			break
		}
		if strings.HasPrefix(rest, " ") {
			rest = strings.TrimLeft(rest, " ")
			continue
		}
		a, _ := utf8.DecodeLastRuneInString(l)
		b, _ := utf8.DecodeRuneInString(rest)
		if isWordRune(a) && isWordRune(b) && a < 0x2E80 && b < 0x2E80 {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// idRE is a record's id (CMP-2026-0009, CUS-0001, BUD-2026).
var idRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*-[0-9]{4}(-[0-9]{4})?$`)

// idColumns are the columns, besides the first, whose every cell is a
// record's id or none (the inbox's record column, "-" for a report still to
// write; a session's claim, "—" where it has none): an id cut to "CMP-202…" tells
// nothing, so Fit does not cut them any more than the first column.
func idColumns(t *Table) map[int]bool {
	ids := map[int]bool{}
	for i := 1; i < len(t.Headers); i++ {
		seen := false
		all := true
		for _, r := range t.Rows {
			if i >= len(r) {
				continue
			}
			c := strings.TrimSpace(stripANSI(r[i]))
			if c == "" || c == "—" || c == "-" {
				// none (a session paid by no claim, the inbox's report
				// still to write): no id to keep whole
				continue
			}
			seen = true
			if !idRE.MatchString(c) {
				all = false
				break
			}
		}
		if seen && all {
			ids[i] = true
		}
	}
	return ids
}

// eachWord calls f with each space-separated word of the cells of the
// columns in cols (colour codes left out), and the column's index.
func eachWord(t *Table, cols map[int]bool, f func(col int, w string)) {
	for _, r := range t.Rows {
		for i, c := range r {
			if i >= len(t.Headers) || !cols[i] {
				continue
			}
			for _, w := range strings.Fields(clean(stripANSI(c))) {
				f(i, w)
			}
		}
	}
}

// longestWords are, for each wrapped column, the width of its widest word
// of alphabetic text (space-separated, no wide character: a word of Chinese
// may break anywhere); 0 for the other columns.
func longestWords(t *Table) []int {
	words := make([]int, len(t.Headers))
	eachWord(t, t.Wrap, func(i int, w string) {
		if n := cells.Width(w); n == len(w) {
			words[i] = max(words[i], n)
		}
	})
	return words
}

// longestPieces are, for each wrapped column, the width of its widest
// piece of a word of alphabetic text, the word broken after each . _ / or
// - in it (investigation. and root_cause); 0 for the other columns.
func longestPieces(t *Table) []int {
	pieces := make([]int, len(t.Headers))
	eachWord(t, t.Wrap, func(i int, w string) {
		if cells.Width(w) != len(w) {
			return
		}
		for w != "" {
			j := strings.IndexAny(w, wordBreaks) + 1
			if j == 0 {
				j = len(w)
			}
			pieces[i] = max(pieces[i], j)
			w = w[j:]
		}
	})
	return pieces
}

// longestArgs are, for each Whole column, the width of its widest run of
// text without a space (a command's argument); 0 for the other columns.
func longestArgs(t *Table) []int {
	args := make([]int, len(t.Headers))
	eachWord(t, t.Whole, func(i int, w string) {
		args[i] = max(args[i], cells.Width(w))
	})
	return args
}

// wrapAtSpaces breaks a command into lines of at most w cells at its
// spaces only (each argument is at most w cells wide). A cell wholly in
// one colour keeps it on each line.
func wrapAtSpaces(s string, w int) string {
	open, text, end := "", stripANSI(s), ""
	if m := colouredRE.FindStringSubmatch(s); m != nil {
		open, text, end = m[1], stripANSI(m[2]), m[3]
	}
	var lines []string
	line := ""
	for _, f := range strings.Fields(text) {
		if line != "" && cells.Width(line)+1+cells.Width(f) > w {
			lines = append(lines, open+line+end)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += f
	}
	lines = append(lines, open+line+end)
	return strings.Join(lines, "\n")
}

// valueWidths are the display widths of each column's widest value (1 for
// a column without values), colour codes left out.
func valueWidths(t *Table) []int {
	widths := make([]int, len(t.Headers))
	for i := range widths {
		widths[i] = 1
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], cells.Width(clean(stripANSI(c))))
			}
		}
	}
	return widths
}

// columnWidths are the display widths of each column's widest cell,
// colour codes left out.
func columnWidths(t *Table) []int {
	widths := make([]int, len(t.Headers))
	for i, h := range t.Headers {
		widths[i] = cells.Width(h)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], cells.Width(clean(stripANSI(c))))
			}
		}
	}
	return widths
}

var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	return ansiRE.ReplaceAllString(s, "")
}

// truncate cuts s to w display cells, ending in "…" when cut (a wide CJK
// character is never split). A cell wholly in one colour keeps it.
func truncate(s string, w int) string {
	if cells.Width(stripANSI(s)) <= w {
		return s
	}
	if m := colouredRE.FindStringSubmatch(s); m != nil {
		return m[1] + cut(stripANSI(m[2]), w) + m[3]
	}
	return cut(stripANSI(s), w)
}

// wrap breaks a cell into lines of at most w display cells, at spaces
// where it can and inside a word (or a run of CJK text) where it must.
func wrap(s string, w int) string {
	// the prose wrapper: Chinese breaks between any two characters, but a
	// closing mark (）；，) never starts a line and an opening one never
	// ends one, as in a page's lines
	return strings.Join(Wrap(s, w), "\n")
}

// wrapColoured is wrap for a cell that may be wholly in one colour: each
// line keeps the colour. Other escape codes are dropped rather than split.
func wrapColoured(s string, w int) string {
	if !strings.Contains(s, "\x1b[") {
		return wrap(s, w)
	}
	m := colouredRE.FindStringSubmatch(s)
	if m == nil {
		return wrap(stripANSI(s), w)
	}
	lines := strings.Split(wrap(stripANSI(m[2]), w), "\n")
	for i, l := range lines {
		lines[i] = m[1] + l + m[3]
	}
	return strings.Join(lines, "\n")
}

var colouredRE = regexp.MustCompile("^(\x1b\\[[0-9;]*m)(.*)(\x1b\\[0m)$")

var cellSpace = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// clean keeps a cell on one line of one column. A line break after
// full-width punctuation (a Chinese list's "，") joins without a space, as
// Chinese is written; after anything else it becomes a space.
func clean(s string) string {
	if strings.Contains(s, "\n") {
		for _, p := range []string{"，", "；", "、", "。", "："} {
			s = strings.ReplaceAll(s, p+"\n", p)
		}
	}
	return cellSpace.Replace(s)
}

func writeTSV(w io.Writer, t *Table) error {
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteByte('\t')
			}
			b.WriteString(clean(c))
		}
		b.WriteByte('\n')
	}
	line(t.Headers)
	for _, r := range t.Rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteCSV writes the table as RFC 4180 CSV with a header row.
func WriteCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Headers); err != nil {
		return err
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]string, len(r))
		for j, c := range r {
			if c != "—" { // "no value" for people is an empty cell for programs
				rows[i][j] = c
			}
		}
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// mdEscaper keeps a cell's text as text in Markdown: a bar would end the
// cell; an angle bracket would let a record's text through as HTML (a
// forge's page showing the table); a square bracket would make a link or
// an image of it (`![](https://…)` loads what an attacker names). A
// backslash is escaped too, else one typed before a bracket or bar would
// undo its escape (`\[` becoming `\\[`: a backslash, and a bracket that
// opens a link), and an ampersand, so that an entity typed is shown as
// typed.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "&", "&amp;", "|", `\|`, "<", "&lt;", ">", "&gt;", "[", `\[`, "]", `\]`)

// WriteMarkdown writes a GitHub-flavoured Markdown table.
func WriteMarkdown(w io.Writer, t *Table) error {
	var b strings.Builder
	esc := func(s string) string { return mdEscaper.Replace(clean(s)) }
	b.WriteString("|")
	for _, h := range t.Headers {
		b.WriteString(" " + esc(h) + " |")
	}
	b.WriteString("\n|")
	for i := range t.Headers {
		if t.Right[i] {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteString("\n")
	for _, r := range t.Rows {
		b.WriteString("|")
		for _, c := range r {
			b.WriteString(" " + esc(c) + " |")
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes v as indented JSON without HTML escaping.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteYAML writes v as YAML (through its JSON shape, so both agree).
func WriteYAML(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	plain, err := exactYAML(b)
	if err != nil {
		return err
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(plain); err != nil {
		return err
	}
	return enc.Close()
}

// Bar draws a share as a bar of width cells ("█████▌    ").
func Bar(pct float64, width int) string {
	if pct < 0 {
		pct = 0
	}
	over := pct > 100
	if over {
		pct = 100
	}
	eighths := int(pct / 100 * float64(width*8))
	full := eighths / 8
	parts := []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}
	s := strings.Repeat("█", full)
	if full < width {
		s += parts[eighths%8]
	}
	s += strings.Repeat(" ", max(0, width-cells.Width(s)))
	if over {
		s += "!"
	}
	return s
}

// Pad pads s with spaces to a display width (CJK characters count two).
func Pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-cells.Width(s)))
}

// Truncate shortens s to a display width, ending in "…".
func Truncate(s string, width int) string {
	if cells.Width(s) <= width {
		return s
	}
	return cut(s, width)
}

// cut shortens s, wider than width cells, to width with "…" at its end,
// the ellipsis after the last word kept rather than a space
// ("Wholesale…", not "Wholesale …").
func cut(s string, width int) string {
	if width < 1 {
		return runewidth.Truncate(s, width, "…")
	}
	return strings.TrimRight(runewidth.Truncate(s, width-1, ""), " ") + "…"
}

// Headers translates a table's column headers into the reader's language;
// each is a catalog key (the English header, in capitals).
// i18n:format 0...
func Headers(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = i18n.T(k)
	}
	return out
}
