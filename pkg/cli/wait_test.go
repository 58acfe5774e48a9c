package cli

import (
	"testing"
	"time"
)

func TestWaitTakesSecondsOrDurations(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "5": 5 * time.Second, "0.5": 500 * time.Millisecond,
		"10s": 10 * time.Second, "1m30s": 90 * time.Second, "0s": 0,
	} {
		var d time.Duration
		if err := (waitValue{&d}).Set(in); err != nil || d != want {
			t.Errorf("--wait %s = %v, %v; want %v", in, d, err, want)
		}
	}
	for _, in := range []string{"-1", "-2s", "soon", ""} {
		var d time.Duration
		if err := (waitValue{&d}).Set(in); err == nil {
			t.Errorf("--wait %q accepted as %v", in, d)
		}
	}
}
