package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

// verify's lines on standard error (its notes and its summary) are prose:
// wrapped to a terminal's width, whole when standard error is piped.
func TestVerifyNotesFitTheTerminal(t *testing.T) {
	dir := sampleRepo(t, "li.wei@example.com")
	run := func(errTTY bool) string {
		var out, errb bytes.Buffer
		io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), ErrTTY: errTTY, NoColor: true, Width: 20,
			Getenv: testEnv(nil)}
		if code := Run(context.Background(), []string{"-C", dir, "--lang", "zh-Hant", "verify"}, io); code > 1 {
			t.Fatalf("verify: exit %d: %s", code, errb.String())
		}
		return errb.String()
	}
	tty := run(true)
	for _, l := range strings.Split(strings.TrimSpace(tty), "\n") {
		if w := runewidth.StringWidth(l); w > 20 {
			t.Errorf("at 20 columns a line is %d wide: %q", w, l)
		}
	}
	piped := run(false)
	if strings.Count(strings.TrimSpace(piped), "\n") != 0 || !strings.HasPrefix(piped, "已驗證") {
		t.Errorf("piped, the summary is not one whole line: %q", piped)
	}
}
