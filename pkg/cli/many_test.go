package cli

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
)

// A --where selecting more than manyConfirm records asks on a terminal:
// anything but yes changes nothing; yes goes on (here to the judgement,
// which refuses the paid and rejected claims, so nothing changes either).
func TestWhereAsksOnATerminalPastTheThreshold(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := sampleRepo(t, "wang.fang@example.com")
	t.Setenv("HOME", dir)
	head := func() string {
		out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	was := head()
	run := func(answer string, args ...string) (string, int) {
		var out, errb bytes.Buffer
		io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(answer), InTTY: true, ErrTTY: true, NoColor: true,
			Getenv: testEnv(nil)}
		code := Run(context.Background(), append([]string{"-C", dir}, args...), io)
		return errb.String(), code
	}
	errs, code := run("n\n", "set", "expense", "--where", "amount > 0", "note=checked")
	if code != ExitUsage || !strings.Contains(errs, " records (expense)? [y/N]") || !strings.Contains(errs, "not confirmed; nothing was changed") {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	errs, code = run("y\n", "set", "expense", "--where", "amount > 0", "note=checked")
	if code != ExitRefused || !strings.Contains(errs, "[final-state]") {
		t.Fatalf("exit %d:\n%s", code, errs)
	}
	// a handful is not asked about
	errs, code = run("", "set", "expense", "--where", "status = draft", "note=checked", "--dry-run")
	if strings.Contains(errs, "[y/N]") {
		t.Fatalf("asked about a few records (exit %d):\n%s", code, errs)
	}
	if head() != was {
		t.Fatal("HEAD moved")
	}
}

// hookReader runs hook before its first read: what happens while the
// question waits.
type hookReader struct {
	hook func()
	r    *strings.Reader
}

func (h *hookReader) Read(p []byte) (int, error) {
	if h.hook != nil {
		h.hook()
		h.hook = nil
	}
	return h.r.Read(p)
}

// While the question waits, the lock is free: another person's write goes
// through at once (--wait 0), and a yes afterwards refuses, nothing
// changed, because what was shown and judged is gone.
func TestTheQuestionDoesNotHoldTheLock(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := sampleRepo(t, "wang.fang@example.com")
	t.Setenv("HOME", dir)
	head := func() string {
		out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	was := head()
	var other string
	var otherCode int
	in := &hookReader{r: strings.NewReader("y\n"), hook: func() {
		var out, errb bytes.Buffer
		io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), NoColor: true, Getenv: testEnv(nil)}
		otherCode = Run(context.Background(), []string{"-C", dir, "--wait", "0", "set", "PRJ-2026-0006", "feasibility.conclusion=feasible"}, io)
		other = errb.String()
	}}
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: in, InTTY: true, ErrTTY: true, NoColor: true, Getenv: testEnv(nil)}
	code := Run(context.Background(), []string{"-C", dir, "set", "expense", "--where", "amount > 0", "note=checked"}, io)
	if otherCode != 0 {
		t.Fatalf("the other write while the question waited: exit %d\n%s", otherCode, other)
	}
	if code != ExitRefused || !strings.Contains(errb.String(), "changed while you were deciding") {
		t.Fatalf("exit %d:\n%s", code, errb.String())
	}
	after := head()
	if after == was {
		t.Fatal("the other write made no commit")
	}
	msg, _ := exec.Command("git", "-C", dir, "log", "-1", "--format=%s").Output()
	if strings.Contains(string(msg), "checked") {
		t.Fatalf("the refused change was committed: %s", msg)
	}
}
