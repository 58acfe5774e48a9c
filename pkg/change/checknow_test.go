package change

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/internal/gittest"
)

// checkNow looks under a HEAD dated in the future of this machine's clock
// (not of --now) for the latest commit not so dated, and refuses a moment
// before that one: a write's --now set back, or this machine's clock.
func TestCheckNowUnderFutureHead(t *testing.T) {
	dir := t.TempDir()
	gittest.Git(t, dir, nil, "init", "-q", "-b", "main")
	commit := func(at string) {
		t.Helper()
		f := filepath.Join(dir, "f.txt")
		b, _ := os.ReadFile(f)
		if err := os.WriteFile(f, append(b, at+"\n"...), 0o644); err != nil {
			t.Fatal(err)
		}
		gittest.Git(t, dir, nil, "add", "f.txt")
		gittest.Git(t, dir, []string{"GIT_AUTHOR_DATE=" + at, "GIT_COMMITTER_DATE=" + at},
			"-c", "user.name=w", "-c", "user.email=w@example.com", "commit", "-qm", at)
	}
	commit("2026-11-26T09:00:00+08:00")
	commit("2026-11-26T10:00:00+08:00")
	commit("2099-01-01T00:00:00+08:00")
	commit("2099-02-01T00:00:00+08:00")
	// git last wrote the repository at 10:05 by this machine's clock
	for _, f := range []string{"HEAD", "index", "logs/HEAD", "refs/heads/main", "logs/refs/heads/main"} {
		w := time.Date(2026, 11, 26, 2, 5, 0, 0, time.UTC)
		if err := os.Chtimes(filepath.Join(dir, ".git", f), w, w); err != nil {
			t.Fatal(err)
		}
	}
	g, err := gitstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	defer func(c func() time.Time) { realClock = c }(realClock)
	for _, c := range []struct {
		clock, now string
		refused    bool
		said       string
	}{
		// the clock is right: the two commits of 2099 are skipped
		{"2026-11-26T15:00:00+08:00", "2026-11-26T15:00:00+08:00", false, "not dated in the future (2026-11-26T10:00:00+08:00)"},
		// --now set back before the last commit not dated ahead
		{"2026-11-26T15:00:00+08:00", "2026-11-26T08:00:00+08:00", true, "before the last commit (2026-11-26T10:00:00+08:00)"},
		// within the hour of clock skew
		{"2026-11-26T15:00:00+08:00", "2026-11-26T09:30:00+08:00", false, ""},
		// this machine's clock set back to 08:00, before git last wrote
		// the repository (10:05): the commit of 10:00 is not taken for
		// one dated ahead, and the write is refused
		{"2026-11-26T08:00:00+08:00", "2026-11-26T08:00:00+08:00", true, "before the last commit (2026-11-26T10:00:00+08:00)"},
		{"2026-11-26T08:00:00+08:00", "2026-11-26T08:00:00+08:00", true, "this machine's clock (2026-11-26T08:00:00+08:00) reads before git last wrote this repository (2026-11-26T10:05:00+08:00)"},
	} {
		realClock = func() time.Time { return at(c.clock) }
		var notes bytes.Buffer
		err := checkNow(g, at(c.now), &notes)
		var ref *Refused
		if got := errors.As(err, &ref); got != c.refused {
			t.Errorf("clock %s, now %s: refused %v (%v), want %v", c.clock, c.now, got, err, c.refused)
		}
		if !strings.Contains(notes.String(), "HEAD is dated 2099-02-01T00:00:00+08:00") {
			t.Errorf("clock %s, now %s: notes %q do not say HEAD is dated in the future", c.clock, c.now, notes.String())
		}
		if said := notes.String() + errText(err); !strings.Contains(said, c.said) {
			t.Errorf("clock %s, now %s: %q does not say %q", c.clock, c.now, said, c.said)
		}
	}
	// a HEAD not dated ahead: compared as it is, and nothing said
	realClock = func() time.Time { return at("2099-03-01T00:00:00+08:00") }
	var notes bytes.Buffer
	if err := checkNow(g, at("2026-11-26T15:00:00+08:00"), &notes); err == nil || !strings.Contains(err.Error(), "2099-02-01") {
		t.Errorf("a write before HEAD: %v", err)
	}
	if notes.Len() != 0 {
		t.Errorf("notes %q for a HEAD not dated ahead", notes.String())
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	var ref *Refused
	if errors.As(err, &ref) {
		return ref.Reason + " " + err.Error()
	}
	return err.Error()
}
