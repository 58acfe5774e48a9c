// Package render turns answers into text for people and for programs: aligned
// tables on a terminal (CJK-aware), tab-separated text when piped, and JSON,
// YAML, CSV, Markdown and GitHub annotations with stable shapes.
package render

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"go.yaml.in/yaml/v3"
)

// Table is rows of text under headers. Right lists the columns to align
// right (numbers and money).
type Table struct {
	Headers []string
	Rows    [][]string
	Right   map[int]bool
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
	return "", fmt.Errorf("unknown output format %q (this command offers: %s)", s, strings.Join(names, ", "))
}

// WriteTable writes the table: boxed and aligned on a terminal, tab-separated
// (one header line, one line per row) when piped, so scripts can cut it.
func WriteTable(w io.Writer, t *Table, tty bool) error {
	if !tty {
		return writeTSV(w, t)
	}
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

var cellSpace = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

// clean keeps a cell on one line of one column.
func clean(s string) string { return cellSpace.Replace(s) }

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

// WriteMarkdown writes a GitHub-flavoured Markdown table.
func WriteMarkdown(w io.Writer, t *Table) error {
	var b strings.Builder
	esc := func(s string) string { return strings.ReplaceAll(clean(s), "|", `\|`) }
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
	s += strings.Repeat(" ", max(0, width-runewidth.StringWidth(s)))
	if over {
		s += "!"
	}
	return s
}

// Pad pads s with spaces to a display width (CJK characters count two).
func Pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-runewidth.StringWidth(s)))
}

// Truncate shortens s to a display width, ending in "…".
func Truncate(s string, width int) string {
	if runewidth.StringWidth(s) <= width {
		return s
	}
	return runewidth.Truncate(s, width, "…")
}
