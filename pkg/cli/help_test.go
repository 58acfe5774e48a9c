package cli

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/mattn/go-runewidth"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/query"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/workflow"
)

func hasHan(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
}

// commandTree builds the command tree in lang, as Run does after choosing
// the language, with cobra's help and completion commands in place and
// every Long built (as help builds the one it shows).
func commandTree(t *testing.T, lang string) *cobra.Command {
	t.Helper()
	tag, _ := i18n.Parse(lang)
	i18n.Set(tag)
	t.Cleanup(func() { i18n.Set(i18n.English) })
	root := NewRoot(&Streams{Out: &bytes.Buffer{}, Err: &bytes.Buffer{}, In: strings.NewReader(""), NoColor: true,
		Getenv: func(string) string { return "" }})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	walkCommands(root, fillLong)
	return root
}

func walkCommands(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		walkCommands(sub, f)
	}
}

// In Chinese every command's longer description (the paragraphs of
// `opsbook CMD --help` above its usage) is Chinese: a Long that does not go
// through the help catalog stays English in the middle of Chinese help.
func TestEveryCommandsLongIsTranslated(t *testing.T) {
	n := 0
	walkCommands(commandTree(t, "zh-Hant"), func(c *cobra.Command) {
		if c.Hidden {
			return
		}
		if c.Long == "" {
			t.Errorf("%s: no Long", c.CommandPath())
			return
		}
		n++
		for _, para := range strings.Split(c.Long, "\n\n") {
			if hasHan(para) || strings.TrimSpace(para) == "" || !strings.ContainsFunc(para, unicode.IsLetter) {
				continue
			}
			// A paragraph of identifiers (the required fields of new) needs
			// no words; one with an English sentence does.
			if strings.Contains(para, ". ") || strings.Contains(para, " the ") {
				t.Errorf("%s: Long has a paragraph in English:\n%s", c.CommandPath(), para)
			}
		}
		if !hasHan(c.Long) {
			t.Errorf("%s: Long has no Chinese:\n%s", c.CommandPath(), c.Long)
		}
	})
	if n < 60 {
		t.Fatalf("walked %d commands; the tree is not what the test expects", n)
	}
}

// A Chinese Long fits an 80-column terminal (a CJK character takes two
// columns), as the English one is written to.
func TestChineseLongFitsEightyColumns(t *testing.T) {
	walkCommands(commandTree(t, "zh-Hant"), func(c *cobra.Command) {
		for i, line := range strings.Split(c.Long, "\n") {
			if w := runewidth.StringWidth(line); w > 80 && hasHan(line) {
				t.Errorf("%s: line %d of Long is %d columns wide: %s", c.CommandPath(), i+1, w, line)
			}
		}
	})
}

// English help is what it was before the Longs went through the catalog:
// the key is the English text, so English readers see it unchanged.
func TestEnglishLongIsTheKey(t *testing.T) {
	root := commandTree(t, "en")
	for _, c := range []struct {
		path []string
		want string
	}{
		{[]string{"set"}, "Set changes fields of a record: FIELD is a dotted path (resolution.solution,\n"},
		{[]string{"set"}, "selecting more than 20 records needs --yes (a terminal asks)."},
		{[]string{"list"}, "Derived fields:\n  "},
		{[]string{"list"}, "  complaint  response_time      duration  acknowledged_at − received_at (absent until acknowledged)\n"},
		{[]string{"approve"}, "Approve makes the workflow move named \"approve\" on the record ID"},
		{[]string{"move"}, "terminal asks).\n\nExit status:\n  0   done"},
	} {
		cmd, _, err := root.Find(c.path)
		if err != nil || !strings.Contains(cmd.Long, c.want) || hasHan(cmd.Long) {
			t.Errorf("%v: English Long lacks %q:\n%s", c.path, c.want, cmd.Long)
		}
	}
}

// The exit statuses close every command's help after a blank line, as
// a paragraph of their own, in both languages.
func TestExitStatusesAreAParagraph(t *testing.T) {
	for _, lang := range []string{"en", "zh-Hant"} {
		root := commandTree(t, lang)
		var walk func(c *cobra.Command)
		walk = func(c *cobra.Command) {
			for _, head := range []string{"Exit status:", "結束狀態："} {
				if i := strings.Index(c.Long, head); i > 0 && !strings.HasSuffix(c.Long[:i], "\n\n") {
					t.Errorf("%s %s: no blank line before %q:\n%s", lang, c.CommandPath(), head, c.Long[max(0, i-80):i+len(head)])
				}
			}
			for _, sub := range c.Commands() {
				walk(sub)
			}
		}
		walk(root)
	}
}

// Every derived field says what it is in Chinese in `list --help`: a field
// added without its "derived" term would be listed in English.
func TestEveryDerivedFieldHasChineseDoc(t *testing.T) {
	i18n.Set(i18n.Chinese)
	defer i18n.Set(i18n.English)
	n := 0
	for _, ki := range record.Kinds {
		for _, d := range query.DerivedFields(ki.Kind) {
			n++
			key := string(ki.Kind) + "." + d.Name
			if zh := i18n.Term("derived", key); zh == key || !hasHan(zh) {
				t.Errorf("derived field %s has no Chinese description (terms.zh-Hant.yaml, derived.%s)", key, key)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d derived fields", n)
	}
	help := derivedHelp()
	if !strings.Contains(help, "  complaint  response_time      duration  acknowledged_at − received_at\n"+strings.Repeat(" ", 42)+"（確認前無值）\n") {
		t.Errorf("the derived fields in Chinese:\n%s", help)
	}
}

func TestWrapCells(t *testing.T) {
	for _, c := range []struct {
		text  string
		width int
		want  string
	}{
		{"短的一行", 38, "短的一行"},
		// at the opening mark, not after it
		{"acknowledged_at − received_at（確認前無值）", 38, "acknowledged_at − received_at\n>（確認前無值）"},
		// after a comma in the line's second half
		{"參加者的平均評分，兩位小數（沒有評分時無值）", 30, "參加者的平均評分，兩位小數\n>（沒有評分時無值）"},
		// a mark rather than a later space
		{"首次回應或解決的 SLA 已逾時（與 validate 的警告相同）", 38, "首次回應或解決的 SLA 已逾時\n>（與 validate 的警告相同）"},
		// between CJK characters when there is no mark, never inside ASCII
		{"一二三四五六七八九十一二三四五六七八九十", 20, "一二三四五六七八九十\n>一二三四五六七八九十"},
		{"未完成 receipt_required_above 的", 20, "未完成\n>receipt_required_above\n>的"},
	} {
		if got := wrapCells(c.text, c.width, ">"); got != c.want {
			t.Errorf("wrapCells(%q, %d) =\n%s\nwant\n%s", c.text, c.width, got, c.want)
		}
	}
}

// show names every field of the sample's records in Chinese, each part of
// its path: a field whose key has no term shows its English key in the
// middle of a Chinese label (推廣·channels). Acronyms (KPI, SHA-256) are
// words of both languages.
func TestShowNamesEverySampleFieldInChinese(t *testing.T) {
	i18n.Set(i18n.Chinese)
	defer i18n.Set(i18n.English)
	recs, _, err := record.Load(context.Background(), sampleDir(), "records")
	if err != nil || len(recs) < 50 {
		t.Fatalf("loading the sample: %d records, %v", len(recs), err)
	}
	seen := map[string]bool{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case record.Map:
			for _, f := range v {
				p := f.Key
				if path != "" {
					p = path + "." + f.Key
				}
				walk(p, f.Value)
			}
			return
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s.%d", path, i), x)
			}
			return
		}
		// Lists are numbered, so one path per shape is enough.
		shape := regexp.MustCompile(`\.\d+`).ReplaceAllString(path, ".0")
		if seen[shape] {
			return
		}
		seen[shape] = true
		label := fieldLabel(shape)
		words, _, _ := strings.Cut(label, " (")
		if label == shape || regexp.MustCompile(`[a-z]`).MatchString(words) {
			t.Errorf("show labels %s as %q: a part of it has no Chinese (terms.zh-Hant.yaml, field)", shape, label)
		}
	}
	for _, r := range recs {
		walk("", r.Data)
	}
}

// The words cobra and pflag add to the help — a flag's default, [flags] in
// the usage line, [command] — are in the reader's language; English keeps
// cobra's.
func TestFlagWordsInTheReadersLanguage(t *testing.T) {
	out, _, code := runEnv(t, sampleDir(), map[string]string{"LANG": "zh_TW.UTF-8"}, "set", "--help")
	for _, want := range []string{"FIELD=VALUE... [選項]\n", `當作在 DIR 中啟動 opsbook（預設："."）` + "\n", "0 表示立即失敗）（預設：10s）\n", "      --note NOTE     寫進 commit 訊息的備註 NOTE\n"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("zh set --help lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "(default") || strings.Contains(out, "[flags]") {
		t.Errorf("zh set --help has cobra's English:\n%s", out)
	}
	out, _, _ = runEnv(t, sampleDir(), map[string]string{"LANG": "zh_TW.UTF-8"}, "--help")
	if !strings.Contains(out, "用法：\n  opsbook [指令]\n") {
		t.Errorf("zh root help:\n%s", out)
	}
	out, _, _ = runEnv(t, sampleDir(), map[string]string{"LANG": "en_US.UTF-8"}, "set", "--help")
	for _, want := range []string{"FIELD=VALUE... [flags]\n", `run as if opsbook was started in DIR (default ".")` + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("en set --help lacks %q:\n%s", want, out)
		}
	}
}

// Every verb's help example moves records of a kind that has the verb
// (publish a meeting's minutes, decide a violation), never a claim that
// has no such move.
func TestVerbExamplesMoveTheirKind(t *testing.T) {
	root := commandTree(t, "en")
	verbs := 0
	walkCommands(root, func(c *cobra.Command) {
		if c.GroupID != "verbs" {
			return
		}
		verbs++
		fields := strings.Fields(c.Example)
		if len(fields) < 3 {
			t.Fatalf("%s: example %q", c.Name(), c.Example)
		}
		for _, id := range []string{fields[2], fields[len(fields)-2]} {
			kind, ok := record.KindOfID(id)
			if !ok {
				t.Errorf("%s: example id %s names no kind", c.Name(), id)
				continue
			}
			has := false
			for _, m := range workflow.For(kind).Moves {
				has = has || m.Verb == c.Name()
			}
			if !has {
				t.Errorf("%s: example %s is a %s, which has no move %q:\n%s", c.Name(), id, kind, c.Name(), c.Example)
			}
		}
	})
	if verbs < 20 {
		t.Fatalf("only %d verbs", verbs)
	}
}

// In English help every flag that takes a value names it (--note NOTE,
// --email EMAIL), as the Chinese help does, never by its Go type
// (--note string).
func TestFlagValuesAreNamed(t *testing.T) {
	root := commandTree(t, "en")
	walkCommands(root, func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			name, _ := pflag.UnquoteUsage(f)
			switch name {
			case "string", "int", "duration", "strings", "stringArray", "uint", "float64":
				t.Errorf("%s --%s: its value is named %q", c.CommandPath(), f.Name, name)
			}
		})
	})
}
