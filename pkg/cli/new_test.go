package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// sampleRepo copies the sample department into a new git repository whose
// identity is email, and returns its root.
func sampleRepo(t *testing.T, email string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{"records", "attachments", ".opsbook.yaml"} {
		if err := exec.Command("cp", "-r", filepath.Join(sampleDir(), p), dir).Run(); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range [][]string{
		{"init", "-q", "-b", "main"}, {"config", "user.name", "Li Wei"}, {"config", "user.email", email},
		{"config", "commit.gpgsign", "false"}, {"add", "-A"}, {"commit", "-q", "-m", "sample"},
	} {
		cmd := exec.Command("git", a...)
		cmd.Dir = dir
		// dated like the tests' OPSBOOK_NOW: a write refuses a moment
		// before the commit it follows
		cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir,
			"GIT_AUTHOR_DATE=2026-11-26T14:00:00+08:00", "GIT_COMMITTER_DATE=2026-11-26T14:00:00+08:00")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", a, err, out)
		}
	}
	return dir
}

func runIn(t *testing.T, dir string, tty bool, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), InTTY: tty, OutTTY: tty, NoColor: true,
		Getenv: func(k string) string {
			if v, ok := env[k]; ok || k != "LANG" {
				return v
			}
			return "en_US.UTF-8"
		}}
	code := Run(context.Background(), append([]string{"-C", dir}, args...), io)
	return out.String(), errb.String(), code
}

func TestNewOpensTheEditorOnATerminalWhenFieldsAreMissing(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := sampleRepo(t, "li.wei@example.com")
	t.Setenv("HOME", dir)
	seen := filepath.Join(dir, "..", "seen.yaml")
	editor := filepath.Join(dir, "..", "ed.sh")
	script := "#!/bin/sh\ncp \"$1\" " + seen + "\nsed -i -e 's/^title: .*/title: 打印海報/' \"$1\"\nprintf 'category: marketing\\namount: 280.00\\n' >> \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"EDITOR": editor, "OPSBOOK_NOW": "2026-11-26T15:00:00+08:00"}

	out, errs, code := runIn(t, dir, true, env, "new", "expense")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	shown, _ := os.ReadFile(seen)
	for _, want := range []string{bannerStart, "a new expense needs these fields", "#|   title:", "#|   category:", "#|   amount:", bannerEnd} {
		if !strings.Contains(string(shown), want) {
			t.Errorf("the editor was not shown %q:\n%s", want, shown)
		}
	}
	id := strings.TrimSpace(out)
	data, err := os.ReadFile(filepath.Join(dir, "records", "expenses", "2026", id+".yaml"))
	if err != nil {
		t.Fatalf("%s not written: %v", id, err)
	}
	if strings.Contains(string(data), "#|") || !strings.Contains(string(data), "amount: 280.00") {
		t.Errorf("record:\n%s", data)
	}

	// not a terminal: today's error naming the missing fields, nothing written
	os.Remove(seen)
	_, errs, code = runIn(t, dir, false, env, "new", "expense")
	if code == 0 || !strings.Contains(errs, "category") || !strings.Contains(errs, "amount") {
		t.Errorf("without a terminal: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(seen); err == nil {
		t.Error("the editor was opened without a terminal")
	}

	// on a terminal with every field given: no editor
	_, errs, code = runIn(t, dir, true, env, "new", "expense", "--set", "title=紙", "--set", "category=office", "--set", "amount=12.00")
	if code != 0 {
		t.Fatalf("with --set: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(seen); err == nil {
		t.Error("the editor was opened although nothing was missing")
	}
}

// TestMissingBannerInChinese: the fields a new record still needs are named
// by their words in Chinese, not by the schema's English descriptions.
func TestMissingBannerInChinese(t *testing.T) {
	defer i18n.Set(i18n.English)
	i18n.Set(i18n.Chinese)
	missing, err := change.MustGive(record.StatusReport)
	if err != nil {
		t.Fatal(err)
	}
	got := missingBanner(record.StatusReport, missing)
	if !strings.Contains(got, "#|   title: 標題\n") || strings.Contains(got, "Short title") {
		t.Errorf("banner:\n%s", got)
	}
}
