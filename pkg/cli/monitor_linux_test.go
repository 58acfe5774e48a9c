//go:build linux

package cli

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMonitorStatusOfASocketThatDoesNotAnswer: a process listens on the
// monitor's socket and never answers (a monitor stopped with SIGSTOP):
// status says so rather than that no monitor runs, and start refuses
// rather than start a second monitor that stops at once.
func TestMonitorStatusOfASocketThatDoesNotAnswer(t *testing.T) {
	root := t.TempDir()
	cache := filepath.Join(root, ".git", "opsbook")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "records"), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(cache, "monitor.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var held []net.Conn // accepted, never answered
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	cmd := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), Getenv: testEnv(nil)}
		code := Run(context.Background(), append([]string{"-C", root, "--lang", "en"}, args...), io)
		return out.String(), errb.String(), code
	}
	out, _, code := cmd("monitor", "status")
	if code != ExitFindings || !strings.Contains(out, "does not answer") || strings.Contains(out, "no monitor runs") {
		t.Errorf("status (exit %d): %s", code, out)
	}
	out, _, code = cmd("monitor", "status", "-o", "json")
	if code != ExitFindings || !strings.Contains(out, `"running": false`) || !strings.Contains(out, `"error": "`) {
		t.Errorf("status -o json (exit %d): %s", code, out)
	}
	_, errs, code := cmd("monitor", "start")
	if code == 0 || !strings.Contains(errs, "does not answer") {
		t.Errorf("start (exit %d): %s", code, errs)
	}
}

// TestMonitorAutoStartOnce: many commands finding no monitor at once
// (a script's burst, several terminals) start one between them, not one
// each: the first takes the right to start it, the others see it taken.
func TestMonitorAutoStartOnce(t *testing.T) {
	root := t.TempDir()
	if out, err := exec.Command("git", "-C", root, "init", "-q").CombinedOutput(); err != nil {
		t.Fatalf("git init: %v %s", err, out)
	}
	if out, err := exec.Command("git", "-C", root, "config", "opsbook.monitor", "true").CombinedOutput(); err != nil {
		t.Fatalf("git config: %v %s", err, out)
	}
	dir := filepath.Join(root, ".git", "opsbook")
	var started atomic.Int32
	defer func(was func(string, string, *os.File) error) { spawnMonitor = was }(spawnMonitor)
	spawnMonitor = func(exe, root string, log *os.File) error { started.Add(1); return nil }
	for round := 0; round < 5; round++ {
		// the last start long ago
		old := time.Now().Add(-2 * autoStartBackoff)
		if round > 0 {
			if err := os.Chtimes(filepath.Join(dir, startedName), old, old); err != nil {
				t.Fatal(err)
			}
		}
		started.Store(0)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := 0; i < 32; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				startMonitorIfAsked(root, dir)
			}()
		}
		close(gate)
		wg.Wait()
		if n := started.Load(); n != 1 {
			t.Fatalf("round %d: 32 commands at once started %d monitors, want 1", round, n)
		}
	}
}
