package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"unicode/utf16"

	"github.com/opsbook/opsbook/pkg/cli"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
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
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("TZ", "Asia/Shanghai")
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
		},
	})
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
