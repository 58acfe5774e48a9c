package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// The inbox fits the terminal: at 80 columns every boxed line is at most
// 80 cells, and a command is wrapped onto more lines, never cut; colour
// marks the overdue rows only on a terminal without NO_COLOR.
func TestInboxFitsTheTerminal(t *testing.T) {
	t.Setenv("GIT_AUTHOR_EMAIL", "sun.li@example.com")
	for _, width := range []int{80, 200} {
		out := runWidth(t, width, "inbox")
		boxed := 0
		for _, l := range strings.Split(out, "\n") {
			if !strings.HasPrefix(l, "│") && !strings.HasPrefix(l, "┌") && !strings.HasPrefix(l, "└") {
				continue
			}
			boxed++
			if w := runewidth.StringWidth(l); w > width {
				t.Errorf("%d columns: a line is %d wide:\n%s", width, w, l)
			}
			if cells := strings.Split(strings.Trim(l, "│"), "│"); len(cells) >= 3 && strings.Contains(cells[len(cells)-1], "…") {
				t.Errorf("%d columns: a command is cut: %s", width, l)
			}
		}
		if boxed == 0 {
			t.Fatalf("%d columns: no boxed table:\n%s", width, out)
		}
		// the command of the revisit, put back together from its lines
		var cmd []string
		for _, l := range strings.Split(out, "\n") {
			if cells := strings.Split(strings.Trim(l, "│"), "│"); len(cells) >= 3 {
				cmd = append(cmd, strings.TrimSpace(cells[len(cells)-1]))
			}
		}
		if joined := strings.Join(cmd, " "); !strings.Contains(joined, "opsbook set CUS-0002 'visits+={date: 2026-11-26, by: sun.li}'") {
			t.Errorf("%d columns: the revisit's command is not whole:\n%s", width, out)
		}
	}
	// in colour, the red (overdue) rows' commands are wrapped, not cut
	var out80, errb bytes.Buffer
	io := &Streams{Out: &out80, Err: &errb, In: strings.NewReader(""), OutTTY: true, Width: 80,
		Getenv: testEnv(nil)}
	if code := Run(context.Background(), []string{"-C", sampleDir(), "inbox"}, io); code != 0 || !strings.Contains(out80.String(), "\x1b[31m") {
		t.Fatalf("terminal inbox has no red overdue row (exit %d):\n%s%s", code, out80.String(), errb.String())
	}
	for _, l := range strings.Split(out80.String(), "\n") {
		if cells := strings.Split(strings.Trim(l, "│"), "│"); len(cells) >= 3 && strings.Contains(cells[len(cells)-1], "…") {
			t.Errorf("a red command is cut: %q", l)
		}
	}
	out, _, code := run(t, true, false, "inbox")
	if code != 0 || !strings.Contains(out, "\x1b[31m") {
		t.Errorf("terminal inbox has no red overdue row (exit %d):\n%s", code, out)
	}
	out, _, _ = run(t, true, true, "inbox")
	if strings.Contains(out, "\x1b[") {
		t.Error("colour with NO_COLOR")
	}
	out, _, _ = run(t, false, false, "inbox")
	if strings.Contains(out, "\x1b[") || strings.Contains(out, "┌") || !strings.Contains(out, "WHEN\tRECORD\tWHAT\tCOMMAND") {
		t.Errorf("piped inbox is not plain tab-separated text:\n%s", out)
	}
}

// On a terminal a command stays whole on one line, to be copied: the
// prose wraps and the record column (each command names its record) makes
// room for it. Only a command wider than the terminal can give it (with
// every other column at its narrowest) wraps, and then between its
// arguments, never inside one. Both languages, a director's inbox and a
// specialist's, at 80 and 60 columns.
func TestInboxKeepsACommandOnOneLine(t *testing.T) {
	defer i18n.Set(i18n.English)
	// a field's name wider than its line breaks at its dot, never inside
	whole := map[string]bool{"investigation.": true, "root_cause": true, "resolution.": true, "solution": true,
		"investigation.root_cause": true, "resolution.solution": true}
	wordRE := regexp.MustCompile(`[A-Za-z_.]{4,}`)
	for _, who := range []string{"wang.fang", "li.wei", "sun.li"} {
		t.Setenv("GIT_AUTHOR_EMAIL", who+"@example.com")
		var box struct {
			Items []struct {
				Command string `json:"command"`
			} `json:"items"`
		}
		out, _, _ := runStreams(t, sampleDir(), false, 0, "inbox", "-o", "json")
		if err := json.Unmarshal([]byte(out), &box); err != nil || len(box.Items) == 0 {
			t.Fatalf("%s: inbox -o json: %v\n%s", who, err, out)
		}
		for _, lang := range []string{"en", "zh-Hant"} {
			for _, width := range []int{80, 60} {
				out := runWidth(t, width, "--lang", lang, "inbox")
				lines := map[string]bool{}
				args := map[string]bool{}
				for _, l := range strings.Split(out, "\n") {
					if w := runewidth.StringWidth(l); w > width {
						t.Errorf("%s %s %d: a line is %d wide: %s", who, lang, width, w, l)
					}
					cells := strings.Split(strings.Trim(l, "│"), "│")
					if !strings.HasPrefix(l, "│") || len(cells) < 3 {
						continue
					}
					for _, w := range wordRE.FindAllString(strings.Join(cells[:len(cells)-1], " "), -1) {
						w = strings.TrimRight(w, ".")
						for _, field := range []string{"investigation.root_cause", "resolution.solution"} {
							if (strings.HasPrefix(field, w) || strings.HasSuffix(field, w)) && !whole[w] && !whole[w+"."] {
								t.Errorf("%s %s %d: %s is cut to %q: %s", who, lang, width, field, w, l)
							}
						}
					}
					c := strings.TrimSpace(cells[len(cells)-1])
					lines[c] = true
					for _, a := range strings.Fields(c) {
						args[a] = true
					}
				}
				// room for a command: the box (3 columns), WHEN (at most
				// 10 cells) and WHAT at its narrowest (its longest piece of
				// a word, recommendations, or 8 cells)
				room := width - 1 - 9 - 10 - len("recommendations")
				for _, it := range box.Items {
					if runewidth.StringWidth(it.Command) <= room && !lines[it.Command] {
						t.Errorf("%s %s %d: %q is not whole on one line:\n%s", who, lang, width, it.Command, out)
					}
					for _, a := range strings.Fields(it.Command) {
						if !args[a] {
							t.Errorf("%s %s %d: %q of %q is broken:\n%s", who, lang, width, a, it.Command, out)
						}
					}
				}
			}
		}
	}
}

// TestInboxSaysItLeftAColumnOut: on a terminal too narrow for the whole
// inbox, the record column is left out and stderr says so, as list,
// report and summary say it; --wide keeps it, and a wide terminal needs
// neither.
func TestInboxSaysItLeftAColumnOut(t *testing.T) {
	defer i18n.Set(i18n.English)
	t.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
	header := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "COMMAND") {
				return l
			}
		}
		return ""
	}
	out, errs, code := runStreams(t, sampleDir(), true, 60, "--lang", "en", "inbox")
	if code != 0 || strings.Contains(header(out), "RECORD") || !strings.Contains(errs, "fewer columns to fit 60: --wide shows them all") {
		t.Errorf("at 60 columns: exit %d, header %q, stderr %q", code, header(out), errs)
	}
	out, errs, code = runStreams(t, sampleDir(), true, 60, "--lang", "en", "inbox", "--wide")
	if code != 0 || !strings.Contains(header(out), "RECORD") || strings.Contains(errs, "fewer columns") {
		t.Errorf("--wide at 60 columns: exit %d, header %q, stderr %q", code, header(out), errs)
	}
	out, errs, code = runStreams(t, sampleDir(), true, 250, "--lang", "en", "inbox")
	if code != 0 || !strings.Contains(header(out), "RECORD") || strings.Contains(errs, "fewer columns") {
		t.Errorf("at 250 columns: exit %d, header %q, stderr %q", code, header(out), errs)
	}
}
