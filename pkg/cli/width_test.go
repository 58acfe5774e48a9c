package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/rules"
)

// runWidth runs opsbook on the sample as if on a terminal of width cells.
func runWidth(t *testing.T, width int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), OutTTY: true, NoColor: true, Width: width,
		Getenv: testEnv(nil)}
	if code := Run(context.Background(), append([]string{"-C", sampleDir()}, args...), io); code != 0 {
		t.Fatalf("%v: exit %d\n%s", args, code, errb.String())
	}
	return out.String()
}

func TestListAndSummaryFitEightyColumns(t *testing.T) {
	for _, args := range [][]string{
		{"list", "complaint"}, {"summary"}, {"list", "expense"}, {"list", "appraisal"},
		{"list", "plan"}, {"list", "project"}, {"report", "complaints"}, {"list", "person"},
	} {
		out := runWidth(t, 80, args...)
		tables := 0
		for _, l := range strings.Split(out, "\n") {
			boxed := strings.HasPrefix(l, "│") || strings.HasPrefix(l, "┌") || strings.HasPrefix(l, "└") || strings.HasPrefix(l, "├")
			if !boxed {
				continue
			}
			tables++
			if w := runewidth.StringWidth(l); w > 80 {
				t.Errorf("%v: a table line is %d wide:\n%s", args, w, l)
			}
		}
		if tables == 0 {
			t.Errorf("%v: no boxed table:\n%s", args, out)
		}
	}
	// at 200 columns list complaint shows its full default columns, uncut
	out := runWidth(t, 200, "list", "complaint")
	if !strings.Contains(out, "RECEIVED_AT") || strings.Contains(out, "…") {
		t.Errorf("200 columns: columns left out or cut:\n%s", out)
	}
	// at 80 the narrow set, with the full titles of short ones
	out = runWidth(t, 80, "list", "complaint")
	if strings.Contains(out, "RECEIVED_AT") || !strings.Contains(out, "│ 到貨外包裝破損") {
		t.Errorf("80 columns:\n%s", out)
	}
}

// At 80 columns a list leaves out columns rather than cut every one: only
// the last column (the title or name, the widest text) may be cut; an id,
// a state, a date or a handle cut to "2026-1…" tells nothing.
func TestListAtEightyColumnsCutsOnlyTheTitle(t *testing.T) {
	for _, kind := range []string{"person", "customer", "project", "plan", "complaint", "appraisal", "budget", "expense"} {
		cutOnlyTheTitle(t, 80, kind)
	}
	// at 60 too, where the title gives way down to "雙…" first
	for _, kind := range []string{"expense", "project"} {
		cutOnlyTheTitle(t, 60, kind)
	}
}

func cutOnlyTheTitle(t *testing.T, width int, kind string) {
	t.Helper()
	{
		out := runWidth(t, width, "list", kind)
		for _, l := range strings.Split(out, "\n") {
			if !strings.HasPrefix(l, "│") {
				continue
			}
			if c, cut := cutBeforeLast(l); cut {
				t.Errorf("list %s: a cell other than the last is cut: %q in\n%s", kind, c, l)
			}
		}
	}
}

// cutBeforeLast returns a cell of the table row l, other than its last,
// that was cut to fit (it holds "…"), and whether there is one.
func cutBeforeLast(l string) (string, bool) {
	cells := strings.Split(strings.Trim(l, "│"), "│")
	for _, c := range cells[:len(cells)-1] {
		if strings.Contains(c, "…") {
			return c, true
		}
	}
	return "", false
}

// rights fits the terminal too: its notes and who may act are wrapped,
// every word kept, rather than run past the edge.
func TestRightsFitTheTerminal(t *testing.T) {
	for _, kind := range []string{"expense", "complaint", "plan"} {
		out := runWidth(t, 80, "rights", kind)
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "│") || strings.HasPrefix(l, "┌") {
				if w := runewidth.StringWidth(l); w > 80 {
					t.Errorf("rights %s: a table line is %d wide:\n%s", kind, w, l)
					break
				}
			}
		}
	}
}

// The prose pages print (summary's line of counts, a report's notes) and
// list's count with its note on a narrow terminal wrap at the terminal's
// width, as the tables fit it; piped, each stays one line.
func TestProseFitsTheTerminal(t *testing.T) {
	for _, lang := range []string{"en", "zh-Hant"} {
		for _, width := range []int{60, 80} {
			for _, args := range [][]string{{"summary"}, {"list", "expense"}, {"list", "complaint"}, {"report", "complaints"}, {"report", "budget"}} {
				a := append([]string{"--lang", lang}, args...)
				out, errs, code := runStreams(t, sampleDir(), true, width, a...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", a, code, errs)
				}
				for _, l := range strings.Split(out+errs, "\n") {
					if strings.ContainsAny(l, "│┌└├") {
						continue // a table's line: the tests above fit tables
					}
					if w := runewidth.StringWidth(l); w > width {
						t.Errorf("%v at %d: a line is %d wide:\n%s", a, width, w, l)
					}
				}
			}
		}
	}
	// show's findings are paragraphs too, wrapped under their first line
	for _, lang := range []string{"en", "zh-Hant"} {
		for _, id := range []string{"CMP-2026-0009", "PLN-2026-0001"} {
			out, errs, code := runStreams(t, sampleDir(), true, 80, "--lang", lang, "show", id)
			if code != 0 {
				t.Fatalf("show %s: exit %d: %s", id, code, errs)
			}
			for _, l := range strings.Split(out, "\n") {
				if w := runewidth.StringWidth(l); w > 80 {
					t.Errorf("show %s --lang %s at 80: a line is %d wide:\n%s", id, lang, w, l)
				}
			}
		}
	}
	out, _, _ := runStreams(t, sampleDir(), false, 60, "--lang", "en", "summary")
	if first := strings.Split(out, "\n")[1]; !strings.HasSuffix(first, "analyses.") {
		t.Errorf("piped, summary's counts are cut into lines: %q", first)
	}
}

// TestMoveOptionsFitEightyColumns: the lines above move's table (the
// state, the fields you may change) are wrapped at a terminal's width too,
// in Chinese as in English.
func TestMoveOptionsFitEightyColumns(t *testing.T) {
	t.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
	for _, lang := range []string{"en", "zh-Hant"} {
		var out, errb bytes.Buffer
		io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), OutTTY: true, NoColor: true, Width: 80,
			Getenv: testEnv(nil)}
		if code := Run(context.Background(), []string{"-C", sampleDir(), "--lang", lang, "move", "PRJ-2026-0001"}, io); code != 0 {
			t.Fatalf("exit %d\n%s", code, errb.String())
		}
		for _, l := range strings.Split(out.String(), "\n") {
			if w := runewidth.StringWidth(l); w > 80 {
				t.Errorf("%s: a line is %d wide:\n%s", lang, w, l)
			}
		}
	}
}

// TestReadersFitEightyColumns: readers wraps a field's readers at a
// terminal's width, as show wraps its values.
func TestReadersFitEightyColumns(t *testing.T) {
	out := runWidth(t, 80, "--lang", "zh-Hant", "readers", "CMP-2026-0015")
	for _, l := range strings.Split(out, "\n") {
		if w := runewidth.StringWidth(l); w > 80 {
			t.Errorf("a line is %d wide:\n%s", w, l)
		}
	}
	if !strings.Contains(out, "zhang.min") {
		t.Errorf("a reader is missing:\n%s", out)
	}
}

// TestHelpFitsEightyColumns: on a terminal, the list of commands (the
// verbs' moves are longer than a line) and of flags is wrapped at its
// width, under each description's column, in both languages.
func TestHelpFitsEightyColumns(t *testing.T) {
	for _, lang := range []string{"en", "zh-Hant"} {
		for _, args := range [][]string{{"--help"}, {"verify", "--help"}} {
			out := runWidth(t, 80, append([]string{"--lang", lang}, args...)...)
			for _, l := range strings.Split(out, "\n") {
				if w := runewidth.StringWidth(l); w > 80 && !strings.HasPrefix(l, "  opsbook ") {
					t.Errorf("%s %v: a line is %d wide:\n%s", lang, args, w, l)
				}
			}
			if !strings.Contains(out, "--wait") {
				t.Errorf("%s %v: no --wait:\n%s", lang, args, out)
			}
		}
	}
}

// validate --rules wraps what each rule checks onto more lines rather
// than cut it, in both languages: each rule's text, put back together
// from its lines, is whole, and no line ends inside a tag (!! / str).
func TestValidateRulesWrapsWhatItChecks(t *testing.T) {
	defer i18n.Set(i18n.English)
	for _, width := range []int{80, 60} {
		for _, lang := range []string{"en", "zh-Hant"} {
			out := runWidth(t, width, "--lang", lang, "validate", "--rules")
			got := map[string]string{}
			rule := ""
			for _, l := range strings.Split(out, "\n") {
				if w := runewidth.StringWidth(l); w > width {
					t.Errorf("%s: a line is %d wide: %s", lang, w, l)
				}
				if strings.Contains(l, "!! ") || strings.Contains(l, "│ str") {
					t.Errorf("%s %d: !!str is broken: %s", lang, width, l)
				}
				cells := strings.Split(strings.Trim(l, "│"), "│")
				if !strings.HasPrefix(l, "│") || len(cells) != 3 {
					continue
				}
				if c := strings.TrimSpace(cells[0]); c != "" {
					rule = c
				}
				got[rule] += strings.ReplaceAll(cells[2], " ", "")
			}
			tag, _ := i18n.Parse(lang)
			i18n.Set(tag)
			for _, r := range rules.Catalog {
				if want := strings.ReplaceAll(ruleSummary(r), " ", ""); got[r.Code] != want {
					t.Errorf("%s: %s checks %q, shown %q", lang, r.Code, want, got[r.Code])
				}
			}
		}
	}
}
