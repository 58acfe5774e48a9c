package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"

	"github.com/opsbook/opsbook/pkg/report"
)

// boxedTables splits text into its boxed tables, each a list of lines.
func boxedTables(out string) [][]string {
	var tables [][]string
	var cur []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "┌") {
			cur = nil
		}
		if strings.ContainsAny(l[:min(len(l), 3)], "│┌├└") {
			cur = append(cur, l)
		}
		if strings.HasPrefix(l, "└") {
			tables = append(tables, cur)
		}
	}
	return tables
}

// At 80 columns every report, in each of its --group-by tables, in English
// and in Chinese, fits the terminal: a wide table keeps its narrow set of
// columns rather than cut a state, a date or a number's header, only the
// last column (a title, a name) may be cut, and the box stays aligned with
// Chinese text in it. stderr says columns were left out and how to see
// them all (--wide); at 200 columns every column is there, and no note.
func TestReportsFitEightyColumns(t *testing.T) {
	for _, lang := range []string{"en", "zh-Hant"} {
		for name, groups := range report.GroupBys {
			for _, g := range append([]string{""}, groups...) {
				args := []string{"--lang", lang, "report", name}
				if g != "" {
					args = append(args, "--group-by", g)
				}
				out, errs, code := runStreams(t, sampleDir(), true, 80, args...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, errs)
				}
				for _, tab := range boxedTables(out) {
					width := runewidth.StringWidth(tab[0])
					if width > 80 {
						t.Errorf("%v: a table is %d wide:\n%s", args, width, strings.Join(tab, "\n"))
					}
					for _, l := range tab {
						if w := runewidth.StringWidth(l); w != width {
							t.Errorf("%v: a table's line is %d wide, its top %d:\n%s", args, w, width, strings.Join(tab, "\n"))
							break
						}
						if !strings.HasPrefix(l, "│") {
							continue
						}
						cells := strings.Split(strings.Trim(l, "│"), "│")
						for _, c := range cells[:len(cells)-1] {
							if strings.Contains(c, "…") {
								t.Errorf("%v: a cell other than the last is cut: %q in\n%s", args, c, l)
								break
							}
						}
					}
				}
			}
		}
	}
	for _, lang := range []string{"en", "zh-Hant"} {
		out, errs, _ := runStreams(t, sampleDir(), true, 80, "--lang", lang, "report", "budget")
		note := map[string]string{"en": "(fewer columns to fit 80: --wide shows them all)", "zh-Hant": "（為配合 80 欄寬而減少欄位：--wide 可全部顯示）"}[lang]
		if !strings.Contains(errs, note) {
			t.Errorf("report budget --lang %s at 80: no note %q on stderr:\n%s", lang, note, errs)
		}
		amend := map[string]string{"en": "AMENDM", "zh-Hant": "追加"}[lang]
		if strings.Contains(out, amend) {
			t.Errorf("report budget --lang %s at 80: the amendments are still shown:\n%s", lang, out)
		}
		for _, width := range []int{200, 80} {
			args := []string{"--lang", lang, "report", "budget"}
			if width == 80 {
				args = append(args, "--wide")
			}
			out, errs, _ = runStreams(t, sampleDir(), true, width, args...)
			if !strings.Contains(out, amend) || strings.Contains(errs, note) {
				t.Errorf("%v at %d: a column is left out, or the note said:\n%s\n%s", args, width, out, errs)
			}
			if width == 200 && strings.Contains(out, "…") {
				t.Errorf("%v at 200: a cell is cut:\n%s", args, out)
			}
		}
	}
}

// -o json is the same report whatever the terminal's width.
func TestReportJSONIgnoresTheWidth(t *testing.T) {
	for _, name := range []string{"budget", "complaints", "training"} {
		narrow, _, _ := runStreams(t, sampleDir(), true, 80, "report", name, "-o", "json")
		wide, _, _ := runStreams(t, sampleDir(), false, 0, "report", name, "-o", "json")
		if narrow != wide || !strings.HasPrefix(narrow, "{") {
			t.Errorf("report %s -o json differs at 80 columns:\n%.300s\n---\n%.300s", name, narrow, wide)
		}
	}
}

// list --wide keeps the default columns on a narrow terminal, as report
// --wide does, and the narrow note names it.
func TestListWideKeepsEveryColumn(t *testing.T) {
	out, errs, _ := runStreams(t, sampleDir(), true, 80, "list", "complaint")
	if strings.Contains(out, "RECEIVED_AT") || !strings.Contains(errs, "--wide shows them all") {
		t.Errorf("list complaint at 80:\n%s\n%s", out, errs)
	}
	out, errs, _ = runStreams(t, sampleDir(), true, 80, "list", "complaint", "--wide")
	// every column, the text ones cut to fit ("RECEIV…")
	if !strings.Contains(out, "RECEIV") || strings.Contains(errs, "fewer columns") {
		t.Errorf("list complaint --wide at 80:\n%s\n%s", out, errs)
	}
}

// list, report and summary leave columns out by one rule
// (render.Table.NarrowedFor): only when the whole table would not fit,
// its title counted at its first 16 cells. A list that fits a terminal
// under 120 columns keeps every default column; a filtered list still
// says what it left out; summary's table of complaints past their SLA
// keeps its narrow set at 80 rather than cut a state or a handle.
func TestNarrowColumnsOneRule(t *testing.T) {
	// at 110 the whole expense table fits, its title cut to 16 cells
	out, errs, _ := runStreams(t, sampleDir(), true, 110, "--lang", "en", "list", "expense")
	if !strings.Contains(out, "CATEGORY") || !strings.Contains(out, "DATE") || strings.Contains(errs, "fewer columns") {
		t.Errorf("list expense at 110 left columns out:\n%s\n%s", out, errs)
	}
	out, errs, _ = runStreams(t, sampleDir(), true, 80, "--lang", "en", "list", "expense")
	if strings.Contains(out, "CATEGORY") || !strings.Contains(errs, "(fewer columns to fit 80: --wide shows them all)") {
		t.Errorf("list expense at 80 kept every column:\n%s\n%s", out, errs)
	}
	// filtered, the count names the columns left out too
	out, errs, _ = runStreams(t, sampleDir(), true, 80, "--lang", "en", "list", "complaint", "--where", "severity = high")
	if strings.Contains(out, "RECEIVED_AT") || !strings.Contains(errs, "4 of 19 complaints (fewer columns to fit 80: --wide shows them all)") {
		t.Errorf("list complaint --where at 80:\n%s\n%s", out, errs)
	}
	// summary at 80: only the title is cut, and stderr says what is left out
	out, errs, _ = runStreams(t, sampleDir(), true, 80, "--lang", "en", "summary")
	past := out[strings.Index(out, "Open complaints past SLA"):]
	for _, l := range strings.Split(past, "\n") {
		if !strings.HasPrefix(l, "│ CMP-") {
			continue
		}
		if c, cut := cutBeforeLast(l); cut {
			t.Errorf("summary at 80: a cell other than the title is cut: %q in\n%s", c, l)
		}
	}
	if strings.Contains(past, "CLOCK") || !strings.Contains(errs, "fewer columns to fit 80") {
		t.Errorf("summary at 80:\n%s\n%s", past, errs)
	}
	out, errs, _ = runStreams(t, sampleDir(), true, 80, "--lang", "en", "summary", "--wide")
	if !strings.Contains(out, "CLOCK") || strings.Contains(errs, "fewer columns") {
		t.Errorf("summary --wide at 80:\n%s\n%s", out, errs)
	}
	out, errs, _ = runStreams(t, sampleDir(), true, 200, "--lang", "en", "summary")
	if !strings.Contains(out, "CLOCK") || strings.Contains(errs, "fewer columns") {
		t.Errorf("summary at 200:\n%s\n%s", out, errs)
	}
}

// Each kind's narrow columns are default columns: a narrow list is its
// default table with columns left out, never other columns.
func TestNarrowColumnsAreDefaultColumns(t *testing.T) {
	for kind, spec := range narrowColumns {
		if got, want := len(narrowIndexes(kind)), len(strings.Split(spec, ",")); got != want {
			t.Errorf("%s: narrow columns %q: %d of %d among the default columns %q", kind, spec, got, want, defaultColumns[kind])
		}
	}
	// the narrowest are fewer of the narrow ones
	for kind, spec := range narrowestColumns {
		narrow := strings.Split(narrowColumns[kind], ",")
		for _, c := range strings.Split(spec, ",") {
			if !slices.Contains(narrow, c) {
				t.Errorf("%s: narrowest column %q is not among the narrow ones %q", kind, c, narrowColumns[kind])
			}
		}
	}
}

// list's count names a kind of two words as two, one of them or more,
// as summary does: "1 of 4 status reports", never "status-reports".
func TestListCountNamesTheKind(t *testing.T) {
	_, errs, _ := runStreams(t, sampleDir(), true, 120, "--lang", "en", "list", "status-report", "--where", "id = RPT-2026-0001")
	if !strings.Contains(errs, "1 of 4 status reports") {
		t.Errorf("list status-report --where: %q", errs)
	}
	_, errs, _ = runStreams(t, sampleDir(), true, 120, "--lang", "en", "list", "training-plan", "--limit", "1")
	if !strings.Contains(errs, "3 training plans, 1 shown") {
		t.Errorf("list training-plan --limit 1: %q", errs)
	}
}

// At 80 columns the list of every kind, in English and in Chinese, fits
// the terminal with no cell cut but the last column's (a title, a name):
// a kind whose default columns are too wide keeps its narrow set rather
// than cut every date, state and handle to "202…". At 60 the narrow set
// still keeps its ids, states, dates and handles whole.
func TestListsFitNarrowTerminals(t *testing.T) {
	for _, width := range []int{80, 60} {
		for _, lang := range []string{"en", "zh-Hant"} {
			for kind := range defaultColumns {
				args := []string{"--lang", lang, "list", string(kind)}
				out, errs, code := runStreams(t, sampleDir(), true, width, args...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", args, code, errs)
				}
				for _, tab := range boxedTables(out) {
					top := runewidth.StringWidth(tab[0])
					if top > width {
						t.Errorf("%v at %d: a table is %d wide:\n%s", args, width, top, strings.Join(tab, "\n"))
					}
					for _, l := range tab[3:] {
						if !strings.HasPrefix(l, "│") {
							continue
						}
						cells := strings.Split(strings.Trim(l, "│"), "│")
						for _, c := range cells[:len(cells)-1] {
							if strings.Contains(c, "…") {
								t.Errorf("%v at %d: a cell other than the last is cut: %q in\n%s", args, width, c, strings.Join(tab, "\n"))
								break
							}
						}
					}
				}
			}
		}
	}
}

// At 60 columns every table of a report, the summary or a list fits, in
// either language, and no header is cut in Chinese: a header too wide for its column is written on two lines (中位數
// over （時）) rather than cut to "中位…". (An English header of one long
// word, OUTSTANDING, has no place to break and may still be cut.)
func TestHeadersWholeAtSixty(t *testing.T) {
	var runs [][]string
	for name, groups := range report.GroupBys {
		for _, g := range append([]string{""}, groups...) {
			args := []string{"report", name}
			if g != "" {
				args = append(args, "--group-by", g)
			}
			runs = append(runs, args)
		}
	}
	runs = append(runs, []string{"summary"})
	for kind := range defaultColumns {
		runs = append(runs, []string{"list", string(kind)})
	}
	for _, lang := range []string{"en", "zh-Hant"} {
		for _, run := range runs {
			args := append([]string{"--lang", lang}, run...)
			out, errs, code := runStreams(t, sampleDir(), true, 60, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errs)
			}
			for _, tab := range boxedTables(out) {
				// and the box fits: a table of amounts keeps its fewest
				// columns (the summary's budget)
				if w := runewidth.StringWidth(tab[0]); w > 60 {
					t.Errorf("%v at 60: a table is %d wide:\n%s", args, w, strings.Join(tab[:min(len(tab), 6)], "\n"))
				}
				for _, l := range tab[1:] {
					if !strings.HasPrefix(l, "│") || lang == "en" {
						break // the header ends at the rule under it
					}
					if strings.Contains(l, "…") {
						t.Errorf("%v at 60: a header is cut:\n%s", args, strings.Join(tab[:min(len(tab), 6)], "\n"))
						break
					}
				}
			}
		}
	}
}
