package crypt

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"go.yaml.in/yaml/v3"
)

// Ciphertexts returns the dotted paths of every ciphertext in a record's
// values, in the file's order.
func Ciphertexts(rec *record.Record) []string {
	// Nearly every record holds none: look without building paths first
	// (the rules ask this of every record of the department).
	if !holdsCiphertext(rec.Data) {
		return nil
	}
	var out []string
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch t := v.(type) {
		case record.Map:
			for _, f := range t {
				walk(f.Value, join(path, f.Key))
			}
		case []any:
			for i, x := range t {
				walk(x, join(path, strconv.Itoa(i)))
			}
		case string:
			if IsCiphertext(t) {
				out = append(out, path)
			}
		}
	}
	walk(rec.Data, "")
	return out
}

func holdsCiphertext(v any) bool {
	switch t := v.(type) {
	case record.Map:
		for i := range t {
			if holdsCiphertext(t[i].Value) {
				return true
			}
		}
	case []any:
		for _, x := range t {
			if holdsCiphertext(x) {
				return true
			}
		}
	case string:
		return len(t) > len(armorBegin) && IsCiphertext(t)
	}
	return false
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}

// Hidden is a field Reveal could not open.
type Hidden struct {
	Field string
	// Err is ErrNotReader, or why the ciphertext cannot be opened
	// (altered, moved from another field).
	Err error
}

// Reveal returns a copy of rec whose ciphertexts are replaced by their
// clear values where id opens them, and by Marker elsewhere; rec itself
// (and the cache holding it) is not changed. hidden lists what stayed
// closed. A nil id reveals nothing.
func Reveal(id *Identity, rec *record.Record) (out *record.Record, hidden []Hidden) {
	paths := Ciphertexts(rec)
	if len(paths) == 0 {
		return rec, nil
	}
	data := rec.Data
	for _, p := range paths {
		v, _ := record.Lookup(data, p)
		clear, err := id.Open(p, v.(string))
		if err != nil {
			hidden = append(hidden, Hidden{Field: p, Err: err})
			clear = Marker
		}
		data = setPath(data, strings.Split(p, "."), clear).(record.Map)
	}
	cp := *rec
	cp.Data = data
	return &cp, hidden
}

// SetPath returns data with the value at a dotted path replaced, copying
// only the maps and lists on the way (data itself is not changed).
func SetPath(data record.Map, path string, x any) record.Map {
	return setPath(data, strings.Split(path, "."), x).(record.Map)
}

// setPath returns v with the value at path replaced, copying only the maps
// and lists on the way.
func setPath(v any, path []string, x any) any {
	if len(path) == 0 {
		return x
	}
	switch t := v.(type) {
	case record.Map:
		out := make(record.Map, len(t))
		copy(out, t)
		for i := range out {
			if out[i].Key == path[0] {
				out[i].Value = setPath(out[i].Value, path[1:], x)
			}
		}
		return out
	case []any:
		i, err := strconv.Atoi(path[0])
		if err != nil || i < 0 || i >= len(t) {
			return v
		}
		out := make([]any, len(t))
		copy(out, t)
		out[i] = setPath(t[i], path[1:], x)
		return out
	}
	return v
}

// RevealSource returns a record file's text with each ciphertext replaced by
// its clear value (as YAML) where id opens it, and by Marker elsewhere:
// what `opsbook edit` shows. Seal turns the result back.
func RevealSource(id *Identity, src []byte) ([]byte, []Hidden, error) {
	rec, _ := record.Parse("edit", src)
	if rec == nil {
		return src, nil, nil
	}
	paths := Ciphertexts(rec)
	if len(paths) == 0 {
		return src, nil, nil
	}
	ed, err := record.NewEditor(src)
	if err != nil {
		return nil, nil, err
	}
	var hidden []Hidden
	for _, p := range paths {
		v, _ := rec.Get(p)
		clear, err := id.Open(p, v.(string))
		n := Node(clear)
		if err != nil {
			hidden = append(hidden, Hidden{Field: p, Err: err})
			n = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: Marker}
		}
		if err := ed.Set(p, n, false); err != nil {
			return nil, nil, err
		}
	}
	out, err := ed.Bytes()
	return out, hidden, err
}

// NotReaderError refuses a change to an encrypted field by someone who is
// not among its readers.
type NotReaderError struct {
	ID, Field string
}

func (e *NotReaderError) Error() string {
	return fmt.Sprintf("%s of %s is encrypted and you cannot read it (you are not among its readers, or your identity is not at hand: %s, ~/.ssh/id_ed25519): you may not change it", e.Field, e.ID, IdentityEnv)
}

// Sealer encrypts what a write puts into encrypted fields.
type Sealer struct {
	Policy *config.Policy
	People People
	// ID is the writer's identity (nil: none at hand).
	ID *Identity

	noRefresh bool
}

func sameHandles(a, b []Reader) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Handle != b[i].Handle {
			return false
		}
	}
	return true
}

// Seal returns the text of a record about to be written (after) with every
// value of an encrypted field in ciphertext: a clear value equal to what the
// ciphertext before held keeps that ciphertext byte for byte (nothing is
// re-encrypted on every write), Marker stands for the value before, and a
// new value is encrypted for the record's readers (as after names them). A
// value the writer cannot read may not be changed or removed
// (*NotReaderError). A kept ciphertext is re-encrypted only when the write
// changes who reads the record (a new assignee), a reader lacks a stanza,
// and the writer can read it.
func (s *Sealer) Seal(before *record.Record, path string, after []byte) ([]byte, error) {
	// lean: only the values are read (a move keeps its ciphertexts, and
	// the inbox seals every move it tries)
	rec, _ := record.ParseLean(path, after)
	if rec == nil {
		return after, nil
	}
	fields := s.Policy.Encrypted(rec.Kind)
	var old func(string) (any, bool)
	if before != nil {
		old = before.Get
	} else {
		old = func(string) (any, bool) { return nil, false }
	}
	// A field of before the writer cannot read may not go away.
	if before != nil {
		for _, p := range Ciphertexts(before) {
			if _, ok := rec.Get(p); ok {
				continue
			}
			if _, err := s.ID.Open(p, mustString(before.Get(p))); err != nil {
				return nil, &NotReaderError{ID: rec.ID, Field: p}
			}
		}
	}
	// Marker written back stands for the ciphertext before, wherever it is
	// (also in a field the policy no longer encrypts).
	restored, err := s.restoreMarkers(rec, after, old)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return restored, nil
	}
	if string(restored) != string(after) {
		after = restored
		if rec, _ = record.ParseLean(path, after); rec == nil {
			return after, nil
		}
	}
	readers := Readers(s.Policy, s.People, rec)
	keys := Recipients(readers)
	// A kept ciphertext is re-encrypted only when this write changes who
	// reads the record (a new assignee, another classification): a
	// reader added to the registry or the policy is the director's
	// rekey, not every later write's.
	if before == nil || sameHandles(Readers(s.Policy, s.People, before), readers) {
		s = &Sealer{Policy: s.Policy, People: s.People, ID: s.ID, noRefresh: true}
	}
	// the editor is made at the first value set: a write that keeps
	// every ciphertext as it was sets none
	var ed *record.Editor
	changed := false
	set := func(p, ct string) error {
		if ed == nil {
			var err error
			if ed, err = record.NewEditor(after); err != nil {
				return errNoEditor
			}
		}
		changed = true
		return ed.Set(p, CiphertextNode(ct), false)
	}
	for _, p := range fields {
		v, ok := rec.Get(p)
		if !ok {
			continue
		}
		ov, had := old(p)
		oldCT := had && IsCiphertext(ov)
		switch {
		case v == Marker:
			if !oldCT {
				return nil, fmt.Errorf("%s: %s stands for a value you cannot read, and %s holds none: write the value, or remove the field", p, Marker, rec.ID)
			}
			if err := set(p, ov.(string)); err != nil {
				return noEditor(after, err)
			}
		case IsCiphertext(v):
			if oldCT && ov == v {
				ct, err := s.refresh(p, v.(string), readers, keys)
				if err != nil {
					return nil, err
				}
				if ct != v {
					if err := set(p, ct); err != nil {
						return noEditor(after, err)
					}
				}
			}
			// A ciphertext written as such is the writer's to answer
			// for: the rules check its recipients.
		default:
			if oldCT {
				clear, err := s.ID.Open(p, ov.(string))
				if errors.Is(err, ErrNotReader) {
					return nil, &NotReaderError{ID: rec.ID, Field: p}
				}
				if err != nil {
					return nil, fmt.Errorf("%s of %s %v", p, rec.ID, err)
				}
				if record.SameValue(clear, v) {
					ct, err := s.refresh(p, ov.(string), readers, keys)
					if err != nil {
						return nil, err
					}
					if err := set(p, ct); err != nil {
						return noEditor(after, err)
					}
					continue
				}
			}
			ct, err := Encrypt(p, v, keys)
			if err != nil {
				return nil, fmt.Errorf("cannot encrypt %s of %s: %v (readers: %s)", p, rec.ID, err, readerList(readers))
			}
			if err := set(p, ct); err != nil {
				return noEditor(after, err)
			}
		}
	}
	if !changed {
		return after, nil
	}
	return ed.Bytes()
}

// errNoEditor: the text a value was to be set in cannot be edited.
var errNoEditor = errors.New("no editor")

// noEditor is Seal's answer to err from setting a value: a text the
// editor cannot read is returned as it is (the record's parse says what
// is wrong with it).
func noEditor(after []byte, err error) ([]byte, error) {
	if errors.Is(err, errNoEditor) {
		return after, nil
	}
	return nil, err
}

// refresh re-encrypts a kept ciphertext when a reader lacks a stanza and
// the writer can read it; otherwise it returns ct unchanged.
func (s *Sealer) refresh(p, ct string, readers []Reader, keys []Key) (string, error) {
	if s.noRefresh {
		return ct, nil
	}
	st, err := Stanzas(ct)
	if err != nil || len(Missing(st, readers)) == 0 {
		return ct, nil
	}
	clear, err := s.ID.Open(p, ct)
	if err != nil {
		return ct, nil // the rules name the missing readers
	}
	return Encrypt(p, clear, keys)
}

// restoreMarkers puts back the ciphertext each Marker stands for.
func (s *Sealer) restoreMarkers(rec *record.Record, after []byte, old func(string) (any, bool)) ([]byte, error) {
	var ed *record.Editor
	var walk func(v any, path string) error
	walk = func(v any, path string) error {
		switch t := v.(type) {
		case record.Map:
			for _, f := range t {
				if err := walk(f.Value, join(path, f.Key)); err != nil {
					return err
				}
			}
		case []any:
			for i, x := range t {
				if err := walk(x, join(path, strconv.Itoa(i))); err != nil {
					return err
				}
			}
		case string:
			if t != Marker {
				return nil
			}
			ov, ok := old(path)
			if !ok || !IsCiphertext(ov) {
				return fmt.Errorf("%s: %s stands for a value you cannot read, and %s holds none", path, Marker, rec.ID)
			}
			if ed == nil {
				var err error
				if ed, err = record.NewEditor(after); err != nil {
					return err
				}
			}
			return ed.Set(path, CiphertextNode(ov.(string)), false)
		}
		return nil
	}
	if err := walk(rec.Data, ""); err != nil {
		return nil, err
	}
	if ed == nil {
		return after, nil
	}
	return ed.Bytes()
}

func mustString(v any, _ bool) string {
	s, _ := v.(string)
	return s
}

func readerList(rs []Reader) string {
	if len(rs) == 0 {
		return "none"
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Handle)
	}
	return strings.Join(out, ", ")
}
