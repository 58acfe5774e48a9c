package heap

import (
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"
)

// The user's GOGC stands through a pause: the runtime read it at start,
// and a pause (the index's decoding) must give it back, not the default.
// The runtime reads GOGC only when the process starts, so the check runs
// in a child.
func TestPauseKeepsTheUsersGOGC(t *testing.T) {
	if os.Getenv("HEAP_TEST_CHILD") != "" {
		if Floor(1 << 30) {
			t.Fatal("Floor set with GOGC in the environment")
		}
		want := debug.SetGCPercent(-1)
		debug.SetGCPercent(want)
		Pause()()
		if p, _ := current(); p != want {
			t.Fatalf("after a pause: percentage %d, want the user's %d", p, want)
		}
		old := SetPercent(10)
		if old != want {
			t.Fatalf("SetPercent returned %d, want the user's %d", old, want)
		}
		SetPercent(old)
		if p, _ := current(); p != want {
			t.Fatalf("after SetPercent and back: percentage %d, want the user's %d", p, want)
		}
		return
	}
	for _, gogc := range []string{"off", "50", "400"} {
		t.Run(gogc, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestPauseKeepsTheUsersGOGC$", "-test.v")
			cmd.Env = append(os.Environ(), "HEAP_TEST_CHILD=1", "GOGC="+gogc, "GOMEMLIMIT=")
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), "PASS") {
				t.Errorf("GOGC=%s: %v\n%s", gogc, err, out)
			}
		})
	}
}
