package cli

import (
	"bytes"
	"context"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opsbook/opsbook/pkg/internal/cells"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
)

// helpAt is `opsbook ARGS --help` in lang on a terminal of width cells
// (0: piped), its longer description alone (above the usage).
func helpAt(t *testing.T, lang string, width int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), OutTTY: width > 0, NoColor: true, Width: width,
		Getenv: func(string) string { return "" }}
	if code := Run(context.Background(), append(append([]string{"--lang", lang}, args...), "--help"), io); code != 0 {
		t.Fatalf("%v: exit %d\n%s", args, code, errb.String())
	}
	long, _, ok := strings.Cut(out.String(), map[string]string{"en": "\nUsage:", "zh-Hant": "\n用法："}[lang])
	if !ok {
		t.Fatalf("%v: no usage in\n%s", args, out.String())
	}
	return long
}

// latinRuns are the runs of characters that are neither spaces nor
// Chinese in s, sorted: a word cut by a line break would be two.
func latinRuns(s string) []string {
	var runs []string
	cur := ""
	for _, r := range s {
		if r == ' ' || r == '\n' || r == '\t' || cells.RuneWidth(r) == 2 {
			if cur != "" {
				runs = append(runs, cur)
			}
			cur = ""
			continue
		}
		cur += string(r)
	}
	if cur != "" {
		runs = append(runs, cur)
	}
	sort.Strings(runs)
	return runs
}

// The longer help is wrapped at a terminal's width, in both languages: no
// line wider than it (but an indented line kept whole, an example or a
// table row, and a word wider than the line), no word of letters cut, no
// line starting with a closing mark, nothing lost; piped, it is as
// written.
func TestLongWrapsToTheTerminal(t *testing.T) {
	cmds := [][]string{{"set"}, {"new"}, {"move"}, {"approve"}, {"list"}, {"validate"}, {"report", "budget"}, {"inbox"}, {"verify"}, {"edit"}}
	for _, lang := range []string{"en", "zh-Hant"} {
		for _, args := range cmds {
			piped := helpAt(t, lang, 0, args...)
			if wide := helpAt(t, lang, 0, args...); wide != piped {
				t.Fatalf("%s %v: piped help differs from run to run", lang, args)
			}
			for _, width := range []int{40, 60, 80, 120} {
				got := helpAt(t, lang, width, args...)
				if strings.Join(strings.Fields(got), "") != strings.Join(strings.Fields(piped), "") && lang == "zh-Hant" ||
					lang == "en" && strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(piped), " ") {
					t.Errorf("%s %v at %d: the text changed:\n%s", lang, args, width, got)
				}
				if a, b := latinRuns(got), latinRuns(piped); strings.Join(a, "\x00") != strings.Join(b, "\x00") {
					t.Errorf("%s %v at %d: a word was cut:\n%s", lang, args, width, got)
				}
				for _, l := range strings.Split(got, "\n") {
					first, _ := utf8.DecodeRuneInString(strings.TrimLeft(l, " "))
					if strings.ContainsRune("，。、；：！？）」』】", first) {
						t.Errorf("%s %v at %d: a line starts with a closing mark: %q", lang, args, width, l)
					}
					if cells.Width(l) <= width {
						continue
					}
					if strings.HasPrefix(l, " ") {
						// an item wraps under its column when the column
						// leaves 20 cells; other indented lines are kept
						hang, ok := itemHang(l)
						if !ok && strings.HasPrefix(l, "   ") {
							hang, ok = len(l)-len(strings.TrimLeft(l, " ")), true // a continuation
						}
						if !ok || width-hang < 20 {
							continue
						}
					}
					if len(latinRuns(l)) == 1 && !strings.Contains(strings.TrimSpace(l), " ") {
						continue // one word wider than the line
					}
					t.Errorf("%s %v at %d: a line is %d wide: %q", lang, args, width, cells.Width(l), l)
				}
				if width == 120 && args[0] == "set" && len(strings.Split(got, "\n")) >= len(strings.Split(piped, "\n")) {
					t.Errorf("%s %v at 120: not rewrapped wider:\n%s", lang, args, got)
				}
			}
		}
	}
}

func TestWrapProseKeepsWordsAndMarks(t *testing.T) {
	for _, c := range []struct {
		in    string
		width int
		want  []string
	}{
		{"give `opsbook renumber` a FIELD=VALUE now", 12, []string{"give", "`opsbook", "renumber` a", "FIELD=VALUE", "now"}},
		{"狀態需要的欄位、已在最終狀態", 16, []string{"狀態需要的欄位、", "已在最終狀態"}},
		{"只能透過 move 與 renumber 改變。", 22, []string{"只能透過 move 與", "renumber 改變。"}},
		{"拒絕（不寫入任何內容）", 6, []string{"拒絕", "（不寫", "入任何", "內容）"}},
	} {
		if got := wrapProse(c.in, c.width); strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrapProse(%q, %d) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
	for _, c := range [][3]string{
		{"透過 move 與 renumber", "改變", "透過 move 與 renumber 改變"},
		{"檔案的註解", "與排版", "檔案的註解與排版"},
		{"（角色、", "不認識的人", "（角色、不認識的人"},
		{"refused by the rules", "(role", "refused by the rules (role"},
	} {
		if got := joinLines(c[0], c[1]); got != c[2] {
			t.Errorf("joinLines(%q, %q) = %q, want %q", c[0], c[1], got, c[2])
		}
	}
}

// Every id in a command's help example is a record of the shipped sample
// department, so that a newcomer who runs it in a clone gets an answer, not
// "no record" (a renumbering's new id is one the sample does not hold); a
// workflow verb's example records are in a state the verb leaves.
func TestExamplesNameSampleRecords(t *testing.T) {
	r, err := repo.OpenWith(context.Background(), sampleDir(), repo.Options{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	root := commandTree(t, "en")
	n := 0
	walkCommands(root, func(c *cobra.Command) {
		for _, line := range strings.Split(c.Example, "\n") {
			fields := strings.Fields(line)
			for i, f := range fields {
				id := strings.Trim(f, `'"`)
				if k, ok := record.KindOfID(id); !ok || k == record.Person || strings.Contains(id, "/") {
					continue // a person's handle is any word: the records of the other kinds
				}
				n++
				rec := r.Set.Get(id)
				if c.Name() == "renumber" && i == len(fields)-1 {
					if rec != nil {
						t.Errorf("%s: example %q renumbers to %s, which the sample holds", c.CommandPath(), line, id)
					}
					continue
				}
				if rec == nil {
					t.Errorf("%s: example %q names %s, which the sample does not hold", c.CommandPath(), line, id)
					continue
				}
				if c.GroupID != "verbs" {
					continue
				}
				leaves := false
				for _, m := range workflow.For(rec.Kind).Moves {
					leaves = leaves || m.Verb == c.Name() && m.From == rec.Status()
				}
				if !leaves {
					t.Errorf("%s: example %q moves %s, which is %s: %s does not leave it", c.CommandPath(), line, id, rec.Status(), c.Name())
				}
			}
		}
	})
	if n < 60 {
		t.Fatalf("only %d ids in the examples", n)
	}
	for _, v := range workflow.Verbs() {
		if verbExamples[v][0] == "" {
			t.Errorf("verb %s has no example record in verbExamples", v)
		}
	}
}

// A verb's one-line description names each kind's move from a state once:
// the moves to several states from the same ones are one entry (a
// project's resume goes to the state in hold.from, not six entries of
// on_hold → each state).
func TestVerbShortNamesEachMoveOnce(t *testing.T) {
	for _, lang := range []string{"en", "zh-Hant"} {
		walkCommands(commandTree(t, lang), func(c *cobra.Command) {
			if c.GroupID != "verbs" {
				return
			}
			_, list, _ := strings.Cut(c.Short, map[string]string{"en": "(", "zh-Hant": "（"}[lang])
			seen := map[string]bool{}
			for _, e := range strings.Split(list, map[string]string{"en": "; ", "zh-Hant": "；"}[lang]) {
				from, _, _ := strings.Cut(e, " → ")
				if seen[from] {
					t.Errorf("%s %s: %q twice in %q", lang, c.Name(), from, c.Short)
				}
				seen[from] = true
			}
		})
	}
}

// At 60 columns the summary's complaints past their SLA keep the id, the
// severity, the time open and a title that can be read (the columns a
// narrow terminal has no room for are left out, not every one cut to
// two characters).
func TestSummaryPastSLAAtSixtyColumns(t *testing.T) {
	out := runWidth(t, 60, "summary")
	_, table, ok := strings.Cut(out, "Open complaints past SLA")
	if !ok {
		t.Fatalf("no complaints past SLA in\n%s", out)
	}
	table, _, _ = strings.Cut(table, "\n\n")
	for _, want := range []string{"SEVERITY", "OPEN FOR", "TITLE", "到貨外包裝再次破損"} {
		if !strings.Contains(table, want) {
			t.Errorf("no %q in\n%s", want, table)
		}
	}
	for _, l := range strings.Split(table, "\n") {
		if w := cells.Width(l); w > 60 {
			t.Errorf("a line is %d wide: %q", w, l)
		}
	}
}
