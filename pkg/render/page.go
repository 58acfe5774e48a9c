package render

import (
	"fmt"
	"github.com/opsbook/opsbook/pkg/internal/cells"
	"io"
	"strings"
)

// Page is an answer laid out for people: a title, a few lines, and sections
// of tables and charts. The same page is written as text (WritePage), as
// Markdown (WritePageMarkdown) and as HTML (WriteHTML), so the three never
// disagree.
type Page struct {
	Title    string
	Lines    []string
	Sections []Section
}

// Section is one part of a page.
type Section struct {
	Title string
	Lines []string
	Table *Table
	// After are lines under the table ("… and 2 more: opsbook report
	// complaints", said of the rows it leaves out).
	After []string
	// Bars holds a percentage per row of Table (nil for none). On a terminal
	// it is drawn as a bar column; in HTML as a bar in each row.
	Bars []float64
	// Warn marks rows to highlight (red on a colour terminal, flagged in
	// HTML), such as a category over budget.
	Warn []bool
	// Chart is drawn in HTML only, above the table.
	Chart *Chart
	// Empty is said instead of a table without rows.
	Empty string
}

// ChartKind is the shape of a chart.
type ChartKind int

const (
	// BarChart draws a horizontal bar per item.
	BarChart ChartKind = iota
	// PieChart draws each item as a slice of the whole.
	PieChart
)

// Chart is a small chart of labelled values. Values are for drawing only;
// the figures people read are in the tables, exact.
type Chart struct {
	Kind  ChartKind
	Title string
	Items []ChartItem
	// Max is a bar chart's full scale; 0 takes the largest value.
	Max float64
	// Unit follows each value in labels ("%", "h").
	Unit string
}

// ChartItem is one bar or slice.
type ChartItem struct {
	Label string
	Value float64
	// Text is the value as people read it; empty writes Value.
	Text string
}

func (it ChartItem) text(unit string) string {
	if it.Text != "" {
		return it.Text
	}
	return trimFloat(it.Value) + unit
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.1f", f)
	return strings.TrimSuffix(s, ".0")
}

// WritePage writes a page as text: on a terminal, aligned tables with bars
// and (when c is enabled) colour; when piped, each table tab-separated.
func WritePage(w io.Writer, p *Page, tty bool, c Colors) error {
	return WritePageWidth(w, p, tty, c, 0)
}

// WritePageWidth is WritePage for a terminal width columns wide (0:
// unknown): a table's bar column is left out when it would not fit, and
// its text columns are cut to fit (WriteTableWidth).
func WritePageWidth(w io.Writer, p *Page, tty bool, c Colors, width int) error {
	// prose wraps at a terminal's width; piped, each line stays whole
	prose := 0
	if tty {
		prose = width
	}
	bold := func(s string) string {
		lines := strings.Split(WrapLines(s, prose), "\n")
		for i, l := range lines {
			lines[i] = c.Bold(l)
		}
		return strings.Join(lines, "\n")
	}
	var b strings.Builder
	if p.Title != "" {
		b.WriteString(bold(p.Title) + "\n")
	}
	for _, l := range p.Lines {
		b.WriteString(WrapLines(l, prose) + "\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, s := range p.Sections {
		b.Reset()
		b.WriteString("\n")
		if s.Title != "" {
			b.WriteString(bold(s.Title) + "\n")
		}
		for _, l := range s.Lines {
			b.WriteString(WrapLines(l, prose) + "\n")
		}
		if s.Table != nil && len(s.Table.Rows) == 0 && s.Empty != "" {
			b.WriteString(WrapLines(s.Empty, prose) + "\n")
		}
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
		if s.Table == nil || len(s.Table.Rows) == 0 {
			continue
		}
		if err := WriteTableWidth(w, s.textTable(tty && (width == 0 || tableWidth(s.Table)+barColumn <= width), tty, c), tty, width); err != nil {
			return err
		}
		b.Reset()
		for _, l := range s.After {
			b.WriteString(WrapLines(l, prose) + "\n")
		}
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// textTable adds the bar column (terminal only) and colours warned rows.
func (s Section) textTable(withBars, tty bool, c Colors) *Table {
	t := &Table{Headers: append([]string(nil), s.Table.Headers...), Right: s.Table.Right, Wrap: s.Table.Wrap, Give: s.Table.Give, Whole: s.Table.Whole}
	bars := withBars && tty && len(s.Bars) == len(s.Table.Rows)
	if bars {
		t.Headers = append(t.Headers, "")
	}
	for i, r := range s.Table.Rows {
		row := append([]string(nil), r...)
		if i < len(s.Warn) && s.Warn[i] && c.Enabled {
			for j := range row {
				row[j] = c.Red(row[j])
			}
		}
		if bars {
			row = append(row, barTrack(Bar(s.Bars[i], 20)))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// barTrack draws a bar's empty part as a light track: the table trims
// trailing blanks, which would shrink every bar's scale to the longest one.
func barTrack(b string) string {
	t := strings.TrimRight(b, " ")
	return t + strings.Repeat("░", len(b)-len(t))
}

// WritePageMarkdown writes a page as GitHub-flavoured Markdown: a heading per
// section and a table each.
func WritePageMarkdown(w io.Writer, p *Page) error {
	var b strings.Builder
	if p.Title != "" {
		b.WriteString("# " + mdEscaper.Replace(p.Title) + "\n\n")
	}
	for _, l := range p.Lines {
		b.WriteString(mdEscaper.Replace(l) + "  \n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for _, s := range p.Sections {
		b.Reset()
		b.WriteString("\n")
		if s.Title != "" {
			b.WriteString("## " + mdEscaper.Replace(s.Title) + "\n\n")
		}
		for _, l := range s.Lines {
			b.WriteString(mdEscaper.Replace(l) + "  \n")
		}
		if len(s.Lines) > 0 {
			b.WriteString("\n")
		}
		if s.Table != nil && len(s.Table.Rows) == 0 && s.Empty != "" {
			b.WriteString("_" + s.Empty + "_\n")
		}
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
		if s.Table != nil && len(s.Table.Rows) > 0 {
			if err := WriteMarkdown(w, s.Table); err != nil {
				return err
			}
		}
		if len(s.After) > 0 {
			b.Reset()
			b.WriteString("\n")
			for _, l := range s.After {
				b.WriteString(mdEscaper.Replace(l) + "  \n")
			}
			if _, err := io.WriteString(w, b.String()); err != nil {
				return err
			}
		}
	}
	return nil
}

// giveRoom is the room a column that gives way first (a title) keeps when
// Narrowed asks whether a table fits whole: its start, enough to tell rows
// apart.
const giveRoom = 16

// NarrowedFor is the one rule by which list, report and summary leave
// columns out on a narrow terminal: a table that would not fit whole on a
// terminal width cells wide (a title that gives way counted as giveRoom
// cells, a wrapped one too; nothing else may be cut), and has its Narrow columns, keeps only
// those; when they would not fit whole either and it has Narrowest
// columns, it keeps those. It reports whether it left columns out; a table
// that fits, has no rows or no Narrow columns, or width 0, is returned as
// it is.
func (t *Table) NarrowedFor(width int) (*Table, bool) {
	if width <= 0 || t == nil || t.Narrow == nil || len(t.Rows) == 0 || fitsWhole(t, width) {
		return t, false
	}
	n := t.Narrowed()
	if t.Narrowest != nil && !fitsWhole(n, width) {
		n = t.keep(t.Narrowest)
	}
	return n, true
}

// Narrowed returns the page for a terminal width cells wide: each table
// narrowed as Table.NarrowedFor says. It reports whether any table left
// columns out; a page that fits is returned as it is.
func (p *Page) Narrowed(width int) (*Page, bool) {
	var out *Page
	for i, s := range p.Sections {
		t, narrowed := s.Table.NarrowedFor(width)
		if !narrowed {
			continue
		}
		if out == nil {
			out = &Page{Title: p.Title, Lines: p.Lines, Sections: append([]Section(nil), p.Sections...)}
		}
		out.Sections[i].Table = t
	}
	if out == nil {
		return p, false
	}
	return out, true
}

// fitsWhole says whether a boxed table fits width cells with no column cut
// but those that give way first, each down to giveRoom; a wrapped column
// (prose) counts as giveRoom cells too, as it wraps rather than is cut.
func fitsWhole(t *Table, width int) bool {
	total := 1
	for i, w := range columnWidths(t) {
		if t.Give[i] || t.Wrap[i] {
			w = min(w, giveRoom)
		}
		total += w + 3
	}
	return total <= width
}

// barColumn is the width a bar column adds to a boxed table.
const barColumn = 20 + 3

// tableWidth estimates a boxed table's width in terminal cells.
func tableWidth(t *Table) int {
	widths := make([]int, len(t.Headers))
	for i, h := range t.Headers {
		widths[i] = cells.Width(h)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if i < len(widths) {
				widths[i] = max(widths[i], cells.Width(c))
			}
		}
	}
	total := 1
	for _, w := range widths {
		total += w + 3
	}
	return total
}
