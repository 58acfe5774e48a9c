package cli

import (
	"bytes"
	"context"
	"github.com/opsbook/opsbook/pkg/record"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/opsbook/opsbook/pkg/i18n"
)

// runEnv runs opsbook in dir with exactly env as its environment.
func runEnv(t *testing.T, dir string, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	defer i18n.Set(i18n.English)
	var out, errb bytes.Buffer
	io := &Streams{Out: &out, Err: &errb, In: strings.NewReader(""), NoColor: true,
		Getenv: func(k string) string { return env[k] }}
	code := Run(context.Background(), append([]string{"-C", dir}, args...), io)
	return out.String(), errb.String(), code
}

const (
	showUsageEN = "show needs one record id"
	showUsageZH = "show 需要一個紀錄編號"
)

// The language: --lang, else LC_ALL/LC_MESSAGES/LANG when they name one
// opsbook speaks, else the policy's language (the sample: zh-Hant), else
// English.
func TestLanguageChoice(t *testing.T) {
	sample := sampleDir()
	plain := t.TempDir() // a repository whose policy says nothing
	os.WriteFile(filepath.Join(plain, ".opsbook.yaml"), []byte("currency: CNY\n"), 0o644)
	os.MkdirAll(filepath.Join(plain, "records"), 0o755)
	for _, c := range []struct {
		name string
		dir  string
		env  map[string]string
		args []string
		want string
	}{
		{"policy zh-Hant, no locale", sample, nil, nil, showUsageZH},
		{"policy zh-Hant, LANG=C", sample, map[string]string{"LANG": "C.UTF-8"}, nil, showUsageZH},
		{"policy zh-Hant, LC_ALL=POSIX", sample, map[string]string{"LC_ALL": "POSIX", "LANG": "en_US.UTF-8"}, nil, showUsageZH},
		{"LANG English beats the policy", sample, map[string]string{"LANG": "en_US.UTF-8"}, nil, showUsageEN},
		{"LANG French names nothing we speak", sample, map[string]string{"LANG": "fr_FR.UTF-8"}, nil, showUsageZH},
		{"LC_MESSAGES beats LANG", sample, map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_HK.UTF-8"}, nil, showUsageZH},
		{"--lang beats LANG", sample, map[string]string{"LANG": "zh_TW.UTF-8"}, []string{"--lang", "en"}, showUsageEN},
		{"--lang= form", sample, nil, []string{"--lang=en"}, showUsageEN},
		{"--lang after the command", sample, map[string]string{"LANG": "en_US.UTF-8"}, []string{"show", "--lang", "zh-Hant"}, showUsageZH},
		{"no policy key: English", plain, nil, nil, showUsageEN},
		{"no policy key, LANG zh_TW", plain, map[string]string{"LANG": "zh_TW.UTF-8"}, nil, showUsageZH},
	} {
		args := c.args
		if len(args) == 0 || args[0] != "show" {
			args = append(args, "show")
		}
		_, errs, code := runEnv(t, c.dir, c.env, args...)
		if code != ExitUsage || !strings.Contains(errs, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want %q", c.name, code, errs, c.want)
		}
	}
}

func TestLangFlagRefusesALanguageOpsbookDoesNotSpeak(t *testing.T) {
	for _, args := range [][]string{{"--lang", "fr", "summary"}, {"summary", "--lang=klingon"}, {"--lang", "C", "summary"}} {
		out, errs, code := runEnv(t, sampleDir(), map[string]string{"LANG": "en_US.UTF-8"}, args...)
		if code != ExitUsage || out != "" || !strings.Contains(errs, "is not a language opsbook speaks") {
			t.Errorf("%v: exit %d, out %q, stderr %q", args, code, out, errs)
		}
	}
}

func TestScanLangArgs(t *testing.T) {
	for _, c := range []struct {
		args      []string
		lang, dir string
		has       bool
	}{
		{[]string{"summary"}, "", ".", false},
		{[]string{"-C", "x", "--lang", "en"}, "en", "x", true},
		{[]string{"-Cx", "--lang=zh-Hant"}, "zh-Hant", "x", true},
		{[]string{"--dir=y", "list", "expense"}, "", "y", false},
		{[]string{"--dir", "y", "--", "--lang", "en"}, "", "y", false},
	} {
		lang, dir, has := scanLangArgs(c.args)
		if lang != c.lang || dir != c.dir || has != c.has {
			t.Errorf("%v: %q %q %v", c.args, lang, dir, has)
		}
	}
}

// In Chinese every command's one-line description, as `opsbook --help`
// lists it, is Chinese: a Short left untranslated shows up in English in
// the middle of the Chinese command list.
func TestEveryCommandsShortIsTranslated(t *testing.T) {
	i18n.Set(i18n.Chinese)
	defer i18n.Set(i18n.English)
	root := NewRoot(&Streams{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, In: strings.NewReader(""), NoColor: true,
		Getenv: func(string) string { return "" }})
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Short != "" && !c.Hidden && !strings.ContainsFunc(c.Short, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("%s: Short %q has no Chinese", c.CommandPath(), c.Short)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// cobra's own usage errors (an unknown command or flag) reach a Chinese
// reader in Chinese, with the suggestions kept; in English as cobra says.
func TestCobraUsageErrorsInTheReadersLanguage(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		args []string
		want []string
	}{
		{nil, []string{"lst"}, []string{`opsbook: "opsbook" 沒有 "lst" 這個指令`, "你是指這個嗎？\n\tlist"}},
		{nil, []string{"report", "workk"}, []string{`"opsbook report" 沒有 "workk" 這個指令`}},
		{nil, []string{"list", "--statuss"}, []string{"不認識的選項：--statuss（請看 `opsbook list --help`）"}},
		{nil, []string{"list", "-z"}, []string{"不認識的短選項 'z'（在 -z 中）"}},
		{nil, []string{"list", "--where"}, []string{"選項 --where 需要一個值"}},
		{nil, []string{"new"}, []string{"這個指令要 1 個參數，收到 0 個"}},
		{nil, []string{"list", "expense", "--limit", "abc"}, []string{`選項 -n, --limit 要整數，不是 "abc"（請看 ` + "`opsbook list --help`）"}},
		{nil, []string{"list", "expense", "--redact=maybe"}, []string{`選項 --redact 要 true 或 false，不是 "maybe"`}},
		{nil, []string{"set", "EXP-2026-0027", "title=x", "--wait", "abc"}, []string{`選項 --wait："abc" 不是時間長度`}},
		{nil, []string{"renumber", "EXP-2026-0001"}, []string{"這個指令要 2 個參數，收到 1 個"}},
		{nil, []string{"attach", "EXP-2026-0001"}, []string{"這個指令至少要 2 個參數，只收到 1 個"}},
		{nil, []string{"verify", "a", "b"}, []string{"這個指令最多接受 1 個參數，收到 2 個"}},
		{nil, []string{"attachment", "a", "b", "c"}, []string{"這個指令要 1 到 2 個參數，收到 3 個"}},
		{map[string]string{"LANG": "en_US.UTF-8"}, []string{"lst"}, []string{`unknown command "lst" for "opsbook"`, "Did you mean this?"}},
		{map[string]string{"LANG": "en_US.UTF-8"}, []string{"list", "--statuss"}, []string{"unknown flag: --statuss (see `opsbook list --help`)"}},
	} {
		out, errs, code := runEnv(t, sampleDir(), c.env, c.args...)
		if code != ExitUsage || out != "" {
			t.Errorf("%v: exit %d, stdout %q", c.args, code, out)
		}
		for _, w := range c.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, errs, w)
			}
		}
	}
}

// Help is in the chosen language too: cobra's headings, the commands' lines
// and the flags; English help keeps cobra's own words.
func TestHelpInBothLanguages(t *testing.T) {
	out, _, code := runEnv(t, sampleDir(), map[string]string{"LANG": "zh_TW.UTF-8"}, "list", "--help")
	for _, want := range []string{"用法：", "選項：", "全域選項：", "list 的說明", "最多顯示 N 筆紀錄（0：全部）"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("zh help lacks %q (exit %d):\n%s", want, code, out)
		}
	}
	out, _, _ = runEnv(t, sampleDir(), map[string]string{"LANG": "zh_TW.UTF-8"}, "--help")
	if !strings.Contains(out, "一個畫面看全部門：從這裡開始") || !strings.Contains(out, "用 \"opsbook [指令] --help\" 查看指令的詳細說明。") {
		t.Errorf("zh root help:\n%s", out)
	}
	out, _, _ = runEnv(t, sampleDir(), map[string]string{"LANG": "en_US.UTF-8"}, "list", "--help")
	for _, want := range []string{"Usage:", "Flags:", "Global Flags:", "help for list", "show at most N records (0: all)"} {
		if !strings.Contains(out, want) {
			t.Errorf("en help lacks %q:\n%s", want, out)
		}
	}
	// the language flag after --help, either language first
	for _, env := range []string{"en_US.UTF-8", "zh_TW.UTF-8"} {
		for _, lang := range []string{"en", "zh-Hant"} {
			out, errs, code := runEnv(t, sampleDir(), map[string]string{"LANG": env}, "--help", "--lang", lang)
			if code != 0 || !strings.Contains(out, "opsbook") || errs != "" {
				t.Errorf("LANG=%s --help --lang %s: exit %d\n%s%s", env, lang, code, out, errs)
			}
		}
	}
}

// Outside any repository (or -C to a folder that is not there), a reader
// whose locale is Chinese is told so in Chinese: the first error a
// newcomer may meet.
func TestNoRepositoryInTheReadersLanguage(t *testing.T) {
	empty := t.TempDir()
	zh := map[string]string{"LANG": "zh_TW.UTF-8"}
	_, errs, code := runEnv(t, empty, zh, "summary")
	if code != ExitUsage || !strings.Contains(errs, "這裡不是 opsbook 儲存庫（") || !strings.Contains(errs, "可用 `opsbook init` 建立一個") {
		t.Errorf("exit %d: %q", code, errs)
	}
	_, errs, code = runEnv(t, filepath.Join(empty, "nope"), zh, "list", "expense")
	if code != ExitUsage || !strings.Contains(errs, "這裡不是 opsbook 儲存庫：沒有 ") || strings.Contains(errs, "no such file") {
		t.Errorf("exit %d: %q", code, errs)
	}
	_, errs, _ = runEnv(t, empty, map[string]string{"LANG": "en_US.UTF-8"}, "summary")
	if !strings.Contains(errs, "not an opsbook repository (no .opsbook.yaml or .git in ") {
		t.Errorf("English: %q", errs)
	}
}

// The per-kind list of `new --help` (the fields each kind must be given)
// starts its second column in one place for every kind, training-plan and
// status-report included.
func TestHelpKindListsAligned(t *testing.T) {
	for _, cmd := range []string{"new"} {
		out, _, code := runEnv(t, sampleDir(), map[string]string{"LANG": "en_US.UTF-8"}, cmd, "--help")
		if code != 0 {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		cols := map[int][]string{}
		for _, line := range strings.Split(out, "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || !strings.HasPrefix(line, "  ") || strings.HasPrefix(line, "   ") {
				continue
			}
			kind := f[0]
			if k, err := record.ParseKind(kind); err != nil || string(k) != kind {
				continue
			}
			at := strings.Index(line[2+len(kind):], f[1]) + 2 + len(kind)
			cols[at] = append(cols[at], kind)
		}
		if len(cols) != 1 {
			t.Errorf("%s --help: the second column starts at %v", cmd, cols)
		}
	}
}
