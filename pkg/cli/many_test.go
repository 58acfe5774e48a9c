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
