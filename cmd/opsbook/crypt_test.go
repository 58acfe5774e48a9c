package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/opsbook/opsbook/pkg/cli"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/record"
)

// TestNoClearValueWithoutKey runs every reading command over the shipped
// sample without any key and checks that none of the sample's confidential
// values (every clear value the director's test key opens, that the files
// do not also hold in clear elsewhere) appears in any output.
func TestNoClearValueWithoutKey(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	top := filepath.Join(filepath.Dir(file), "..", "..")
	dir := t.TempDir()
	for _, p := range []string{"records", "attachments", ".opsbook.yaml"} {
		if err := copyTree(filepath.Join(top, p), filepath.Join(dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("HOME", t.TempDir()) // no ~/.ssh
	t.Setenv(crypt.IdentityEnv, "")
	t.Setenv("OPSBOOK_NOW", "2026-11-26T15:00:00+08:00")

	director, err := crypt.ReadIdentity(filepath.Join("testdata", "keys", "wang.fang"), nil)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := record.Load(context.Background(), dir, "records")
	if err != nil {
		t.Fatal(err)
	}
	var files strings.Builder
	var secrets []string
	for _, rec := range recs {
		data, err := os.ReadFile(filepath.Join(dir, rec.Path))
		if err != nil {
			t.Fatal(err)
		}
		files.Write(data)
		for _, p := range crypt.Ciphertexts(rec) {
			v, _ := rec.Get(p)
			clear, err := director.Open(p, v.(string))
			if err != nil {
				t.Fatalf("%s %s: the director cannot open it: %v", rec.ID, p, err)
			}
			secrets = append(secrets, leaves(clear)...)
		}
	}
	var checked []string
	for _, s := range secrets {
		if utf8.RuneCountInString(s) >= 4 && !strings.Contains(files.String(), s) {
			checked = append(checked, s)
		}
	}
	if len(checked) < 40 {
		t.Fatalf("only %d confidential values to look for: %q", len(checked), checked)
	}

	var cmds [][]string
	for _, ki := range record.Kinds {
		cmds = append(cmds, []string{"list", ki.Plural}, []string{"list", ki.Plural, "-o", "json"})
	}
	for _, rec := range recs {
		cmds = append(cmds, []string{"show", rec.ID}, []string{"show", rec.ID, "-o", "yaml"}, []string{"readers", rec.ID, "-o", "json"})
	}
	for _, r := range []string{"budget", "complaints", "appraisals", "projects", "plans", "training", "customers", "tasks"} {
		cmds = append(cmds, []string{"report", r, "-o", "json"}, []string{"report", r})
	}
	cmds = append(cmds, []string{"summary"}, []string{"summary", "-o", "json"}, []string{"validate", "-o", "json"}, []string{"config"})
	var out bytes.Buffer
	for _, c := range cmds {
		var o, e bytes.Buffer
		io := &cli.Streams{In: strings.NewReader(""), Out: &o, Err: &e, Getenv: os.Getenv}
		code := cli.Run(context.Background(), append([]string{"-C", dir}, c...), io)
		if code != 0 && c[0] != "validate" {
			t.Errorf("opsbook %s: exit %d: %s", strings.Join(c, " "), code, e.String())
		}
		out.Write(o.Bytes())
		out.Write(e.Bytes())
	}
	text := out.String()
	if !strings.Contains(text, crypt.Marker) {
		t.Fatal("no output shows an encrypted field")
	}
	for _, s := range checked {
		if strings.Contains(text, s) {
			t.Errorf("a confidential value shows without a key: %q", s)
		}
	}
	if strings.Contains(text, "BEGIN AGE ENCRYPTED FILE") {
		t.Error("an output shows a ciphertext")
	}
}

// leaves returns the text of every scalar of a plain value.
func leaves(v any) []string {
	switch t := v.(type) {
	case record.Map:
		var out []string
		for _, f := range t {
			out = append(out, leaves(f.Value)...)
		}
		return out
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, leaves(x)...)
		}
		return out
	}
	return []string{record.Text(v)}
}
