package render

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/i18n"
	"golang.org/x/text/language"
)

func testPage() *Page {
	t := &Table{Headers: []string{"CATEGORY", "USED %"}, Right: map[int]bool{1: true}}
	t.Add("市場推廣 <b>", "45.0")
	t.Add("travel & co", "120.0")
	return &Page{
		Title: `Budget <script>alert("x")</script>`,
		Lines: []string{"a & b"},
		Sections: []Section{
			{Title: "By category", Table: t, Bars: []float64{45, 120}, Warn: []bool{false, true},
				Chart: &Chart{Kind: PieChart, Items: []ChartItem{{Label: "市場推廣 <b>", Value: 3}, {Label: "travel", Value: 1}}}},
			{Title: "Months", Chart: &Chart{Kind: BarChart, Items: []ChartItem{{Label: "2026-01", Value: 2, Text: "2.00"}, {Label: "2026-02", Value: 0}}},
				Table: &Table{Headers: []string{"X"}}, Empty: "Nothing </p> here."},
			{Title: "One slice", Chart: &Chart{Kind: PieChart, Items: []ChartItem{{Label: "all", Value: 5}}}},
		},
	}
}

func TestWriteHTMLSelfContainedAndEscaped(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, testPage(), "footer <i>"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"<!DOCTYPE html>", "<style>", "<svg", "<path d=\"M", "<circle", // pie slices and a full circle
		"Budget &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;",
		"市場推廣 &lt;b&gt;", "travel &amp; co", "a &amp; b", "Nothing &lt;/p&gt; here.", "footer &lt;i&gt;",
		`<tr class="warn">`, `width="100%"`, `aria-label="120%"`, ">2.00<",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<b>", "<i>", "src=", "href=", "@import", "url(", "@font-face"} {
		if strings.Contains(out, bad) {
			t.Errorf("HTML holds %q: not escaped or not self-contained", bad)
		}
	}
	if n := strings.Count(out, "http"); n != strings.Count(out, "http://www.w3.org/2000/svg") {
		t.Errorf("HTML refers to something besides the SVG namespace (%d http)", n)
	}
}

func TestWriteHTMLFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTMLFile(path, testPage(), ""); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(data, []byte("<svg")) {
		t.Fatalf("report.html = %.40q, %v", data, err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// A folder that does not exist: an error naming the file, nothing written.
	if err := WriteHTMLFile(filepath.Join(dir, "no", "r.html"), testPage(), ""); err == nil || !strings.Contains(err.Error(), "r.html") {
		t.Errorf("writing into a missing folder: %v", err)
	}
}

func TestWritePageText(t *testing.T) {
	var piped, tty bytes.Buffer
	if err := WritePage(&piped, testPage(), false, Colors{}); err != nil {
		t.Fatal(err)
	}
	if err := WritePage(&tty, testPage(), true, Colors{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	p := piped.String()
	if !strings.Contains(p, "CATEGORY\tUSED %\n市場推廣 <b>\t45.0\n") {
		t.Errorf("piped output is not tab-separated:\n%s", p)
	}
	if strings.Contains(p, "█") || strings.Contains(p, "\x1b[") {
		t.Errorf("piped output has bars or colour:\n%s", p)
	}
	if !strings.Contains(p, "Nothing </p> here.") {
		t.Errorf("empty section not said:\n%s", p)
	}
	s := tty.String()
	if !strings.Contains(s, "█") || !strings.Contains(s, "!") {
		t.Errorf("terminal output lacks bars (and the over-100 mark):\n%s", s)
	}
	if !strings.Contains(s, "\x1b[31m") {
		t.Errorf("terminal output does not colour the warned row:\n%s", s)
	}
	var md bytes.Buffer
	if err := WritePageMarkdown(&md, testPage()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "## By category\n\n| CATEGORY | USED % |\n| --- | ---: |\n") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

func TestHTMLOnlyToHTMLFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "EXP-2026-0001.yaml")
	os.WriteFile(p, []byte("kind: expense\n"), 0o644)
	if err := WriteHTMLFile(p, &Page{Title: "x"}, ""); err == nil {
		t.Fatal("wrote a page over a record")
	}
	if b, _ := os.ReadFile(p); string(b) != "kind: expense\n" {
		t.Fatal("record changed")
	}
}

// The page says its language, the one its labels are in.
func TestHTMLLangIsTheReadersLanguage(t *testing.T) {
	defer i18n.Set(i18n.English)
	for tag, want := range map[language.Tag]string{i18n.English: `<html lang="en">`, i18n.Chinese: `<html lang="zh-Hant">`} {
		i18n.Set(tag)
		var b strings.Builder
		if err := WriteHTML(&b, &Page{Title: "x", Sections: []Section{{Table: &Table{Headers: Headers("ID", "STATE"), Rows: [][]string{{"a", "b"}}}}}}, ""); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%v: no %s in\n%s", tag, want, b.String())
		}
		if tag == i18n.Chinese && !strings.Contains(b.String(), "<th>狀態</th>") {
			t.Errorf("headers not translated:\n%s", b.String())
		}
	}
}

// Writing into a folder that is not there names the folder, not the
// temporary file the reader never gave.
func TestWriteFileAtomicIntoNoFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope", "x.html")
	err := WriteFileAtomic(path, []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "there is no folder "+filepath.Dir(path)) || strings.Contains(err.Error(), ".tmp") {
		t.Errorf("err = %v", err)
	}
}

// A record's text in a Markdown table or page stays text: no HTML, no
// link or image, no cell ended early.
func TestMarkdownKeepsTextAsText(t *testing.T) {
	evil := `<img src=x onerror=alert(1)> ![t](https://evil.example/p.png) [click](javascript:x) a|b`
	var b strings.Builder
	if err := WriteMarkdown(&b, &Table{Headers: []string{"title"}, Rows: [][]string{{evil}}}); err != nil {
		t.Fatal(err)
	}
	if err := WritePageMarkdown(&b, &Page{Title: evil, Lines: []string{evil}, Sections: []Section{{Title: evil, Lines: []string{evil}}}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<img", "![t](", "[click](", "a|b"} {
		if strings.Contains(out, bad) {
			t.Errorf("Markdown keeps %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, `&lt;img src=x onerror=alert(1)&gt; !\[t\](https://evil.example/p.png)`) || !strings.Contains(out, `a\|b`) {
		t.Errorf("the text is not kept readable:\n%s", out)
	}
}

// A backslash in a record's text does not undo the escaping that follows
// it: `\[` would become `\\[`, a backslash and a bracket that opens a
// link, and `\|` a backslash and a bar that ends the cell. An entity
// typed in the text stays as typed (`&lt;` is not shown as `<`).
func TestMarkdownBackslashKeepsEscapes(t *testing.T) {
	evil := `\[click\](https://evil.example) a\|b \<b\> &lt;i&gt;`
	unescaped := func(s string) []string {
		var bad []string
		for i := 0; i < len(s); i++ {
			if !strings.ContainsRune("[]|<>", rune(s[i])) {
				continue
			}
			n := 0
			for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
				n++
			}
			if n%2 == 0 {
				bad = append(bad, s[max(0, i-4):i+1])
			}
		}
		return bad
	}
	var b strings.Builder
	if err := WritePageMarkdown(&b, &Page{Title: evil, Lines: []string{evil}}); err != nil {
		t.Fatal(err)
	}
	if bad := unescaped(b.String()); len(bad) > 0 {
		t.Errorf("page: unescaped %q in:\n%s", bad, b.String())
	}
	if !strings.Contains(b.String(), "&amp;lt;i&amp;gt;") {
		t.Errorf("page: an entity typed is not kept as typed:\n%s", b.String())
	}
	b.Reset()
	if err := WriteMarkdown(&b, &Table{Headers: []string{"title"}, Rows: [][]string{{evil}}}); err != nil {
		t.Fatal(err)
	}
	row := strings.Split(strings.TrimSpace(b.String()), "\n")[2]
	if bad := unescaped(strings.TrimSuffix(strings.TrimPrefix(row, "| "), " |")); len(bad) > 0 {
		t.Errorf("table: unescaped %q in:\n%s", bad, b.String())
	}
}
