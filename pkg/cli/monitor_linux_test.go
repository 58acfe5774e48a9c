//go:build linux

package cli

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
