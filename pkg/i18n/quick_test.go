package i18n

import (
	"io/fs"
	"maps"
	"strings"
	"testing"
)

// Every catalog file is read by the quick reader (an entry in a shape it
// does not know would slow every command in Chinese), and to the same map
// as yaml.v3 reads it.
func TestQuickCatalogAgrees(t *testing.T) {
	names, err := fs.Glob(catalogFS, "catalog/*.yaml")
	if err != nil || len(names) == 0 {
		t.Fatal(names, err)
	}
	for _, name := range names {
		b, err := catalogFS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		want, err := yamlCatalog(name, b)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := quickCatalog(b)
		if !ok {
			t.Errorf("%s: the quick reader declines it, so every command in Chinese would read it with yaml.v3 (about 10 ms slower): "+
				`write entries as "key": "text" lines, term groups as word: text under their group, long text as ? |- and : |- blocks, with spaces, no tabs`, name)
			continue
		}
		if !maps.Equal(got, want) {
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %q: quick %q, yaml.v3 %q", name, k, got[k], v)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok {
					t.Errorf("%s: %q: quick reads a key yaml.v3 does not", name, k)
				}
			}
		}
	}
}

// quickCases are catalog texts: want is the map the quick reader must give
// (yaml.v3's), or nil when it must leave the text to yaml.v3.
var quickCases = []struct {
	in   string
	want map[string]string
}{
	{"", map[string]string{}},
	{"# only a comment\n\n", map[string]string{}},
	{`"a": "b"` + "\n", map[string]string{"a": "b"}},
	{`"a": "b"`, map[string]string{"a": "b"}},
	{`"quote \" and \\ back": "line\nnext\ttab \u4e2d"` + "\n", map[string]string{"quote \" and \\ back": "line\nnext\ttab 中"}},
	{`"a": "b"   # a comment` + "\n", map[string]string{"a": "b"}},
	{`"%s is over budget by %s": "%s 超出預算 %s"` + "\n", map[string]string{"%s is over budget by %s": "%s 超出預算 %s"}},
	{"\"a#b\": \"c # d\"\n", map[string]string{"a#b": "c # d"}},
	{"\"\": \"empty key\"\n", map[string]string{"": "empty key"}},
	{"kind:\n  person: 人員\n  plan: 計畫\nstate:\n  approved: 已核准\n", map[string]string{"kind.person": "人員", "kind.plan": "計畫", "state.approved": "已核准"}},
	{"a:\n  b:\n    c: d e\n  f: g\nh: i\n", map[string]string{"a.b.c": "d e", "a.f": "g", "h": "i"}},
	{"a:\n    # indented comment\n  b: c\n", map[string]string{"a.b": "c"}},
	{"a:\n  \"true\": 是\n  yes: y\n  n: no\n  on: off\n", map[string]string{"a.true": "是", "a.yes": "y", "a.n": "no", "a.on": "off"}},
	{"a\"b: c'd\n", map[string]string{"a\"b": "c'd"}},
	{"a: Σ 權重 × 分數 / 100\nb: x:y, [z] {w} C#\n", map[string]string{"a": "Σ 權重 × 分數 / 100", "b": "x:y, [z] {w} C#"}},
	{"? |-\n  one\n\n  # not a comment\n   three\n\n: |-\n  un\n  deux\n\n\n\"z\": \"y\"\n",
		map[string]string{"one\n\n# not a comment\n three": "un\ndeux", "z": "y"}},
	{"? |-\n  key\n: \"value\"\n", map[string]string{"key": "value"}},
	{"? |-\n  key\n: plain value\n", map[string]string{"key": "plain value"}},
	{"a: |-\n  x\n  y\n# after\nb: c\n", map[string]string{"a": "x\ny", "b": "c"}},
	{"a: |\n  b\n", map[string]string{"a": "b\n"}},
	{"? |-\n  key  \n  # kept  \n: |-\n  v  \n", map[string]string{"key  \n# kept  ": "v  "}},
	{"\"\\u0000\\u000a\": \"\\uFFFD\\u00e9\"\n", map[string]string{"\x00\n": "\ufffdé"}},
	{"? |-\n\n\n  a\n\n  b\n: |\n\n  c\n", map[string]string{"\n\na\n\nb": "\nc\n"}},
	{"a: |\n  b\n\n\nc: |\n  d", map[string]string{"a": "b\n", "c": "d"}},
	{"? |\n  k\n    \tx\n: |\n  v\t\n  w\n", map[string]string{"k\n  \tx\n": "v\t\nw\n"}},
	{"a: .opsbook.yaml 無效\n", map[string]string{"a": ".opsbook.yaml 無效"}},

	// Left to yaml.v3.
	{"a: 1\n", nil},
	{"a: -1\n", nil},
	{"a: .5\n", nil},
	{"a: .\n", nil},
	{"a: .Inf\n", nil},
	{".a: b\n", nil},
	{"a: b\t\n", nil},
	{"\"a\": \"\tb\"\n", nil},
	{"a: |\n\tb\n", nil},
	{"a: |\n  \tb\n", nil},
	{"a: |\n  b\n \tc\n", nil},
	{"a: |\n  b\n  \t\n", nil},
	{"a: true\n", nil},
	{"a: null\n", nil},
	{"a: ~\n", nil},
	{"a:\n", nil},
	{"a:\nb: c\n", nil},
	{"a: 'single'\n", nil},
	{"a: &x b\n", nil},
	{"a: *x\n", nil},
	{"a: !!str b\n", nil},
	{"a: [b]\n", nil},
	{"a: {b: c}\n", nil},
	{"a: >-\n  b\n", nil},
	{"a: |-  \n  b\n", nil},
	{"a: b\n  c\n", nil},
	{"a: b: c\n", nil},
	{"a: b #c\n", nil},
	{"a: b \n", nil},
	{"a: b:\n", nil},
	{"a:  \n", nil},
	{"a:b\n", nil},
	{"\"a\":\"b\"\n", nil},
	{"\"a\" : \"b\"\n", nil},
	{"\"a\": \"b\"#c\n", nil},
	{"\"a\": \"b\" c\n", nil},
	{"\"a\": \"b\n  c\"\n", nil},
	{"\"a\": \"b\\x41\"\n", nil},
	{"\"a\": \"b\\ud800\"\n", nil},
	{"\"a\": \"b\\/\"\n", nil},
	{"\"a\": \"b\\\n", nil},
	{"\"a\": \"b\\u12\"\n", nil},
	{"\"a\"\n", nil},
	{"a: b\na: c\n", nil},
	{"a:\n  b: c\na: d\n", nil},
	{"\"a.b\": c\na:\n  b: d\n", nil},
	{"a: b\tc\n", nil},
	{"a: b\r\n", nil},
	{"\"a\": \"b\"\r\n\"c\": \"d\"\r\n", nil},
	{"a: b\u2028c\n", nil},
	{"\ufeffa: b\n", nil},
	{"a: 😀\n", nil},
	{"a: b\xffc\n", nil},
	{" a: b\n", nil},
	{"a:\n  b: c\n d: e\n", nil},
	{"a:\n  b: c\n    d: e\n", nil},
	{"- a\n", nil},
	{"---\na: b\n", nil},
	{"...\n", nil},
	{"%YAML 1.2\n---\na: b\n", nil},
	{"<<: b\n", nil},
	{"? a\n: b\n", nil},
	{"? |-\n  a\n:\n  b: c\n", nil},
	{"? |-\n  a\n# c\n: b\n", nil},
	{"? |-\n  \n  a\n: b\n", nil},
	{"? |-\n   \n  a\n: b\n", nil},
	{"a: |-\n\n", nil},
	{"a: |-\n\nb: c\n", nil},
	{"? |-\na\n: b\n", nil},
	{"? |-\n  a\n  \n: b\n", nil},
	{"? |-\n", nil},
	{"a: |-\n", nil},
	{"a:\n  b: |-\n  c\n", nil},
	{"\"" + strings.Repeat("k", 1100) + "\": v\n", nil},
}

func TestQuickCatalogCases(t *testing.T) {
	for _, c := range quickCases {
		got, ok := quickCatalog([]byte(c.in))
		if c.want == nil {
			if ok {
				t.Errorf("%q: read as %q; it should be left to yaml.v3", c.in, got)
			}
			continue
		}
		if !ok {
			t.Errorf("%q: declined; want %q", c.in, c.want)
			continue
		}
		if !maps.Equal(got, c.want) {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
		// The expectations are yaml.v3's own.
		if y, err := yamlCatalog("case", []byte(c.in)); err != nil || !maps.Equal(y, c.want) {
			t.Errorf("%q: yaml.v3 reads %q (%v), the case says %q", c.in, y, err, c.want)
		}
	}
}

// Whatever the quick reader reads, yaml.v3 reads alike.
func FuzzQuickCatalog(f *testing.F) {
	for _, c := range quickCases {
		f.Add([]byte(c.in))
	}
	names, _ := fs.Glob(catalogFS, "catalog/*.yaml")
	for _, name := range names {
		b, _ := catalogFS.ReadFile(name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		got, ok := quickCatalog(in)
		if !ok {
			return
		}
		want, err := yamlCatalog("fuzz", in)
		if err != nil {
			t.Fatalf("%q: quick reads %q, yaml.v3 fails: %v", in, got, err)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("%q: quick reads %q, yaml.v3 %q", in, got, want)
		}
	})
}

// BenchmarkReadCatalog reads every catalog file, as the first translated
// message of a command does.
func BenchmarkReadCatalog(b *testing.B) {
	for b.Loop() {
		if _, err := readCatalog(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkYAMLCatalog reads every catalog file with yaml.v3 alone, the
// yardstick of BenchmarkReadCatalog.
func BenchmarkYAMLCatalog(b *testing.B) {
	names, _ := fs.Glob(catalogFS, "catalog/*.yaml")
	for b.Loop() {
		for _, name := range names {
			data, _ := catalogFS.ReadFile(name)
			if _, err := yamlCatalog(name, data); err != nil {
				b.Fatal(err)
			}
		}
	}
}
