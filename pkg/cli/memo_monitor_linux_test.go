//go:build linux

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/monitor"
)

// A memo kept with the file-system monitor's token holds the part of the
// fingerprint that is not the record files (Memo.Head) as the fingerprint
// had it: the policy changed after the pass read it, and not changed
// back, must not let the monitor vouch for the answer made under the
// policy of before.
func TestMemoMonitorHeadOfTheFingerprint(t *testing.T) {
	dirs, _ := gitDepts(t)
	dir := dirs["sample"]
	runMonitor(t, dir)
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.FixedZone("CST", 8*3600))
	pol := filepath.Join(dir, ".opsbook.yaml")
	was, err := os.ReadFile(pol)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(was), "check_interval_days: 14", "check_interval_days: 3", 1)
	if changed == string(was) {
		t.Fatal("the policy has no check_interval_days: 14")
	}
	for _, cmd := range []struct {
		name string
		run  func(string, time.Time, ...string) string
	}{{"summary", summaryAt}, {"inbox", inboxAt}} {
		t.Run(cmd.name, func(t *testing.T) {
			if err := os.WriteFile(pol, was, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd.run(dir, now, "-o", "json") // a memo of this policy
			// the policy changed once the pass has read it
			afterPass = func() {
				if err := os.WriteFile(pol, []byte(changed), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			defer func() { afterPass = func() {} }()
			claim := filepath.Join(dir, "records/expenses/2025/EXP-2025-0001.yaml")
			data, err := os.ReadFile(claim)
			if err != nil {
				t.Fatal(err)
			}
			// a record changed, so that the next command makes its answer
			if err := os.WriteFile(claim, append(data, "# "+cmd.name+"\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd.run(dir, now, "-o", "json")
			afterPass = func() {}
			got := cmd.run(dir, now, "-o", "json")
			if want := cmd.run(dir, now, "-o", "json", "--no-cache"); got != want {
				t.Fatalf("the policy changed after the pass read it: the answer of the policy before was given:\n%s", lineDiff(got, want))
			}
		})
	}
}

// TestMemoMonitorStrayFile: TestMemoWithStrayFile with the monitor
// running: the folder it names is listed again, and a file that is no
// record there leaves the department without a fingerprint as a full
// listing does.
func TestMemoMonitorStrayFile(t *testing.T) {
	dirs, _ := gitDepts(t)
	dir := dirs["sample"]
	runMonitor(t, dir)
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	strayFileRounds(t, dir)
}

// runMonitor runs a file-system monitor of the department at dir until
// the test ends.
func runMonitor(t *testing.T, dir string) {
	t.Helper()
	cd := cache.Dir(dir)
	done := make(chan error, 1)
	go func() { done <- monitor.Run(dir, "records", cd, func(string, ...any) {}) }()
	for i := 0; ; i++ {
		if _, err := monitor.StatusOf(cd); err == nil {
			break
		}
		if i > 500 {
			t.Fatal("the monitor did not answer")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Cleanup(func() {
		_ = monitor.Stop(cd)
		<-done
	})
}
