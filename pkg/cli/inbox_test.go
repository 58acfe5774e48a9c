package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
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
			if cells := strings.Split(strings.Trim(l, "│"), "│"); len(cells) == 4 && strings.Contains(cells[3], "…") {
				t.Errorf("%d columns: a command is cut: %s", width, l)
			}
		}
		if boxed == 0 {
			t.Fatalf("%d columns: no boxed table:\n%s", width, out)
		}
		// the command of the revisit, put back together from its lines
		var cmd []string
		for _, l := range strings.Split(out, "\n") {
			if cells := strings.Split(strings.Trim(l, "│"), "│"); len(cells) == 4 {
				cmd = append(cmd, strings.TrimSpace(cells[3]))
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
		if cells := strings.Split(strings.Trim(l, "│"), "│"); len(cells) == 4 && strings.Contains(cells[3], "…") {
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
