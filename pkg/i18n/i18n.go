// Package i18n gives opsbook's human text in the department's language:
// Traditional Chinese (zh-Hant) or English.
//
// Messages are keyed by their English text, gettext style: code writes
//
//	i18n.Sprintf("%s is over budget by %s", line, over)
//
// and the catalog files in catalog/*.zh-Hant.yaml map that English format to
// its Chinese one ("%s 超出預算 %s"). English needs no file: the key is the
// English message. A translation may reorder arguments with fmt's explicit
// indexes (%[2]s). Words that come from data rather than code — kinds,
// states, roles, field names — are terms, looked up with Term("state",
// "approved") from catalog/terms.zh-Hant.yaml.
//
// The messages are served by github.com/nicksnyder/go-i18n (a bundle and
// a localizer per language, made on the first translation); Parse matches
// a requested language (zh-TW, zh_HK.UTF-8, zh-Hant) to the one we have.
// The formatting itself is fmt's, so numbers, ids and amounts print exactly
// as they do in English.
//
// Only human text is translated. Record files, field keys, rule codes and
// every -o json output stay as they are, so scripts and CI do not depend on
// the reader's language.
//
// The language is chosen once per process with Set; the default is English.
// The catalogs are read on the first message that needs a translation, so a
// command in English never reads them, and by a small reader of the shapes
// they are written in ("key": "text" lines, word: text under a term group,
// ? |- and : |- blocks for long text; see quick.go), which yaml.v3 stands
// in for on anything else and a test keeps every file within.
//
// A test scans the module for every key handed to this package (and to
// functions whose doc comment carries an "i18n:format N" marker) and fails
// when the Chinese catalog lacks one or holds one nothing uses.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed catalog/*.yaml
var catalogFS embed.FS

// The languages opsbook speaks.
var (
	English = language.English
	Chinese = language.MustParse("zh-Hant")
)

// Supported lists the languages opsbook speaks.
var Supported = []language.Tag{English, Chinese}

// TermsFile is the catalog file that holds terms rather than messages.
const TermsFile = "terms"

type state struct {
	tag  language.Tag
	once sync.Once
	// localizer is made on the first translation: English needs none, so
	// a command in English never reads the catalogs.
	localizer *goi18n.Localizer
	memo      sync.Map // key → translation
}

// local is the state's localizer, made (and the catalogs loaded) on first
// use; nil when the catalogs could not be read at all.
func (st *state) local() *goi18n.Localizer {
	st.once.Do(func() {
		load()
		if bundle != nil {
			st.localizer = goi18n.NewLocalizer(bundle, st.tag.String())
		}
	})
	return st.localizer
}

var (
	loadOnce sync.Once
	bundle   *goi18n.Bundle
	loadErr  error
	current  atomic.Pointer[state]
)

// load reads every catalog file into the bundle; a key in two files takes
// the later file's text.
func load() {
	loadOnce.Do(func() {
		files, err := readCatalog()
		if err != nil {
			loadErr = err
			return
		}
		b := goi18n.NewBundle(English)
		// The files are flattened here rather than by go-i18n's own parser,
		// which takes a map holding a key such as "other", "one", "id" or
		// "description" for a plural form: a term like category.other or a
		// header like "ID" must stay a plain key.
		for _, f := range files {
			keys := make([]string, 0, len(f.messages))
			for k := range f.messages {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			msgs := make([]*goi18n.Message, 0, len(keys))
			for _, k := range keys {
				msgs = append(msgs, &goi18n.Message{ID: k, Other: f.messages[k]})
			}
			if err := b.AddMessages(f.tag, msgs...); err != nil {
				loadErr = fmt.Errorf("i18n catalog %s: %w", f.name, err)
				return
			}
		}
		bundle = b
	})
}

type catalogFile struct {
	name     string // catalog/cli.zh-Hant.yaml
	tag      language.Tag
	messages map[string]string
}

// readCatalog reads every catalog file: nested maps are flattened with
// dots (state: {approved: …} is the key state.approved).
func readCatalog() ([]catalogFile, error) {
	names, err := fs.Glob(catalogFS, "catalog/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []catalogFile
	for _, name := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(name, "catalog/"), ".yaml")
		dot := strings.IndexByte(base, '.')
		if dot < 0 {
			return nil, fmt.Errorf("i18n catalog %s: the name is not AREA.LANGUAGE.yaml", name)
		}
		tag, err := language.Parse(base[dot+1:])
		if err != nil {
			return nil, fmt.Errorf("i18n catalog %s: %w", name, err)
		}
		b, err := catalogFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		flat, err := parseCatalog(name, b)
		if err != nil {
			return nil, err
		}
		out = append(out, catalogFile{name: name, tag: tag, messages: flat})
	}
	return out, nil
}

// parseCatalog reads one catalog file: by quickCatalog when it can, else
// by yaml.v3.
func parseCatalog(name string, b []byte) (map[string]string, error) {
	if flat, ok := quickCatalog(b); ok {
		return flat, nil
	}
	return yamlCatalog(name, b)
}

// yamlCatalog reads one catalog file with yaml.v3.
func yamlCatalog(name string, b []byte) (map[string]string, error) {
	var raw map[string]any
	if err := yaml.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("i18n catalog %s: %w", name, err)
	}
	flat := map[string]string{}
	if err := flatten(name, "", raw, flat); err != nil {
		return nil, err
	}
	return flat, nil
}

// Set makes tag the language of every later message. The catalogs are
// read on the first message that needs them.
func Set(tag language.Tag) {
	current.Store(&state{tag: tag})
}

// Current is the language messages are given in now.
func Current() language.Tag {
	if st := current.Load(); st != nil {
		return st.tag
	}
	return English
}

// IsChinese reports whether messages are given in Chinese now.
func IsChinese() bool { return Current() == Chinese }

// T translates a message that takes no arguments: its text in the
// catalog of the current language, or the key itself (English) when the
// catalog has no text for it.
func T(key string) string {
	return current.Load().t(key)
}

// t is T in the state's language.
func (st *state) t(key string) string {
	if st == nil || st.tag == English {
		return key
	}
	if v, ok := st.memo.Load(key); ok {
		return v.(string)
	}
	loc := st.local()
	if loc == nil {
		return key
	}
	out, err := loc.Localize(&goi18n.LocalizeConfig{
		DefaultMessage: &goi18n.Message{ID: key, Other: key},
	})
	if err != nil || out == "" {
		out = key
	}
	st.memo.Store(key, out)
	return out
}

// Sprintf formats the translation of format with args, as fmt.Sprintf does.
func Sprintf(format string, args ...any) string {
	return fmt.Sprintf(T(format), args...)
}

// Plural formats a message about n things, as Sprintf does: one is the
// English for a count of one ("%d error"), other for any other count ("%d
// errors") and the catalog's key. The form is picked by go-i18n's plural
// rules (CLDR's) for the reader's language: English has one and other;
// Chinese has no plural forms, so its catalog holds other's text alone.
// args are the format's arguments (n among them where the text shows it).
// A message of several counts joins a Plural for each ("%s, %s").
func Plural(n int, one, other string, args ...any) string {
	st := current.Load()
	var loc *goi18n.Localizer
	if st == nil || st.tag == English {
		loc = englishLocalizer()
	} else {
		loc = st.local()
	}
	return fmt.Sprintf(pluralForm(loc, n, one, other), args...)
}

// englishLocalizer is a localizer for English's plural rules: English
// needs no catalog, so its bundle holds no messages.
func englishLocalizer() *goi18n.Localizer {
	englishOnce.Do(func() {
		englishRules = goi18n.NewLocalizer(goi18n.NewBundle(English), English.String())
	})
	return englishRules
}

// pluralForm is the format of one and other that loc's language takes
// for a count of n (its catalog's text, for a language with a catalog).
func pluralForm(loc *goi18n.Localizer, n int, one, other string) string {
	format := other
	if loc != nil {
		// a Go template only when a message holds "{{", which none does
		out, err := loc.Localize(&goi18n.LocalizeConfig{
			DefaultMessage: &goi18n.Message{ID: other, One: one, Other: other},
			PluralCount:    n,
		})
		if err == nil && out != "" {
			format = out
		}
	}
	return format
}

var (
	englishOnce  sync.Once
	englishRules *goi18n.Localizer
)

// Errorf is fmt.Errorf on the translation of format; %w works as there.
// The error keeps its English as well (EnglishOf), for -o json.
func Errorf(format string, args ...any) error {
	return &translated{local: fmt.Errorf(T(format), args...), format: format, args: args}
}

// Term translates a word that comes from data: group is "kind", "state",
// "role", "field", … and key the word as the record files spell it. A term
// without a translation is shown as it is spelled.
func Term(group, key string) string {
	if current.Load() == nil || Current() == English {
		return key
	}
	id := group + "." + key
	if t := T(id); t != id {
		return t
	}
	return key
}

// TermIn is Term in the language tag, whatever the reader's: for an
// answer that must not depend on who asks (a finding's English text, which
// -o json prints, reading a word typed in Chinese).
func TermIn(tag language.Tag, group, key string) string {
	st, _ := states.LoadOrStore(tag, &state{tag: tag})
	id := group + "." + key
	if t := st.(*state).t(id); t != id {
		return t
	}
	return key
}

// states are the languages TermIn was asked in.
var states sync.Map // language.Tag → *state

// Parse reads a language as people and systems write it: "zh-Hant", "zh-TW",
// "zh_HK.UTF-8", "en", "en_US.UTF-8". ok is false for the C or POSIX locale,
// an empty string, or a language opsbook does not speak. Any Chinese is
// given in Traditional Chinese, the only Chinese catalog there is.
func Parse(s string) (tag language.Tag, ok bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	if s == "" || s == "C" || s == "POSIX" {
		return English, false
	}
	t, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil {
		return English, false
	}
	base, _ := t.Base()
	switch base.String() {
	case "zh":
		return Chinese, true
	case "en":
		return English, true
	}
	return English, false
}

// FromEnv is the language the environment asks for, read as the C library
// does: LC_ALL, then LC_MESSAGES, then LANG. The first variable that is set
// decides; ok is false when it names no language opsbook speaks.
func FromEnv(getenv func(string) string) (language.Tag, bool) {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(k); v != "" {
			return Parse(v)
		}
	}
	return English, false
}

// KeyOfTerm finds the value whose Chinese word in the glossary group is
// word ("已提交" in state: submitted), for a value typed in Chinese where
// the files' spelling is meant.
func KeyOfTerm(group, word string) (string, bool) {
	termsOnce.Do(func() {
		cat, err := Catalog()
		if err != nil {
			return
		}
		byWord := map[string]string{}
		keys := make([]string, 0, len(cat["terms"]))
		for k := range cat["terms"] {
			keys = append(keys, k)
		}
		sort.Strings(keys) // two keys of one word: the first, every time
		for _, k := range keys {
			v := cat["terms"][k]
			if g, key, ok := strings.Cut(k, "."); ok {
				if _, seen := byWord[v+"\x00"+g]; !seen {
					byWord[v+"\x00"+g] = key
				}
			}
		}
		termsByWord = byWord
	})
	k, ok := termsByWord[strings.TrimSpace(word)+"\x00"+group]
	return k, ok
}

var (
	termsOnce   sync.Once
	termsByWord map[string]string // Chinese word NUL group → key
)

// Catalog returns the Chinese catalog as files hold it: file name (without
// the language and extension) → key → translation. Tests use it to check
// the catalog against the code.
func Catalog() (map[string]map[string]string, error) {
	load()
	if loadErr != nil {
		return nil, loadErr
	}
	files, err := readCatalog()
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, f := range files {
		if f.tag != Chinese {
			continue
		}
		base := strings.TrimSuffix(strings.TrimPrefix(f.name, "catalog/"), ".zh-Hant.yaml")
		out[base] = f.messages
	}
	return out, nil
}

func flatten(file, prefix string, v any, out map[string]string) error {
	switch v := v.(type) {
	case nil:
		return nil // an empty catalog: only comments
	case map[string]any:
		for k, x := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			if err := flatten(file, p, x, out); err != nil {
				return err
			}
		}
	case string:
		out[prefix] = v
	default:
		return fmt.Errorf("i18n catalog %s: %q is not text", file, prefix)
	}
	return nil
}

// LoadError reports a catalog that could not be read; opsbook then speaks
// English.
func LoadError() error {
	load()
	return loadErr
}
