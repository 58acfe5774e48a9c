package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/crypt"
)

// On a terminal the clear bytes never go to the screen: they go to a new
// file of mode 0600 named after the attachment, in the current folder,
// unless that folder is inside the repository.
func TestAttachmentOnATerminal(t *testing.T) {
	t.Setenv(crypt.IdentityEnv, filepath.Join(sampleDir(), "cmd", "opsbook", "testdata", "keys", "wang.fang"))
	// The test runs in pkg/cli, inside the repository: refused.
	out, errs, code := run(t, true, true, "attachment", "VIO-2026-0002", "it-report.txt")
	if code != ExitUsage || out != "" || !strings.Contains(errs, "inside the repository") {
		t.Fatalf("inside the repository: exit %d, out %q, err %q", code, out, errs)
	}
	if _, err := os.Stat("it-report.txt"); err == nil {
		os.Remove("it-report.txt")
		t.Fatal("the clear file was written into the work tree")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	out, errs, code = run(t, true, true, "attachment", "VIO-2026-0002", "it-report.txt")
	if code != 0 || out != "" {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
	fi, err := os.Stat(filepath.Join(dir, "it-report.txt"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved file: %v %v", fi, err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "it-report.txt"))
	if !strings.HasPrefix(string(b), "IT 報告") {
		t.Fatalf("saved %q", b)
	}
	// Never over an existing file.
	if _, errs, code := run(t, true, true, "attachment", "VIO-2026-0002", "it-report.txt"); code != ExitUsage || !strings.Contains(errs, "exists") {
		t.Fatalf("over an existing file: exit %d %s", code, errs)
	}
}
