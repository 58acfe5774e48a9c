package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the zones below, wherever the tests run
)

// TestInboxMemoZoneRules: America/Denver and America/Phoenix are both
// MST, -07:00, in winter, but Denver was at -06:00 until 1 November 2026
// and is again from 14 March 2027. An inbox kept in Denver and asked for
// in Phoenix at the same moment prints what Phoenix's full pass prints:
//
//   - at 23:30 on 26 November the end of a September day (a revisit due
//     then, in the director's team section) is an hour apart in the two,
//     and "overdue N days" differs by one; the kept inbox is given, its
//     deadlines placed again by Phoenix;
//   - at 23:30 on 10 March 2027 Denver is four days from summer time:
//     the inbox's week (seven calendar days) ends on 17 March in both, so
//     a task due on 18 March is listed in neither; the memo's name holds
//     the zone a week on, so the kept inbox is not given.
func TestInboxMemoZoneRules(t *testing.T) {
	dir := sampleRepo(t, "wang.fang@example.com")
	t.Setenv("GIT_AUTHOR_EMAIL", "wang.fang@example.com")
	task := filepath.Join(dir, "records", "tasks", "2026", "TSK-2026-0003.yaml")
	data, err := os.ReadFile(task)
	if err != nil || !strings.Contains(string(data), "due: 2026-11-24\n") {
		t.Fatalf("TSK-2026-0003 is not due on 2026-11-24 (%v)", err)
	}
	if err := os.WriteFile(task, []byte(strings.Replace(string(data), "due: 2026-11-24\n", "due: 2027-03-18\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	denver, err := time.LoadLocation("America/Denver")
	if err != nil {
		t.Fatal(err)
	}
	phoenix, err := time.LoadLocation("America/Phoenix")
	if err != nil {
		t.Fatal(err)
	}
	local := time.Local
	t.Cleanup(func() { time.Local = local })
	for _, c := range []struct {
		name   string
		now    time.Time
		args   []string
		reused bool
		shows  string // in the text made in Denver, not in Phoenix ("": the same in both)
	}{
		{"a September day's end", time.Date(2026, 11, 26, 23, 30, 0, 0, phoenix), nil, true, "62"},
		// seven calendar days on, the 17th in both zones, though Denver
		// is on summer time by then: the task due on the 18th is listed
		// in neither, and the memo's name still tells the zones apart
		{"the week's end", time.Date(2027, 3, 10, 23, 30, 0, 0, phoenix), []string{"--for", "sun.li"}, false, ""},
	} {
		for _, format := range []string{"text", "json"} {
			args := append([]string{"-o", format}, c.args...)
			for _, m := range inboxMemos(dir) { // the one made in Phoenix
				os.Remove(m)
			}
			time.Local = denver
			made := inboxAt(dir, c.now, args...)
			time.Local = phoenix
			before := inboxesReused
			got := inboxAt(dir, c.now, args...)
			want := inboxAt(dir, c.now, append(args, "--no-cache")...)
			if format == "text" && c.shows != "" && (!strings.Contains(made, c.shows) || strings.Contains(want, c.shows)) {
				t.Fatalf("%s: the sample no longer tells the zones apart (%q):\nDenver:\n%s\nPhoenix:\n%s", c.name, c.shows, made, want)
			}
			if got != want {
				t.Errorf("%s, -o %s: the inbox kept in Denver, in Phoenix:\n%s\nPhoenix's full pass:\n%s", c.name, format, got, want)
			}
			if reused := inboxesReused > before; reused != c.reused {
				t.Errorf("%s, -o %s: kept inbox given: %v, want %v", c.name, format, reused, c.reused)
			}
		}
	}
}

// TestInboxMemoStampQuoted: li.wei's CMP-2026-0017, received at 16:00
// (later today), cannot be acknowledged yet, and the refusal quotes the
// instant the move was tried at ("acknowledged_at 2026-11-26T15:00:00+08:00
// is before received_at ..."). The inbox kept at 15:00:00 is given again
// within that second only: at 15:30 it quotes 15:30.
func TestInboxMemoStampQuoted(t *testing.T) {
	dir := sampleRepo(t, "li.wei@example.com")
	t.Setenv("GIT_AUTHOR_EMAIL", "li.wei@example.com")
	cmp := filepath.Join(dir, "records", "complaints", "2026", "CMP-2026-0017.yaml")
	data, err := os.ReadFile(cmp)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for old, new := range map[string]string{
		"status: acknowledged\n":                       "status: received\n",
		"received_at: 2026-11-23T10:00:00+08:00\n":     "received_at: 2026-11-26T16:00:00+08:00\n",
		"acknowledged_at: 2026-11-23T13:30:00+08:00\n": "",
	} {
		if !strings.Contains(text, old) {
			t.Fatalf("CMP-2026-0017 has no %q", old)
		}
		text = strings.Replace(text, old, new, 1)
	}
	if err := os.WriteFile(cmp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	zone := time.FixedZone("CST", 8*3600)
	at := func(m, s, ns int) time.Time { return time.Date(2026, 11, 26, 15, m, s, ns, zone) }
	if out := inboxAt(dir, at(0, 0, 0), "-o", "json"); !strings.Contains(out, "acknowledged_at 2026-11-26T15:00:00+08:00 is before received_at") {
		t.Fatalf("the refusal does not quote the stamp:\n%s", out)
	}
	for _, c := range []struct {
		now    time.Time
		reused bool
	}{{at(0, 0, 500_000_000), true}, {at(30, 0, 0), false}} {
		for _, format := range []string{"json", "text"} {
			inboxAt(dir, at(0, 0, 0), "-o", format)
			before := inboxesReused
			got := inboxAt(dir, c.now, "-o", format)
			if want := inboxAt(dir, c.now, "-o", format, "--no-cache"); got != want {
				t.Errorf("%s, -o %s: the inbox kept at 15:00:00:\n%s\nthe full pass:\n%s", c.now.Format(time.RFC3339Nano), format, got, want)
			}
			if reused := inboxesReused > before; reused != c.reused {
				t.Errorf("%s, -o %s: kept inbox given: %v, want %v", c.now.Format(time.RFC3339Nano), format, reused, c.reused)
			}
		}
	}
}
