package crypt

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
)

// The keys in testdata/keys are test keys made for these tests only.

func person(t *testing.T, handle, role string) *record.Record {
	t.Helper()
	pub, err := os.ReadFile(filepath.Join("testdata", "keys", handle+".pub"))
	if err != nil {
		t.Fatal(err)
	}
	src := "kind: person\nid: " + handle + "\nname: " + handle + "\nrole: " + role + "\nemails: [" + handle + "@example.com]\nkeys:\n  - " + strings.TrimSpace(string(pub)) + "\n"
	rec, ds := record.Parse("records/people/"+handle+".yaml", []byte(src))
	if rec == nil || len(ds) > 0 {
		t.Fatalf("person %s: %v", handle, ds)
	}
	return rec
}

func identity(t *testing.T, handle string) *Identity {
	t.Helper()
	id, err := ReadIdentity(filepath.Join("testdata", "keys", handle), nil)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func policy(t *testing.T, text string) *config.Policy {
	t.Helper()
	p, ds := config.FromBytes([]byte(text))
	for _, d := range ds {
		t.Fatalf("policy: %v", d)
	}
	return p
}

const testPolicy = `encrypt:
  complaint:
    fields: [contact]
    readers: [director, assignee]
  appraisal:
    fields: [outcome.reward, improvement.goals]
    readers: [director, appraiser, employee]
`

func parse(t *testing.T, path, src string) *record.Record {
	t.Helper()
	rec, ds := record.Parse(path, []byte(src))
	if rec == nil {
		t.Fatalf("%s: %v", path, ds)
	}
	return rec
}

func TestRoundTrip(t *testing.T) {
	keys := PersonKeys(person(t, "li.wei", "specialist"))
	if len(keys) != 1 || keys[0].Type != "ssh-ed25519" || keys[0].Tag == "" {
		t.Fatalf("keys: %+v", keys)
	}
	values := []any{
		"陳經理, +86 571 5550 1234",
		json.Number("1280.50"),
		record.MapOf("name", "陳經理", "phone", "13800138000", "n", json.Number("7"), "ok", true),
		[]any{"a", json.Number("1"), record.MapOf("x", "line one\nline two\n")},
	}
	id := identity(t, "li.wei")
	for _, v := range values {
		ct, err := Encrypt("contact", v, keys)
		if err != nil {
			t.Fatal(err)
		}
		if !IsCiphertext(ct) {
			t.Fatalf("not a ciphertext: %q", ct)
		}
		got, err := id.Open("contact", ct)
		if err != nil {
			t.Fatal(err)
		}
		if !record.SameValue(got, v) {
			t.Errorf("round trip: got %#v, want %#v", got, v)
		}
		// Text stays text: the phone number does not become a number.
		if m, ok := got.(record.Map); ok {
			if p, _ := m.Get("phone"); p != "13800138000" {
				t.Errorf("phone came back as %#v", p)
			}
		}
	}
}

func TestNotReaderAndMoved(t *testing.T) {
	keys := PersonKeys(person(t, "li.wei", "specialist"))
	ct, err := Encrypt("facts", "secret", keys)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity(t, "zhou.jie").Open("facts", ct); !errors.Is(err, ErrNotReader) {
		t.Errorf("another key opened it: %v", err)
	}
	// The same ciphertext pasted into another field is refused.
	if _, err := identity(t, "li.wei").Open("decision.reason", ct); err == nil || !strings.Contains(err.Error(), "moved") {
		t.Errorf("moved ciphertext: %v", err)
	}
	var none *Identity
	if _, err := none.Open("facts", ct); !errors.Is(err, ErrNotReader) {
		t.Errorf("no identity: %v", err)
	}
}

func TestTampered(t *testing.T) {
	keys := PersonKeys(person(t, "li.wei", "specialist"))
	ct, err := Encrypt("facts", "the original facts of the case", keys)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(ct), "\n")
	// Flip a character of the last line of base64 (the payload).
	i := len(lines) - 2
	b := []byte(lines[i])
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	lines[i] = string(b)
	bad := strings.Join(lines, "\n") + "\n"
	if _, err := identity(t, "li.wei").Open("facts", bad); err == nil || errors.Is(err, ErrNotReader) {
		t.Errorf("tampered ciphertext opened or not detected: %v", err)
	}
	// Without a key the header still parses: tampering with the payload
	// is found only by a reader.
	if _, err := Stanzas(bad); err != nil {
		t.Errorf("stanzas: %v", err)
	}
	if _, err := Stanzas("-----BEGIN AGE ENCRYPTED FILE-----\nnot base64 at all\n-----END AGE ENCRYPTED FILE-----\n"); err == nil {
		t.Error("a broken armor was read")
	}
}

func TestMissingByStanzas(t *testing.T) {
	people := NewPeople([]*record.Record{
		person(t, "wang.fang", "director"),
		person(t, "sun.li", "specialist"),
		person(t, "li.wei", "specialist"),
	})
	pol := policy(t, testPolicy)
	rec := parse(t, "records/complaints/2026/CMP-2026-0001.yaml", "kind: complaint\nid: CMP-2026-0001\nassignee: sun.li\n")
	readers := Readers(pol, people, rec)
	if got := readerList(readers); got != "sun.li, wang.fang" {
		t.Fatalf("readers: %s", got)
	}
	// Written for the director alone: the assignee is missing.
	ct, err := Encrypt("contact", "x", PersonKeys(people["wang.fang"]))
	if err != nil {
		t.Fatal(err)
	}
	st, err := Stanzas(ct)
	if err != nil {
		t.Fatal(err)
	}
	if m := Missing(st, readers); readerList(m) != "sun.li" {
		t.Errorf("missing: %s", readerList(m))
	}
	ct, _ = Encrypt("contact", "x", Recipients(readers))
	st, _ = Stanzas(ct)
	if m := Missing(st, readers); len(m) != 0 {
		t.Errorf("missing: %s", readerList(m))
	}
	// li.wei's key is extra once the assignee changes.
	ct, _ = Encrypt("contact", "x", append(Recipients(readers), PersonKeys(people["li.wei"])...))
	st, _ = Stanzas(ct)
	if n := Extra(st, readers); n != 1 {
		t.Errorf("extra: %d", n)
	}
}

func TestReadersPerRole(t *testing.T) {
	people := NewPeople([]*record.Record{
		person(t, "wang.fang", "director"),
		person(t, "zhang.min", "manager"),
		person(t, "li.wei", "specialist"),
		person(t, "he.jing", "finance"),
	})
	pol := policy(t, testPolicy)
	src := `kind: appraisal
id: APR-2026-0001
title: t
status: closed
employee: li.wei
appraiser: zhang.min
outcome:
  reward: 3000
improvement:
  goals: [better reports]
  coach: zhang.min
`
	rec := parse(t, "records/appraisals/2026/APR-2026-0001.yaml", src)
	s := &Sealer{Policy: pol, People: people}
	out, err := s.Seal(nil, rec.Path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	sealed := parse(t, rec.Path, string(out))
	if got := strings.Join(Ciphertexts(sealed), ","); got != "outcome.reward,improvement.goals" {
		t.Fatalf("ciphertexts: %s\n%s", got, out)
	}
	if strings.Contains(string(out), "better reports") || strings.Contains(string(out), "3000") {
		t.Fatalf("clear value left in the file:\n%s", out)
	}
	for h, reads := range map[string]bool{"wang.fang": true, "zhang.min": true, "li.wei": true, "he.jing": false, "zhou.jie": false} {
		shown, hidden := Reveal(identity(t, h), sealed)
		if reads != (len(hidden) == 0) {
			t.Errorf("%s: hidden %v, want reads=%v", h, hidden, reads)
		}
		v, _ := shown.Get("outcome.reward")
		if reads && v != json.Number("3000") || !reads && v != Marker {
			t.Errorf("%s sees outcome.reward as %#v", h, v)
		}
		// The record itself keeps its ciphertext.
		if v, _ := sealed.Get("outcome.reward"); !IsCiphertext(v) {
			t.Errorf("Reveal changed the record")
		}
	}
}

func TestSealKeepsUnchanged(t *testing.T) {
	people := NewPeople([]*record.Record{person(t, "wang.fang", "director"), person(t, "sun.li", "specialist"), person(t, "li.wei", "specialist")})
	pol := policy(t, testPolicy)
	path := "records/complaints/2026/CMP-2026-0001.yaml"
	src := "kind: complaint\nid: CMP-2026-0001\nassignee: sun.li\ncontact:\n  name: 陳經理\n  phone: \"13800138000\"\nsummary: late\n"
	director := &Sealer{Policy: pol, People: people, ID: identity(t, "wang.fang")}
	first, err := director.Seal(nil, path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	before := parse(t, path, string(first))
	ct, _ := before.Get("contact")
	// The director edits what she sees (clear), changing only the summary.
	shown, hidden, err := RevealSource(director.ID, first)
	if err != nil || len(hidden) > 0 {
		t.Fatal(err, hidden)
	}
	edited := strings.Replace(string(shown), "summary: late", "summary: very late", 1)
	out, err := director.Seal(before, path, []byte(edited))
	if err != nil {
		t.Fatal(err)
	}
	after := parse(t, path, string(out))
	if v, _ := after.Get("contact"); v != ct {
		t.Errorf("an unchanged value was encrypted again")
	}
	// Someone who cannot read it sees the marker, and leaving it keeps it.
	other := &Sealer{Policy: pol, People: people, ID: identity(t, "li.wei")}
	shown, hidden, _ = RevealSource(other.ID, first)
	if len(hidden) != 1 || !strings.Contains(string(shown), Marker) {
		t.Fatalf("li.wei sees:\n%s", shown)
	}
	out, err = other.Seal(before, path, shown)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := parse(t, path, string(out)).Get("contact"); v != ct {
		t.Errorf("marker not put back")
	}
	// Changing it, or removing it, is refused.
	var nr *NotReaderError
	_, err = other.Seal(before, path, []byte(strings.Replace(string(shown), Marker, "someone else", 1)))
	if !errors.As(err, &nr) {
		t.Errorf("change by a non-reader: %v", err)
	}
	_, err = other.Seal(before, path, []byte("kind: complaint\nid: CMP-2026-0001\nassignee: sun.li\nsummary: late\n"))
	if !errors.As(err, &nr) {
		t.Errorf("removal by a non-reader: %v", err)
	}
	// A reader added to the registry (a second director) does not make an
	// unrelated write re-encrypt: that is the director's rekey.
	grown := &Sealer{Policy: pol, People: NewPeople(append([]*record.Record{person(t, "zhou.jie", "director")}, people["wang.fang"], people["sun.li"], people["li.wei"])), ID: director.ID}
	out, err = grown.Seal(before, path, []byte(strings.Replace(string(first), "summary: late", "summary: later", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := parse(t, path, string(out)).Get("contact"); v != ct {
		t.Errorf("a write re-encrypted for a reader the registry added")
	}
	// A new assignee gets a stanza when the writer can read the value.
	moved := strings.Replace(string(first), "assignee: sun.li", "assignee: li.wei", 1)
	out, err = director.Seal(before, path, []byte(moved))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity(t, "li.wei").Open("contact", mustString(parse(t, path, string(out)).Get("contact"))); err != nil {
		t.Errorf("the new assignee cannot read: %v", err)
	}
}

func TestPolicyRefusesNeededFields(t *testing.T) {
	for _, bad := range []string{
		"encrypt:\n  appraisal:\n    fields: [total]\n    readers: [director]\n",
		"encrypt:\n  complaint:\n    fields: [assignee]\n    readers: [director]\n",
		"encrypt:\n  violation:\n    fields: [decision.sanction]\n    readers: [director]\n",
		"encrypt:\n  complaint:\n    fields: [contact]\n    readers: [nobody]\n",
		"encrypt:\n  complaint:\n    fields: [contact, contact.phone]\n    readers: [director]\n",
	} {
		p, ds := config.FromBytes([]byte(bad))
		if len(ds) == 0 {
			t.Errorf("accepted:\n%s", bad)
		}
		if len(p.Encrypt) != 0 {
			t.Errorf("applied:\n%s", bad)
		}
	}
}

// A ciphertext in a field the policy no longer encrypts is kept when a
// non-reader writes the record back with its marker.
func TestSealKeepsLeftoverCiphertext(t *testing.T) {
	people := NewPeople([]*record.Record{person(t, "wang.fang", "director"), person(t, "li.wei", "specialist")})
	path := "records/complaints/2026/CMP-2026-0001.yaml"
	ct, err := Encrypt("contact", "x", PersonKeys(people["wang.fang"]))
	if err != nil {
		t.Fatal(err)
	}
	src := "kind: complaint\nid: CMP-2026-0001\nsummary: late\ncontact: " + "|\n  " + strings.ReplaceAll(strings.TrimSpace(ct), "\n", "\n  ") + "\n"
	before := parse(t, path, src)
	// The policy now encrypts contact.name only: contact as a whole is
	// a leftover.
	s := &Sealer{Policy: policy(t, "encrypt:\n  complaint:\n    fields: [contact.name]\n    readers: [director]\n"), People: people, ID: identity(t, "li.wei")}
	shown, hidden, err := RevealSource(s.ID, []byte(src))
	if err != nil || len(hidden) != 1 {
		t.Fatal(err, hidden)
	}
	out, err := s.Seal(before, path, []byte(strings.Replace(string(shown), "late", "later", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := parse(t, path, string(out)).Get("contact"); v != mustString(before.Get("contact")) {
		t.Errorf("the marker was written instead of the ciphertext:\n%s", out)
	}
}

// TestPersonKeysShareParsesNotHandles: two people registering one key (a
// shared laptop's) each get it under their own handle, however often the
// parse is reused, and a key that does not parse stays out for both.
func TestPersonKeysShareParsesNotHandles(t *testing.T) {
	a := person(t, "li.wei", "specialist")
	line := a.Strings("keys")[0]
	src := "kind: person\nid: he.jing\nname: he.jing\nrole: manager\nemails: [he.jing@example.com]\nkeys:\n  - " + line + "\n  - ssh-ed25519 AAAAnotakey\nage: age1notakey\n"
	b := parse(t, "records/people/he.jing.yaml", src)
	for round := 0; round < 2; round++ {
		ka, kb := PersonKeys(a), PersonKeys(b)
		if len(ka) != 1 || len(kb) != 1 {
			t.Fatalf("round %d: %d and %d keys, want 1 each", round, len(ka), len(kb))
		}
		if ka[0].Handle != "li.wei" || kb[0].Handle != "he.jing" {
			t.Fatalf("round %d: handles %q and %q", round, ka[0].Handle, kb[0].Handle)
		}
		if ka[0].Tag == "" || ka[0].Tag != kb[0].Tag {
			t.Fatalf("round %d: tags %q and %q", round, ka[0].Tag, kb[0].Tag)
		}
	}
}

// TestStanzaMemo: a memo answers as Stanzas does, for a well-formed
// ciphertext and a broken one, asked again or not; a nil memo too.
func TestStanzaMemo(t *testing.T) {
	keys := PersonKeys(person(t, "li.wei", "specialist"))
	ct, err := Encrypt("contact", "0912-345-678", keys)
	if err != nil {
		t.Fatal(err)
	}
	m := &StanzaMemo{}
	for _, c := range []string{ct, ct, "-----BEGIN AGE ENCRYPTED FILE-----\nbroken\n-----END AGE ENCRYPTED FILE-----", ct} {
		want, werr := Stanzas(c)
		for _, memo := range []*StanzaMemo{m, nil} {
			got, err := memo.Of(c)
			if fmt.Sprint(got, err) != fmt.Sprint(want, werr) {
				t.Errorf("memo %v: %v %v, want %v %v", memo != nil, got, err, want, werr)
			}
		}
	}
	if _, err := m.Of(ct); err != nil || len(mustStanzas(t, ct)) != 1 {
		t.Errorf("one recipient: %v", err)
	}
}

func mustStanzas(t *testing.T, ct string) []Stanza {
	t.Helper()
	st, err := Stanzas(ct)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestStanzasAllocates: reading a ciphertext's stanzas makes no 4 KB
// readers of its own (the rules read every ciphertext of the department;
// three a ciphertext, 17 KB in all, were 300 MB at 100,000 records).
func TestStanzasAllocates(t *testing.T) {
	people := NewPeople([]*record.Record{person(t, "wang.fang", "director"), person(t, "li.wei", "specialist")})
	ct, err := Encrypt("contact", "x", append(PersonKeys(people["wang.fang"]), PersonKeys(people["li.wei"])...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Stanzas(ct); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const n = 200
	for range n {
		Stanzas(ct)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 6000 {
		t.Errorf("Stanzas allocates %d bytes a ciphertext of %d", per, len(ct))
	}
}
