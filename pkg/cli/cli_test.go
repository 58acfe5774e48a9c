package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/change"
)

// sampleDir is the repository root, whose records/ is the sample department.
func sampleDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// testEnv is the environment of a command run by a test: env, then the
// sample's clock and English (LANG=en_US.UTF-8), so that tests read the
// English text unless they ask for another language.
func testEnv(env map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "OPSBOOK_NOW":
			return "2026-11-26T15:00:00+08:00"
		case "LANG":
			return "en_US.UTF-8"
		}
		return ""
	}
}

func run(t *testing.T, tty, noColor bool, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), OutTTY: tty, ErrTTY: tty, NoColor: noColor,
		Getenv: testEnv(nil)}
	code := Run(context.Background(), append([]string{"-C", sampleDir()}, args...), io)
	return out.String(), errb.String(), code
}

func TestColourOnlyOnATerminalAndNeverWithNoColor(t *testing.T) {
	out, _, code := run(t, true, false, "summary")
	if code != 0 || !strings.Contains(out, "\x1b[") || !strings.Contains(out, "┌") {
		t.Fatalf("terminal summary lacks colour or boxes (exit %d):\n%s", code, out)
	}
	out, _, _ = run(t, true, true, "summary")
	if strings.Contains(out, "\x1b[") {
		t.Fatal("colour with NO_COLOR")
	}
	out, _, _ = run(t, false, false, "summary")
	if strings.Contains(out, "\x1b[") || strings.Contains(out, "┌") || !strings.Contains(out, "KIND\tTOTAL\tBY STATE") {
		t.Fatalf("piped summary is not plain tab-separated text:\n%s", out)
	}
}

func TestExitStatuses(t *testing.T) {
	if _, _, code := run(t, false, false, "validate"); code != ExitOK {
		t.Errorf("validate on the sample: %d", code)
	}
	if _, errs, code := run(t, false, false, "validate", "--no-such-flag"); code != ExitUsage || !strings.Contains(errs, "unknown flag") {
		t.Errorf("bad flag: %d %s", code, errs)
	}
	if _, _, code := run(t, false, false, "show", "NOPE-1"); code != ExitUsage {
		t.Errorf("unknown id: %d", code)
	}
	cases := map[error]int{
		&change.Refused{Reason: "x"}:                ExitRefused,
		&change.Refused{Reason: "x", Invalid: true}: ExitFindings,
		change.ErrBusy:                              ExitBusy,
		change.ErrRepository:                        ExitUsage,
		errors.New("other"):                         ExitUsage,
	}
	for err, want := range cases {
		if got := exitCode(writeErr(err)); got != want {
			t.Errorf("%v → %d, want %d", err, got, want)
		}
	}
}

func TestValidateCaretOnTerminal(t *testing.T) {
	out, _, _ := run(t, true, true, "validate")
	// a warning's source line is followed by a caret line
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.Contains(l, "[task-overdue]") {
			if i+2 >= len(lines) || strings.TrimSpace(lines[i+2]) != "^" {
				t.Fatalf("no caret after %q:\n%s", l, out)
			}
			return
		}
	}
	t.Fatalf("no task-overdue warning:\n%s", out)
}

func TestStripBannerKeepsTheRecordsOwnComments(t *testing.T) {
	banner := errorBanner("x.yaml", errors.New("refused: x"))
	rec := "# the record's own comment\nkind: expense\n"
	if got := string(stripBanner([]byte(banner + rec))); got != rec {
		t.Fatalf("got %q", got)
	}
	// the user deleted or rewrote banner lines: the rest of it still goes
	edited := strings.Replace(banner, "#| refused: x\n", "", 1) + rec
	if got := string(stripBanner([]byte(edited))); got != rec {
		t.Fatalf("deleted line: got %q", got)
	}
	// a substitution that took the prefix off a message line: the fixed
	// first and last lines still frame the block
	edited = strings.Replace(banner, "#| refused: x", "REFUSED: x", 1) + rec
	if got := string(stripBanner([]byte(edited))); got != rec {
		t.Fatalf("rewritten line: got %q", got)
	}
	if got := string(stripBanner([]byte(rec))); got != rec {
		t.Fatalf("no banner: got %q", got)
	}
}
