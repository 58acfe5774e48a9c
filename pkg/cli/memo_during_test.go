package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A file changed after a memo's fingerprint was taken and before the
// full pass read it, and put back after the pass read it, before the
// answer is stored: the answer is of the changed file, so it must not be
// stored under the fingerprint of the department as it was before and is
// again. Summary and inbox then print what a full pass prints. Both a
// record (a claim paid, then rejected) and the policy (the interval of a
// plan's progress checks, no part of the cache's key) are tried.
func TestMemoChangeDuringThePass(t *testing.T) {
	dirs, _ := gitDepts(t)
	dir := dirs["copies"]
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	cases := []struct {
		name, path, from, to string
	}{
		{"record", "records/expenses/2025/EXP-2025-0001.yaml", "status: paid", "status: rejected"},
		{"policy", ".opsbook.yaml", "check_interval_days: 14", "check_interval_days: 3"},
	}
	for _, c := range cases {
		for _, cmd := range []struct {
			name string
			run  func(string, time.Time, ...string) string
		}{{"summary", summaryAt}, {"inbox", inboxAt}} {
			t.Run(c.name+"/"+cmd.name, func(t *testing.T) {
				p := filepath.Join(dir, filepath.FromSlash(c.path))
				was, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				changed := strings.Replace(string(was), c.from, c.to, 1)
				if changed == string(was) {
					t.Fatalf("%s holds no %q", c.path, c.from)
				}
				write := func(data string) {
					if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				// a change the stored answer has not seen, so the next
				// command makes one
				noted := string(was) + "# noted " + cmd.name + "\n"
				write(noted)
				changedNoted := strings.Replace(noted, c.from, c.to, 1)
				beforePass = func() { write(changedNoted) }
				afterPass = func() { write(noted) }
				defer func() { beforePass, afterPass = func() {}, func() {} }()
				during := cmd.run(dir, now, "-o", "json")
				beforePass, afterPass = func() {}, func() {}
				write(changedNoted)
				if want := cmd.run(dir, now, "-o", "json", "--no-cache"); during != want {
					t.Fatalf("the answer made over the changed file is not the full pass's over it:\n%s", lineDiff(during, want))
				}
				write(noted)
				got := cmd.run(dir, now, "-o", "json")
				if want := cmd.run(dir, now, "-o", "json", "--no-cache"); got != want {
					t.Fatalf("the file as it was before and after the pass: the answer made over it changed was given:\n%s", lineDiff(got, want))
				}
				write(string(was))
			})
		}
	}
}
