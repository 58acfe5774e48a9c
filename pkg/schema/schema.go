// Package schema compiles the embedded JSON Schemas once per category list
// and validates records against them, turning each schema error into a
// diagnostic at the line and column of the offending YAML node.
package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/schemas"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

const base = "https://opsbook.invalid/schemas/"

// Set is the compiled schemas for one policy's categories. Everything in
// it is made on first use: a command reads the schema documents, builds
// the quick checks and compiles the validators only of what it meets.
type Set struct {
	docs *lazyDocs
	// full holds the validators: the quick check accepts valid records
	// and policies without them, so a command that meets only valid ones
	// never compiles them (the policy's alone was a fifth of a short
	// command's time).
	full *lazyFull
	// quick is each kind's quick check (see quick.go), and policy the
	// policy file's.
	quick  map[record.Kind]*lazyQuick
	policy *lazyQuick
	// encrypted is, per kind, the field paths the policy stores encrypted:
	// there a ciphertext stands for the value, and the value's schema
	// cannot be checked without the key.
	encrypted map[record.Kind][]string
}

// lazyDocs reads the embedded schema documents, each once, on first use,
// with the category enums set in common.json; it also builds the quick
// checks, which read them.
type lazyDocs struct {
	mu      sync.Mutex
	expCats []string
	cmpCats []string
	docs    map[string]any // by file name
	qb      *quickBuilder
}

// doc returns the document of a schema file; the caller holds mu.
func (l *lazyDocs) doc(name string) (any, error) {
	if d, ok := l.docs[name]; ok {
		return d, nil
	}
	data, err := fs.ReadFile(schemas.FS, name)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("schema %s: %w", name, err)
	}
	if name == "common.json" {
		defs, _ := doc["$defs"].(map[string]any)
		if defs == nil {
			return nil, fmt.Errorf("schema common.json has no $defs")
		}
		for name, words := range defWords {
			if d, ok := defs[name].(map[string]any); ok {
				if pat, ok := d["pattern"].(string); ok {
					patternMu.Lock()
					patternWords[pat] = words
					patternMu.Unlock()
				}
			}
		}
		defs["expenseCategory"] = enumOf(l.expCats)
		defs["complaintCategory"] = enumOf(l.cmpCats)
	}
	l.docs[name] = doc
	return doc, nil
}

// all returns every schema document, by file name.
func (l *lazyDocs) all() (map[string]any, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	entries, err := fs.ReadDir(schemas.FS, ".")
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		d, err := l.doc(e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = d
	}
	return out, nil
}

// quick builds the quick check of a schema file (a document that cannot
// be read gives a node that is never sure, sending every value to the
// validator, which reports the error).
func (l *lazyDocs) quick(file string) *qnode {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.qb == nil {
		l.qb = newQuickBuilder(func(name string) (any, bool) {
			d, err := l.doc(name)
			return d, err == nil
		})
	}
	return l.qb.root(file)
}

// lazyQuick is one file's quick check, built on first use.
type lazyQuick struct {
	once sync.Once
	docs *lazyDocs
	file string
	node *qnode
}

func (q *lazyQuick) get() *qnode {
	q.once.Do(func() { q.node = q.docs.quick(q.file) })
	return q.node
}

// Encrypting returns the set with the policy's encrypted fields: an age
// ciphertext (a string) in one of them is accepted for whatever the field's
// schema says; elsewhere it is checked like any value (a ciphertext is not
// an amount, a date or a contact).
func (s *Set) Encrypting(fields map[record.Kind][]string) *Set {
	if len(fields) == 0 {
		return s
	}
	cp := *s
	cp.encrypted = fields
	return &cp
}

// ciphertextAt reports whether the instance location ptr is at or below an
// encrypted field of r holding a ciphertext.
func (s *Set) ciphertextAt(r *record.Record, ptr string) bool {
	field := pointerToPath(ptr)
	for _, f := range s.encrypted[r.Kind] {
		if field != f && !strings.HasPrefix(field, f+".") {
			continue
		}
		if v, ok := r.Get(f); ok && IsCiphertext(v) {
			return true
		}
	}
	return false
}

// sealedView is r's data for the quick check: each field the policy
// encrypts that holds a ciphertext stands as sealed (valid whatever its
// schema, as the validator's findings there are dropped: ciphertextAt).
// Without it every record holding a ciphertext took the validator (12,000
// of 100,000 copies of the sample: 230 MB of garbage in a cold validate).
// The maps on the way to such a field are copies; the record's are not
// changed. A field under a list is left as it is (the validator judges).
func (s *Set) sealedView(r *record.Record) record.Map {
	data := r.Data
	for _, f := range s.encrypted[r.Kind] {
		if v, ok := r.Get(f); ok && IsCiphertext(v) {
			data = sealAt(data, strings.Split(f, "."))
		}
	}
	return data
}

// sealAt returns a copy of m with the value at path (mapping keys only)
// sealed, or m when a step is not a mapping's key.
func sealAt(m record.Map, path []string) record.Map {
	for i, f := range m {
		if f.Key != path[0] {
			continue
		}
		var v any = sealed{}
		if len(path) > 1 {
			inner, ok := f.Value.(record.Map)
			if !ok {
				return m
			}
			v = sealAt(inner, path[1:])
		}
		out := append(record.Map(nil), m...)
		out[i].Value = v
		return out
	}
	return m
}

// IsCiphertext reports whether a plain value is an armored age file (see
// package crypt).
func IsCiphertext(v any) bool {
	t, ok := v.(string)
	if !ok {
		return false
	}
	t = strings.TrimSpace(t)
	return strings.HasPrefix(t, "-----BEGIN AGE ENCRYPTED FILE-----") && strings.HasSuffix(t, "-----END AGE ENCRYPTED FILE-----")
}

var (
	mu    sync.Mutex
	cache = map[string]*Set{}
)

// Compile returns the schemas with the category enums set from policy. The
// result is cached: compiling is done once per distinct category list.
func Compile(expenseCategories, complaintCategories []string) (*Set, error) {
	key := strings.Join(expenseCategories, ",") + "|" + strings.Join(complaintCategories, ",")
	mu.Lock()
	defer mu.Unlock()
	if s, ok := cache[key]; ok {
		return s, nil
	}
	s, err := compile(expenseCategories, complaintCategories)
	if err != nil {
		return nil, err
	}
	cache[key] = s
	return s, nil
}

// Raw returns the embedded schema text of a kind ("expense") or of "policy"
// or "common".
func Raw(name string) ([]byte, error) {
	return fs.ReadFile(schemas.FS, name+".json")
}

// WithCategories returns common.json's text with the category enums set.
func WithCategories(common []byte, expCats, cmpCats []string) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(common, &doc); err != nil {
		return nil, err
	}
	defs, _ := doc["$defs"].(map[string]any)
	if defs == nil {
		return nil, fmt.Errorf("schema common.json has no $defs")
	}
	defs["expenseCategory"] = enumOf(expCats)
	defs["complaintCategory"] = enumOf(cmpCats)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(doc)
	return b.Bytes(), err
}

func compile(expCats, cmpCats []string) (*Set, error) {
	docs := &lazyDocs{expCats: expCats, cmpCats: cmpCats, docs: map[string]any{}}
	s := &Set{docs: docs, full: &lazyFull{docs: docs, done: map[string]*jsonschema.Schema{}},
		quick: map[record.Kind]*lazyQuick{}, policy: &lazyQuick{docs: docs, file: "policy.json"}}
	for _, ki := range record.Kinds {
		s.quick[ki.Kind] = &lazyQuick{docs: docs, file: string(ki.Kind) + ".json"}
	}
	return s, nil
}

func enumOf(vals []string) map[string]any {
	l := make([]any, len(vals))
	for i, v := range vals {
		l[i] = v
	}
	return map[string]any{"type": "string", "enum": l}
}

// collectProps records the property names of every object schema under its
// absolute keyword location (file#/pointer), the form validation errors use.
func collectProps(file, ptr string, v any, out map[string][]string) {
	switch t := v.(type) {
	case map[string]any:
		if props, ok := t["properties"].(map[string]any); ok {
			names := make([]string, 0, len(props))
			for k := range props {
				names = append(names, k)
			}
			sort.Strings(names)
			out[base+file+"#"+ptr] = names
		}
		for k, c := range t {
			collectProps(file, ptr+"/"+escape(k), c, out)
		}
	case []any:
		for i, c := range t {
			collectProps(file, ptr+"/"+strconv.Itoa(i), c, out)
		}
	}
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func moneyFormat(v any, signed bool) bool {
	switch t := v.(type) {
	case json.Number:
		return money.ValidLiteral(string(t), signed)
	case string:
		return money.ValidLiteral(t, signed)
	}
	return true // other types are the "type" keyword's to report
}

// Validate checks a record against its kind's schema. A record without a
// known kind is reported as such.
func (s *Set) Validate(r *record.Record) []diag.Diagnostic {
	lq := s.quick[r.Kind]
	if lq == nil {
		line, col := r.Pos("kind")
		return []diag.Diagnostic{{Path: r.Path, Line: line, Column: col, Severity: diag.Error,
			Rule: "schema", Message: "missing or unknown kind", Record: r.ID}}
	}
	if lq.get().check(any(s.sealedView(r)), 0, false) == yes {
		return nil
	}
	sch, err := s.full.get(r.Kind)
	if err != nil {
		return []diag.Diagnostic{{Path: r.Path, Line: 1, Column: 1, Severity: diag.Error,
			Rule: "schema", Message: err.Error(), Text: err.Error(), Record: r.ID}}
	}
	return s.validate(sch, r)
}

// lazyFull compiles the full validators once each, on first use, from any
// goroutine: the compiler itself, each kind's and the policy's validator,
// and the property names for "did you mean" (needed only with an error).
type lazyFull struct {
	mu    sync.Mutex
	docs  *lazyDocs
	c     *jsonschema.Compiler
	props map[string][]string
	done  map[string]*jsonschema.Schema // by file name
}

// get is the full validator of a kind.
func (l *lazyFull) get(k record.Kind) (*jsonschema.Schema, error) {
	sch, err := l.file(string(k) + ".json")
	if err != nil {
		return nil, fmt.Errorf("compiling schema of %s: %w", k, err)
	}
	return sch, nil
}

// file is the full validator of a schema file.
func (l *lazyFull) file(name string) (*jsonschema.Schema, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if sch := l.done[name]; sch != nil {
		return sch, nil
	}
	if l.c == nil {
		if err := l.start(); err != nil {
			return nil, err
		}
	}
	sch, err := l.c.Compile(base + name)
	if err != nil {
		return nil, err
	}
	l.done[name] = sch
	return sch, nil
}

// start makes the compiler with every schema document, and the property
// names.
func (l *lazyFull) start() error {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	c.Formats["money"] = func(v any) bool { return moneyFormat(v, false) }
	c.Formats["signed-money"] = func(v any) bool { return moneyFormat(v, true) }
	docs, err := l.docs.all()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	props := map[string][]string{}
	for _, name := range names {
		collectProps(name, "", docs[name], props)
		b, _ := json.Marshal(docs[name])
		if err := c.AddResource(base+name, bytes.NewReader(b)); err != nil {
			return fmt.Errorf("schema %s: %w", name, err)
		}
	}
	l.c, l.props = c, props
	return nil
}

// propsAt lists the property names of the object schema at an absolute
// keyword location; the compiler has been started by then.
func (l *lazyFull) propsAt(loc string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.props[loc]
}

// ValidatePolicy checks a parsed .opsbook.yaml.
func (s *Set) ValidatePolicy(r *record.Record) []diag.Diagnostic {
	if s.policy.get().check(any(r.Data), 0, false) == yes {
		return nil
	}
	sch, err := s.full.file("policy.json")
	if err != nil {
		err = fmt.Errorf("compiling policy schema: %w", err)
		return []diag.Diagnostic{{Path: r.Path, Line: 1, Column: 1, Severity: diag.Error,
			Rule: "schema", Message: err.Error(), Text: err.Error(), Record: r.ID}}
	}
	return s.validate(sch, r)
}

func (s *Set) validate(sch *jsonschema.Schema, r *record.Record) []diag.Diagnostic {
	err := sch.Validate(record.Plain(r.Data))
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []diag.Diagnostic{{Path: r.Path, Line: 1, Column: 1, Severity: diag.Error, Rule: "schema", Message: err.Error(), Record: r.ID}}
	}
	var ds []diag.Diagnostic
	ls := leaves(ve)
	// an empty text breaks both its minLength and its pattern (\S): the
	// pattern's "it is empty" says it, once
	pattern := map[string]bool{}
	for _, leaf := range ls {
		if lastSegment(leaf.KeywordLocation) == "pattern" {
			pattern[leaf.InstanceLocation] = true
		}
	}
	for _, leaf := range ls {
		if droppedOnly(r, leaf) || s.ciphertextAt(r, leaf.InstanceLocation) {
			continue
		}
		if lastSegment(leaf.KeywordLocation) == "minLength" && pattern[leaf.InstanceLocation] {
			continue
		}
		ds = append(ds, s.toDiag(r, leaf))
	}
	return diag.Sort(ds)
}

// leaves returns the innermost errors: they name the actual problem. Errors
// under a failed anyOf/oneOf are summarised by the parent instead, since
// listing every branch's complaint confuses more than it helps.
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	kw := lastSegment(ve.KeywordLocation)
	if kw == "anyOf" || kw == "oneOf" {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// droppedOnly reports a "required" error naming only fields whose values
// the parser already refused (and reported).
func droppedOnly(r *record.Record, ve *jsonschema.ValidationError) bool {
	if lastSegment(ve.KeywordLocation) != "required" || len(r.Dropped) == 0 {
		return false
	}
	base := pointerToPath(ve.InstanceLocation)
	for _, n := range quoted(ve.Message) {
		if base != "" {
			n = base + "." + n
		}
		if !r.Dropped[n] {
			return false
		}
	}
	return true
}

func lastSegment(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func pointerToPath(ptr string) string {
	ptr = strings.TrimPrefix(ptr, "/")
	if ptr == "" {
		return ""
	}
	parts := strings.Split(ptr, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return strings.Join(parts, ".")
}

func (s *Set) toDiag(r *record.Record, ve *jsonschema.ValidationError) diag.Diagnostic {
	field := pointerToPath(ve.InstanceLocation)
	line, col := r.Pos(field)
	rule := "schema"
	var msg, text string
	kw := lastSegment(ve.KeywordLocation)
	var where any = field
	if field == "" {
		where = i18n.P("record")
	}
	switch kw {
	case "additionalProperties":
		rule = "unknown-field"
		names := quoted(ve.Message)
		parent := strings.TrimSuffix(ve.AbsoluteKeywordLocation, "/additionalProperties")
		allowed := s.full.propsAt(parent)
		// The validator names them in no fixed order: in the file's
		// order, the same every run, at the first one's position.
		at := func(n string) (int, int) {
			full := n
			if field != "" {
				full = field + "." + n
			}
			if k := r.KeyNode(full); k != nil {
				return k.Line, k.Column
			}
			return math.MaxInt, 0
		}
		sort.SliceStable(names, func(i, j int) bool {
			li, ci := at(names[i])
			lj, cj := at(names[j])
			if li != lj {
				return li < lj
			}
			if ci != cj {
				return ci < cj
			}
			return names[i] < names[j]
		})
		var parts []any
		for i, n := range names {
			if i == 0 {
				if l, c := at(n); l != math.MaxInt {
					line, col = l, c
				}
			}
			sug := Suggest(n, allowed)
			for _, a := range allowed {
				// a field typed as its Chinese word (標題: title)
				if t := i18n.TermIn(i18n.Chinese, "field", a); t != a && t == n {
					sug = a
				}
			}
			if sug != "" {
				parts = append(parts, i18n.P("unknown field %q (did you mean %q?)", n, sug))
			} else {
				parts = append(parts, i18n.P("unknown field %q", n))
			}
		}
		if field != "" {
			msg, text = i18n.Both("%s in %s", i18n.Join(i18n.P("; "), parts...), field)
		} else {
			msg, text = i18n.Texts(i18n.Join(i18n.P("; "), parts...))
		}
	case "required":
		rule = "required"
		names := quoted(ve.Message)
		switch {
		case len(names) == 1 && field == "":
			msg, text = i18n.Both("missing required field %q in record", names[0])
		case len(names) == 1:
			msg, text = i18n.Both("missing required field %q in %s", names[0], field)
		case field == "":
			msg, text = i18n.Both("missing required fields %s in record", joinQuoted(names))
		default:
			msg, text = i18n.Both("missing required fields %s in %s", joinQuoted(names), field)
		}
	case "enum":
		rule = "enum"
		v, _ := record.Lookup(r.Data, field)
		values := quotedAll(ve.Message)
		group := enumGroups[field[strings.LastIndexByte(field, '.')+1:]]
		var allowed any = libMessage(ve.Message)
		sug := Suggest(record.Text(v), values)
		if group != "" {
			// each value with its word in the reader's language; a value
			// typed as its Chinese word is the one meant (in either
			// language: the English text is the same for every reader)
			glossed := make([]any, len(values))
			for i, a := range values {
				glossed[i] = i18n.Glossed{Group: group, Key: a}
				if t := i18n.TermIn(i18n.Chinese, group, a); t != a && t == strings.TrimSpace(record.Text(v)) {
					sug = a
				}
			}
			allowed = i18n.P("value must be one of %s", i18n.Join(i18n.P(", "), glossed...))
		}
		if sug != "" {
			msg, text = i18n.Both("%s: %q is not allowed (did you mean %q?); %s", field, record.Text(v), sug, allowed)
		} else {
			msg, text = i18n.Both("%s: %q is not allowed; %s", field, record.Text(v), allowed)
		}
	case "format":
		rule = "format"
		v, _ := record.Lookup(r.Data, field)
		switch quotedFirst(ve.Message) {
		case "money":
			msg, text = i18n.Both("%s: %s is not an amount of money (a positive decimal with at most 2 fraction digits)", field, record.Text(v))
		case "signed-money":
			msg, text = i18n.Both("%s: %s is not an amount of money (a non-zero decimal with at most 2 fraction digits)", field, record.Text(v))
		case "date":
			msg, text = i18n.Both("%s: %q is not a real date (YYYY-MM-DD)", field, record.Text(v))
		case "date-time":
			msg, text = i18n.Both("%s: %q is not an instant (RFC 3339 with offset, like 2026-09-20T09:12:00+08:00)", field, record.Text(v))
		default:
			msg, text = prefixed(field, libMessage(ve.Message))
		}
	case "anyOf", "oneOf":
		msg, text = prefixed(where, anyOfMessage(ve))
	case "pattern":
		v, _ := record.Lookup(r.Data, field)
		pat := quotedFirst(ve.Message)
		if u, err := strconv.Unquote(`"` + strings.ReplaceAll(strings.ReplaceAll(pat, `\'`, `'`), `"`, `\"`) + `"`); err == nil {
			pat = u
		}
		patternMu.Lock()
		what, ok := patternWords[pat]
		patternMu.Unlock()
		if !ok {
			what = i18n.P("in the expected form (%s)", pat)
		}
		msg, text = i18n.Both("%s: %q is not %s", where, record.Text(v), what)
	default:
		msg, text = prefixed(where, libMessage(ve.Message))
	}
	return diag.Diagnostic{Path: r.Path, Line: line, Column: col, Severity: diag.Error, Rule: rule, Message: msg, Text: text, Record: r.ID}
}

// prefixed is "field: message" in English and in the reader's language.
func prefixed(field, m any) (english, local string) {
	fen, floc := i18n.Texts(field)
	en, loc := i18n.Texts(m)
	if i18n.IsChinese() {
		return fen + ": " + en, floc + "：" + loc
	}
	return fen + ": " + en, floc + ": " + loc
}

// anyOfMessage explains a failed anyOf: when every branch failed for a
// missing field, it names the alternatives.
func anyOfMessage(ve *jsonschema.ValidationError) any {
	var missing []any
	for _, c := range ve.Causes {
		l := leaves(c)
		if len(l) == 1 && lastSegment(l[0].KeywordLocation) == "required" {
			var names []any
			for _, n := range quoteAll(quoted(l[0].Message)) {
				names = append(names, n)
			}
			missing = append(missing, i18n.Join(i18n.P(" and "), names...))
		}
	}
	if len(missing) == len(ve.Causes) && len(missing) > 0 {
		return i18n.P("needs %s", i18n.Join(i18n.P(" or "), missing...))
	}
	var msgs []any
	for _, c := range ve.Causes {
		for _, l := range leaves(c) {
			msgs = append(msgs, libMessage(l.Message))
		}
	}
	return i18n.P("matches none of the allowed forms: %s", i18n.Join(i18n.P("; or "), msgs...))
}

// EnumGroup is the glossary group that says, in the reader's language,
// the values of a field with a list of values (by its last name: "state"
// for status, "category" for items.0.category), or "".
func EnumGroup(field string) string {
	return enumGroups[field[strings.LastIndexByte(field, '.')+1:]]
}

// enumGroups names, for a field with a list of values (by its last
// name), the glossary group that says its values in the reader's
// language.
var enumGroups = map[string]string{
	"category": "category", "status": "state", "role": "role", "severity": "severity",
	"channel": "channel", "rating": "rating", "topic": "topic", "delivery": "delivery",
	"classification": "classification", "segment": "segment", "type": "type",
	"decision": "decision", "area": "area", "sanction": "sanction", "conclusion": "conclusion",
	"source": "source", "roles": "role", "from": "state",
}

// libMessages are the validator's own messages, each as the catalog
// format that says it in the reader's language. The English stays the
// validator's text word for word. The patterns are compiled when a message
// is first put into words (libPatterns), not at every start.
var libMessages = []struct {
	pattern string
	say     func(m []string) i18n.Phrase
}{
	{`^value must be one of (.*)$`, func(m []string) i18n.Phrase { return i18n.P("value must be one of %s", joinListed(m[1])) }},
	{`^value must be (.*)$`, func(m []string) i18n.Phrase { return i18n.P("value must be %s", m[1]) }},
	{`^expected (.*), but got (.*)$`, func(m []string) i18n.Phrase {
		return i18n.P("expected %s, but got %s", jsonType(m[1]), jsonType(m[2]))
	}},
	{`^length must be >= (\d+), but got (\d+)$`, func(m []string) i18n.Phrase { return i18n.P("length must be >= %s, but got %s", m[1], m[2]) }},
	{`^length must be <= (\d+), but got (\d+)$`, func(m []string) i18n.Phrase { return i18n.P("length must be <= %s, but got %s", m[1], m[2]) }},
	{`^must be >= (\S+) but found (\S+)$`, func(m []string) i18n.Phrase { return i18n.P("must be >= %s but found %s", m[1], m[2]) }},
	{`^must be <= (\S+) but found (\S+)$`, func(m []string) i18n.Phrase { return i18n.P("must be <= %s but found %s", m[1], m[2]) }},
	{`^must be > (\S+) but found (\S+)$`, func(m []string) i18n.Phrase { return i18n.P("must be > %s but found %s", m[1], m[2]) }},
	{`^must be < (\S+) but found (\S+)$`, func(m []string) i18n.Phrase { return i18n.P("must be < %s but found %s", m[1], m[2]) }},
	{`^minimum (\d+) items required, but found (\d+) items$`, func(m []string) i18n.Phrase {
		return i18n.P("minimum %s items required, but found %s items", m[1], m[2])
	}},
	{`^maximum (\d+) items required, but found (\d+) items$`, func(m []string) i18n.Phrase {
		return i18n.P("maximum %s items required, but found %s items", m[1], m[2])
	}},
	{`^items at index (\d+) and (\d+) are equal$`, func(m []string) i18n.Phrase { return i18n.P("items at index %s and %s are equal", m[1], m[2]) }},
	{`^not allowed$`, func(m []string) i18n.Phrase { return i18n.P("not allowed") }},
}

// jsonTypes are JSON Schema's type names as the glossary's value types
// (an array is a list, a string text).
var jsonTypes = map[string]string{
	"string": "text", "array": "list", "object": "group of fields", "number": "number",
	"integer": "whole number", "boolean": "true/false", "null": "empty value",
}

// jsonType is a JSON type the validator names, as a term: said in the
// reader's language, the validator's own word in English.
func jsonType(t string) any {
	if k, ok := jsonTypes[t]; ok {
		return i18n.Word{Group: "valuetype", Key: k, Say: t}
	}
	return t
}

// libPatterns are libMessages' patterns, compiled.
var libPatterns = sync.OnceValue(func() []*regexp.Regexp {
	res := make([]*regexp.Regexp, len(libMessages))
	for i, l := range libMessages {
		res[i] = regexp.MustCompile(l.pattern)
	}
	return res
})

// libMessage is a message of the validator in each language: one of
// libMessages, or the validator's English when it is not among them.
func libMessage(msg string) any {
	res := libPatterns()
	for i, l := range libMessages {
		if m := res[i].FindStringSubmatch(msg); m != nil {
			return l.say(m)
		}
	}
	return msg
}

func quoted(msg string) []string {
	var out []string
	for {
		i := strings.IndexByte(msg, '\'')
		if i < 0 {
			return out
		}
		j := i + 1
		for j < len(msg) && msg[j] != '\'' {
			if msg[j] == '\\' {
				j++ // an escaped character, \' included
			}
			j++
		}
		if j >= len(msg) {
			return out
		}
		out = append(out, unquoteName(msg[i+1:j]))
		msg = msg[j+1:]
	}
}

// unquoteName undoes the validator's quoting of a name: Go's %q without
// its double quotes, a " left bare and a ' escaped. A name that does not
// read back is kept as written.
func unquoteName(s string) string {
	if !strings.Contains(s, "\\") && !strings.Contains(s, `"`) {
		return s
	}
	q := strings.ReplaceAll(strings.ReplaceAll(s, `\'`, `'`), `"`, `\"`)
	if u, err := strconv.Unquote(`"` + q + `"`); err == nil {
		return u
	}
	return s
}

// quotedAll returns the double-quoted words of an enum message.
func quotedAll(msg string) []string {
	var out []string
	for _, part := range strings.Split(msg, `"`)[1:] {
		if part != "" && !strings.ContainsAny(part, ", ") {
			out = append(out, part)
		}
	}
	return out
}

func quotedFirst(msg string) string {
	if q := quoted(msg); len(q) > 0 {
		return q[len(q)-1]
	}
	return ""
}

// joinQuoted lists names quoted, with the reader's comma: "title",
// "category" in English, "title"、"category" in Chinese.
func joinQuoted(names []string) i18n.Joined {
	items := make([]any, len(names))
	for i, n := range names {
		items[i] = strconv.Quote(n)
	}
	return i18n.Join(i18n.P(", "), items...)
}

// joinListed is the validator's list of values ("a", "b") joined with the
// reader's comma; a list it cannot split stays as the validator wrote it.
func joinListed(list string) any {
	values := quotedAll(list)
	if len(values) < 2 || strings.Join(quoteAll(values), ", ") != list {
		return list
	}
	return joinQuoted(values)
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}

// defWords says in words what the shared definitions' patterns ask for, so
// that a manager is not shown a regular expression.
var defWords = map[string]i18n.Phrase{
	"text":           i18n.P("text (it is empty)"),
	"numberOrText":   i18n.P("text (it is empty)"),
	"handle":         i18n.P("a person's handle (lower-case letters, digits, . and -, like li.wei)"),
	"customerId":     i18n.P("a customer id (like CUS-0007)"),
	"projectId":      i18n.P("a project id (like PRJ-2026-0001)"),
	"planId":         i18n.P("a plan id (like PLN-2026-0001)"),
	"complaintId":    i18n.P("a complaint id (like CMP-2026-0001)"),
	"appraisalId":    i18n.P("an appraisal id (like APR-2026-0001)"),
	"expenseId":      i18n.P("an expense id (like EXP-2026-0001)"),
	"budgetId":       i18n.P("a budget id (like BUD-2026)"),
	"trainingPlanId": i18n.P("a training plan id (like TRP-2026)"),
	"trainingId":     i18n.P("a training id (like TRN-2026-0001)"),
	"violationId":    i18n.P("a violation id (like VIO-2026-0001)"),
	"courseCode":     i18n.P("a course code (capital letters, digits and -, like C01)"),
	"month":          i18n.P("a month (YYYY-MM)"),
	"meetingId":      i18n.P("a meeting id (like MTG-2026-0001)"),
	"taskId":         i18n.P("a task id (like TSK-2026-0001)"),
	"reportId":       i18n.P("a status report id (like RPT-2026-0001)"),
	"opsPlanId":      i18n.P("an operations plan id (like OPP-2026)"),
	"analysisId":     i18n.P("an analysis id (like ANA-2026-0001)"),
	"recordId":       i18n.P("a record id (like PRJ-2026-0001, CMP-2026-0042, BUD-2026 or CUS-0007)"),
	"attachment":     i18n.P("a path inside the repository (relative, without .. segments or backslashes)"),
}

// patternWords maps a pattern to its words; filled from common.json when
// it is read, under patternMu.
var (
	patternMu    sync.Mutex
	patternWords = map[string]i18n.Phrase{
		`^[a-z][a-z0-9_]*$`: i18n.P("a name of lower-case letters, digits and _"),
		`^[A-Z]{3}$`:        i18n.P("a three-letter currency code (like CNY)"),
	}
)
