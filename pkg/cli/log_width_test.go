package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

// longIdentityRepo is the sample in git, committed by an identity no
// person has (a bot's, 80 cells wide), then one change by it to a
// complaint with a long Chinese summary and one to a person's name.
func longIdentityRepo(t *testing.T) string {
	t.Helper()
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := sampleRepo(t, "maintainers@users.noreply.r-seed-836cb4a3.example")
	gitIn(t, dir, "config", "user.name", "Seed 836cb4a3 maintainers")
	p := filepath.Join(dir, "records", "complaints", "2026", "CMP-2026-0017.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := summaryRE.ReplaceAllString(string(b), "summary: 顧客來電表示到貨外包裝破損而且內容物受潮，要求退款並且希望客服主管親自回電說明後續處理方式與時程")
	if s == string(b) {
		t.Fatal("no summary in CMP-2026-0017")
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	gitIn(t, dir, "commit", "-qam", "a long summary")
	return dir
}

var summaryRE = regexp.MustCompile(`(?m)^summary: .*$`)

func runStreams(t *testing.T, dir string, tty bool, width int, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), OutTTY: tty, NoColor: true, Width: width,
		Getenv: testEnv(nil)}
	code := Run(context.Background(), append([]string{"-C", dir}, args...), io)
	return out.String(), errb.String(), code
}

// On a terminal, log and history fit its width however long the git
// identity that made the commit: the actor is cut ("…"), a wide Chinese
// character never in half, and a field's change wraps below its line.
// Piped, every line is whole, whatever COLUMNS says, as scripts read it.
func TestLogAndHistoryFitTheTerminal(t *testing.T) {
	dir := longIdentityRepo(t)
	for _, args := range [][]string{{"log"}, {"history", "CMP-2026-0017"}} {
		for _, lang := range []string{"en", "zh-Hant"} {
			for _, width := range []int{60, 80, 150} {
				a := append([]string{"--lang", lang}, args...)
				out, errs, code := runStreams(t, dir, true, width, a...)
				if code != 0 {
					t.Fatalf("%v: exit %d: %s", a, code, errs)
				}
				if !strings.Contains(out, "Seed 836cb4") || !strings.Contains(out, "summary") {
					t.Errorf("%v at %d: the actor or the field is missing:\n%s", a, width, out)
				}
				for _, l := range strings.Split(out, "\n") {
					if w := runewidth.StringWidth(l); w > width {
						t.Errorf("%v at %d: a line is %d wide:\n%s", a, width, w, l)
					}
					if strings.ContainsRune(l, '\uFFFD') {
						t.Errorf("%v at %d: a character broken in half:\n%s", a, width, l)
					}
				}
				if width == 80 && !strings.Contains(out, "…") {
					t.Errorf("%v at 80: the actor is not cut:\n%s", a, out)
				}
			}
			a := append([]string{"--lang", lang}, args...)
			whole, _, _ := runStreams(t, dir, false, 0, a...)
			piped, _, _ := runStreams(t, dir, false, 60, a...)
			if piped != whole ||
				!strings.Contains(whole, "Seed 836cb4a3 maintainers <maintainers@users.noreply.r-seed-836cb4a3.example>") {
				t.Errorf("%v piped: not whole, or cut by the width:\n%s", a, piped)
			}
		}
	}
}

// log --actor names a person: a handle that is none is a usage error
// (exit 2) saying so in the reader's language, as inbox --for does; a
// person who changed nothing gets a line that says so, not silence, and
// standard output stays empty for scripts.
func TestLogActorUnknownOrWithoutChanges(t *testing.T) {
	dir := longIdentityRepo(t)
	out, errs, code := runStreams(t, dir, false, 0, "log", "--actor", "nobody", "--lang", "zh-Hant")
	if code != ExitUsage || out != "" || !strings.Contains(errs, "--actor nobody：人員紀錄中沒有這個人") {
		t.Errorf("--actor nobody: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	out, errs, code = runStreams(t, dir, false, 0, "log", "--actor", "nobody", "--lang", "en", "-o", "json")
	if code != ExitUsage || out != "" || !strings.Contains(errs, "--actor nobody: no such person in the people records") {
		t.Errorf("--actor nobody -o json: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	out, errs, code = runStreams(t, dir, true, 80, "log", "--actor", "li.wei", "--lang", "zh-Hant")
	if code != 0 || out != "" || !strings.Contains(errs, "沒有紀錄：li.wei 沒有變更過任何紀錄") {
		t.Errorf("--actor li.wei: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	out, errs, code = runStreams(t, dir, false, 0, "log", "--actor", "li.wei", "--since", "2026-01-01", "--lang", "en")
	if code != 0 || out != "" || !strings.Contains(errs, "no entries: no change matches") {
		t.Errorf("--actor li.wei --since: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
