package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/opsbook/opsbook/pkg/cli"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/monitor"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	// Test builds only: OPSBOOK_TEST_CRASH_AT=STEP kills the process with
	// SIGKILL when a commit reaches STEP (see gitstore.StepHook).
	if at := os.Getenv("OPSBOOK_TEST_CRASH_AT"); at != "" {
		gitstore.StepHook = func(step string) {
			if step == at {
				p, _ := os.FindProcess(os.Getpid())
				p.Kill()
				select {}
			}
		}
	}
	// OPSBOOK_TEST_HUP_AT=STEP sends the process SIGHUP there (a closed
	// terminal) and lets it go on.
	if at := os.Getenv("OPSBOOK_TEST_HUP_AT"); at != "" {
		gitstore.StepHook = func(step string) {
			if step == at {
				p, _ := os.FindProcess(os.Getpid())
				p.Signal(syscall.SIGHUP)
				time.Sleep(200 * time.Millisecond) // let the signal arrive
			}
		}
	}
	if os.Getenv("OPSBOOK_TEST_MAIN") == "1" {
		os.Exit(cli.Main())
	}
	testscript.Main(m, map[string]func(){
		"opsbook": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: a small
// repository, the commands a user types, the output and exit status.
//
// Custom commands:
//
//	sample              copy the shipped sample department (records/,
//	                    attachments/, .opsbook.yaml) into the work folder
//	gitinit NAME EMAIL  git init, set the identity, commit everything
//	as HANDLE           commit as HANDLE (HANDLE@example.com) with plain git
//	snapshot            remember HEAD, the index, the status and every
//	                    file's content (in .git, out of the work tree)
//	unchanged           fail unless all of those are as snapshot found them
//	awaitmonitor        wait (up to 20 s) until the monitor answers
//	utf16 FILE          rewrite FILE as UTF-16LE with a byte-order mark
//	                    (utf16 -nobom FILE: without one)
func TestScripts(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	top := filepath.Join(filepath.Dir(file), "..", "..")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			env.Setenv("OPSBOOK_NOW", "2026-11-26T15:00:00+08:00")
			// Plain git commits are dated like opsbook's: verify names a
			// commit dated before its parent (commit-date).
			env.Setenv("GIT_AUTHOR_DATE", "2026-11-26T15:00:00+08:00")
			env.Setenv("GIT_COMMITTER_DATE", "2026-11-26T15:00:00+08:00")
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("TZ", "Asia/Shanghai")
			// The sample's people's private test keys (OPSBOOK_IDENTITY=$KEYS/li.wei
			// reads as li.wei); made for the tests only.
			env.Setenv("KEYS", filepath.Join(top, "cmd", "opsbook", "testdata", "keys"))
			// Scripts read English unless they set LANG (or --lang); the
			// lang_*.txtar scripts check the Chinese.
			env.Setenv("LANG", "en_US.UTF-8")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sample": func(ts *testscript.TestScript, neg bool, args []string) {
				for _, p := range []string{"records", "attachments", ".opsbook.yaml"} {
					if err := copyTree(filepath.Join(top, p), ts.MkAbs(p)); err != nil {
						ts.Fatalf("sample: %v", err)
					}
				}
			},
			"utf16": func(ts *testscript.TestScript, neg bool, args []string) {
				bom := true
				if len(args) == 2 && args[0] == "-nobom" {
					bom, args = false, args[1:]
				}
				if len(args) != 1 {
					ts.Fatalf("usage: utf16 [-nobom] FILE")
				}
				var out []byte
				if bom {
					out = append(out, 0xFF, 0xFE)
				}
				for _, u := range utf16.Encode([]rune(ts.ReadFile(args[0]))) {
					out = append(out, byte(u), byte(u>>8))
				}
				ts.Check(os.WriteFile(ts.MkAbs(args[0]), out, 0o644))
			},
			"gitinit": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: gitinit NAME EMAIL")
				}
				for _, a := range [][]string{
					{"init", "-q", "-b", "main"},
					{"config", "user.name", args[0]},
					{"config", "user.email", args[1]},
					{"config", "commit.gpgsign", "false"},
					{"add", "-A"},
					{"commit", "-q", "-m", "import the department's records"},
				} {
					ts.Check(ts.Exec("git", a...))
				}
			},
			"as": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: as HANDLE")
				}
				for _, who := range []string{"AUTHOR", "COMMITTER"} {
					ts.Setenv("GIT_"+who+"_NAME", args[0])
					ts.Setenv("GIT_"+who+"_EMAIL", args[0]+"@example.com")
				}
			},
			"snapshot": func(ts *testscript.TestScript, neg bool, args []string) {
				ts.Check(os.WriteFile(ts.MkAbs(".git/test-snapshot"), []byte(repoState(ts)), 0o644))
			},
			"awaitmonitor": func(ts *testscript.TestScript, neg bool, args []string) {
				// awaitmonitor: wait up to 20 s for the department's
				// file-system monitor to answer (one started in the
				// background may take a while on a busy machine)
				dir := ts.MkAbs(".git/opsbook")
				for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
					if _, err := monitor.StatusOf(dir); err == nil {
						return
					} else if time.Now().After(deadline) {
						ts.Fatalf("awaitmonitor: %v", err)
					}
				}
			},
			"unchanged": func(ts *testscript.TestScript, neg bool, args []string) {
				was, err := os.ReadFile(ts.MkAbs(".git/test-snapshot"))
				ts.Check(err)
				if now := repoState(ts); now != string(was) {
					ts.Fatalf("the repository changed:\n--- before\n%s\n--- after\n%s", was, now)
				}
			},
		},
	})
}

// repoState is HEAD, the index, git's status and the content of every file
// of the work tree, as text.
func repoState(ts *testscript.TestScript) string {
	var b strings.Builder
	for _, args := range [][]string{{"rev-parse", "HEAD"}, {"ls-files", "-s"}, {"status", "--porcelain", "--untracked-files=all"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = ts.MkAbs(".")
		out, err := cmd.Output()
		ts.Check(err)
		b.Write(out)
	}
	root := ts.MkAbs(".")
	ts.Check(filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.IsDir() && info.Name() == ".git" {
			return filepath.SkipDir
		}
		if info.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&b, "%s %x\n", p[len(root):], sha256.Sum256(data))
		}
		return nil
	}))
	return b.String()
}

func copyTree(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
