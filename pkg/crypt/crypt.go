// Package crypt keeps confidential fields encrypted inside the record files,
// with age (filippo.io/age), the way sops does: the policy's encrypt section
// names, per kind, the fields whose values are stored encrypted and who may
// read them; every other field, and every key, stays in clear.
//
// A value is stored as one ASCII-armored age file, a YAML block string in
// place of the value:
//
//	contact: |
//	  -----BEGIN AGE ENCRYPTED FILE-----
//	  YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IHNzaC1lZDI1NTE5IC...
//	  -----END AGE ENCRYPTED FILE-----
//
// The clear text inside is a small YAML document: a comment naming the field
// it belongs to (a ciphertext moved to another field is refused when
// opened) and `value:` holding the original value as YAML, so a structured
// value (a contact with its phone and address) comes back as it went in,
// numbers as their literal text.
//
// The recipients are the readers' keys from the people registry: the SSH
// keys people register for signing (ssh-ed25519, ssh-rsa; age reads them
// directly) and an optional `age:` key (age1...). Reading uses the reader's
// own identity (OPSBOOK_IDENTITY, else ~/.ssh/id_ed25519, else
// ~/.ssh/id_rsa), never a shared key.
//
// Without any key, a ciphertext still tells whom it was written for: each
// recipient stanza of an ssh-ed25519 or ssh-rsa key carries a tag (the
// first four bytes of the SHA-256 of the public key), so CI can check that
// every reader the policy requires has a stanza (Missing). An X25519 (age1)
// stanza names no one: only their number can be compared.
//
// This package does no I/O on records: it encrypts and decrypts values,
// reads headers, and tells who the readers of a record are. Loading and the
// cache see only what the files hold (ciphertext); decryption is a layer on
// top, for the commands that show and edit values.
package crypt

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"filippo.io/age/armor"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/record"
	"go.yaml.in/yaml/v3"
	"golang.org/x/crypto/ssh"
)

// Marker is what a reader who may not read a value sees in its place.
const Marker = "‹encrypted›"

const (
	armorBegin = "-----BEGIN AGE ENCRYPTED FILE-----"
	armorEnd   = "-----END AGE ENCRYPTED FILE-----"
)

// maxClear bounds a decrypted value: a record field, not a file.
const maxClear = 1 << 20

// IsCiphertext reports whether a plain value is an armored age file.
func IsCiphertext(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, armorBegin) && strings.HasSuffix(s, armorEnd)
}

// Key is one public key a reader registered, as an age recipient.
type Key struct {
	Handle string
	// Type is the stanza type it produces: ssh-ed25519, ssh-rsa or X25519.
	Type string
	// Tag is the stanza tag of an SSH key ("" for X25519, whose stanzas
	// name no one).
	Tag       string
	Recipient age.Recipient
}

// PersonKeys returns the age recipients a person registered: every SSH key
// of `keys` age reads (ssh-ed25519, ssh-rsa; OpenPGP fingerprints and other
// key types are skipped), and `age` (one age1 key or a list).
func PersonKeys(p *record.Record) []Key {
	var out []Key
	for _, line := range p.Strings("keys") {
		if k, ok := parseSSHKey(line); ok {
			k.Handle = p.ID
			out = append(out, k)
		}
	}
	for _, s := range ageKeys(p) {
		if k, ok := parseAgeKey(s); ok {
			k.Handle = p.ID
			out = append(out, k)
		}
	}
	return out
}

// parsed memoises the keys' parses for the process: the rules ask for a
// record's readers once per encrypted record, and parsing an SSH key costs
// far more than the look-up. A key's text alone decides its parse.
var parsed sync.Map // "ssh\x00" or "age\x00" + text -> parsedKey

type parsedKey struct {
	key Key
	ok  bool
}

func parseSSHKey(line string) (Key, bool) {
	if v, ok := parsed.Load("ssh\x00" + line); ok {
		pk := v.(parsedKey)
		return pk.key, pk.ok
	}
	k, ok := parseSSHKeyNow(line)
	parsed.Store("ssh\x00"+line, parsedKey{k, ok})
	return k, ok
}

func parseSSHKeyNow(line string) (Key, bool) {
	f := strings.Fields(line)
	if len(f) < 2 || (f[0] != "ssh-ed25519" && f[0] != "ssh-rsa") {
		return Key{}, false
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return Key{}, false
	}
	r, err := agessh.ParseRecipient(f[0] + " " + f[1])
	if err != nil {
		return Key{}, false
	}
	return Key{Type: f[0], Tag: sshTag(pk), Recipient: r}, true
}

func parseAgeKey(s string) (Key, bool) {
	if v, ok := parsed.Load("age\x00" + s); ok {
		pk := v.(parsedKey)
		return pk.key, pk.ok
	}
	var k Key
	r, err := age.ParseX25519Recipient(s)
	ok := err == nil
	if ok {
		k = Key{Type: "X25519", Recipient: r}
	}
	parsed.Store("age\x00"+s, parsedKey{k, ok})
	return k, ok
}

func ageKeys(p *record.Record) []string {
	if l := p.Strings("age"); len(l) > 0 {
		return l
	}
	if s := p.Str("age"); s != "" {
		return []string{s}
	}
	return nil
}

// sshTag is the tag age writes in the stanza of an SSH recipient.
func sshTag(pk ssh.PublicKey) string {
	h := sha256.Sum256(pk.Marshal())
	return base64.RawStdEncoding.EncodeToString(h[:4])
}

// Reader is one person who may read a record's encrypted fields, with why
// (the roles and parties of the policy that name them) and their keys.
type Reader struct {
	Handle string
	Why    []string
	Keys   []Key
}

// People is the people registry, by handle.
type People map[string]*record.Record

// NewPeople indexes person records by handle.
func NewPeople(people []*record.Record) People {
	m := People{}
	for _, p := range people {
		m[p.ID] = p
	}
	return m
}

func active(p *record.Record) bool {
	v, ok := p.Get("active")
	return !ok || v != false
}

// Classification returns a record's classification, or its kind's default.
func Classification(pol *config.Policy, rec *record.Record) string {
	if c := rec.Str("classification"); c != "" {
		return c
	}
	return pol.Classification[rec.Kind].Default
}

// Readers returns who may read the encrypted fields of rec under the
// policy: the active people of each reader role, and the active person each
// reader party field names; sorted by handle. Nil when the kind encrypts
// nothing.
func Readers(pol *config.Policy, people People, rec *record.Record) []Reader {
	rule, ok := pol.Encrypt[rec.Kind]
	if !ok {
		return nil
	}
	by := map[string]*Reader{}
	add := func(h, why string) {
		p := people[h]
		if p == nil || !active(p) {
			return
		}
		r := by[h]
		if r == nil {
			r = &Reader{Handle: h, Keys: PersonKeys(p)}
			by[h] = r
		}
		if !slices.Contains(r.Why, why) {
			r.Why = append(r.Why, why)
		}
	}
	for _, name := range rule.ReadersFor(Classification(pol, rec)) {
		if slices.Contains(config.Roles, name) {
			for h, p := range people {
				if p.Str("role") == name {
					add(h, name)
				}
			}
			continue
		}
		if h := rec.Str(name); h != "" && !IsCiphertext(h) {
			add(h, name)
		}
	}
	out := make([]Reader, 0, len(by))
	for _, r := range by {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Handle < out[j].Handle })
	return out
}

// Recipients returns every key of the readers.
func Recipients(readers []Reader) []Key {
	var out []Key
	for _, r := range readers {
		out = append(out, r.Keys...)
	}
	return out
}

// Encrypt encrypts a plain value of field for the keys, as an armored age
// file ending in a newline.
func Encrypt(field string, value any, keys []Key) (string, error) {
	if len(keys) == 0 {
		return "", errors.New("no reader has a key to encrypt to")
	}
	clear, err := Clear(field, value)
	if err != nil {
		return "", err
	}
	rs := make([]age.Recipient, len(keys))
	for i, k := range keys {
		rs[i] = k.Recipient
	}
	var b bytes.Buffer
	a := armor.NewWriter(&b)
	w, err := age.Encrypt(a, rs...)
	if err != nil {
		return "", err
	}
	if _, err := w.Write(clear); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	if err := a.Close(); err != nil {
		return "", err
	}
	s := b.String()
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s, nil
}

// Clear is the clear text of a field's value: a comment naming the field,
// and `value:` holding the value as YAML.
func Clear(field string, value any) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", HeadComment: "opsbook field " + field, Content: []*yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "value"}, Node(value)}}
	return yaml.Marshal(doc)
}

// Node turns a plain value into a YAML node: text stays text (a phone
// number is quoted when it looks like a number), numbers keep their literal.
func Node(v any) *yaml.Node {
	switch t := v.(type) {
	case record.Map:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, f := range t {
			n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: f.Key}, Node(f.Value))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, x := range t {
			n.Content = append(n.Content, Node(x))
		}
		return n
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(t), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}
	case bool:
		if t {
			return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"}
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "false"}
	case string:
		n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}
		if strings.Contains(t, "\n") {
			n.Style = yaml.LiteralStyle
		}
		return n
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprint(v)}
}

// CiphertextNode is the YAML node that stores a ciphertext: a literal
// block string.
func CiphertextNode(ct string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.LiteralStyle, Value: ct}
}

// ErrNotReader says the identity is not among a ciphertext's recipients.
var ErrNotReader = errors.New("not among its readers")

// ParseClear reads the clear text of field back into a plain value.
func ParseClear(field string, clear []byte) (any, error) {
	first, rest, _ := bytes.Cut(clear, []byte("\n"))
	want := "# opsbook field " + field
	if strings.TrimSpace(string(first)) != want {
		got := strings.TrimPrefix(strings.TrimSpace(string(first)), "# opsbook field ")
		return nil, fmt.Errorf("it was written for the field %q, not %s: a ciphertext was moved", got, field)
	}
	rec, ds := record.Parse("clear", rest)
	if rec == nil || len(ds) > 0 {
		msg := "its clear text is not valid YAML"
		if len(ds) > 0 {
			msg += ": " + ds[0].Message
		}
		return nil, errors.New(msg)
	}
	v, ok := rec.Data.Get("value")
	if !ok || len(rec.Data) != 1 {
		return nil, errors.New("its clear text holds no value")
	}
	return v, nil
}

// Stanza is one recipient stanza of an age header.
type Stanza struct {
	Type string
	// Tag is the SSH key tag of an ssh-ed25519 or ssh-rsa stanza.
	Tag string
}

// stanzaReaders are the readers Stanzas reads through: the armor's
// scanner and, over it, a reader of bufio's default size (age's header
// parser takes a *bufio.Reader of at least that size as it is).
var stanzaReaders = sync.Pool{New: func() any {
	r := &stanzaReader{}
	r.br = bufio.NewReaderSize(&r.armor, 4096)
	return r
}}

type stanzaReader struct {
	armor armorScan
	br    *bufio.Reader
}

// errHeaderRead stops a decryption once the header's stanzas are read.
var errHeaderRead = errors.New("header read")

type stanzaRecorder struct{ got []*age.Stanza }

func (r *stanzaRecorder) Unwrap(ss []*age.Stanza) ([]byte, error) {
	r.got = ss
	return nil, errHeaderRead
}

// StanzaMemo remembers Stanzas's answer for each ciphertext asked about;
// safe for use by several goroutines. A nil memo remembers nothing.
type StanzaMemo struct {
	m sync.Map
	// kept are the answers Seed took, by the SHA-256 of the ciphertext;
	// fresh counts the well-formed ones read that were not among them.
	kept  map[[32]byte][]Stanza
	fresh atomic.Int64
}

type stanzaAnswer struct {
	st  []Stanza
	err error
}

// Of is Stanzas(ct), read once per ciphertext.
func (m *StanzaMemo) Of(ct string) ([]Stanza, error) {
	if m == nil {
		return Stanzas(ct)
	}
	if v, ok := m.m.Load(ct); ok {
		a := v.(stanzaAnswer)
		return a.st, a.err
	}
	if m.kept != nil {
		if st, ok := m.kept[sha256.Sum256([]byte(ct))]; ok {
			m.m.Store(ct, stanzaAnswer{st, nil})
			return st, nil
		}
	}
	st, err := Stanzas(ct)
	if err == nil {
		m.fresh.Add(1)
	}
	m.m.Store(ct, stanzaAnswer{st, err})
	return st, err
}

// Stanzas reads a ciphertext's recipient stanzas without any key; an error
// says it is not a well-formed armored age file.
func Stanzas(ct string) ([]Stanza, error) {
	// Only the header is decoded, as it is read, from a pooled reader:
	// the rules check every ciphertext of the department (25,000 at
	// 100,000 records), and decoding each whole into a buffer of its own,
	// then parsing the header with age's parser, made 12 KB of garbage a
	// ciphertext. The rest of the armor is then checked, not decoded: a
	// ciphertext whose armor is broken anywhere, in the payload too, is
	// refused with the armor's error, before any error of the header, as
	// when the armor was decoded first. A header headerStanzas leaves
	// (a damaged one) is read again by age's parser, which says why.
	r := stanzaReaders.Get().(*stanzaReader)
	defer stanzaReaders.Put(r)
	text := strings.TrimSpace(ct)
	r.armor = armorScan{s: text}
	r.br.Reset(&r.armor)
	st, ok := headerStanzas(r.br)
	if err := r.armor.check(); err != nil {
		return nil, fmt.Errorf("not a well-formed age file: %v", err)
	}
	if ok {
		return st, nil
	}
	r.armor = armorScan{s: text}
	r.br.Reset(&r.armor)
	rec := &stanzaRecorder{}
	_, err := age.Decrypt(r.br, rec)
	if !errors.Is(err, errHeaderRead) {
		if err == nil {
			err = errors.New("no recipient")
		}
		return nil, fmt.Errorf("not a well-formed age file: %v", err)
	}
	out := make([]Stanza, 0, len(rec.got))
	for _, s := range rec.got {
		st := Stanza{Type: s.Type}
		if (s.Type == "ssh-ed25519" || s.Type == "ssh-rsa") && len(s.Args) > 0 {
			st.Tag = s.Args[0]
		}
		out = append(out, st)
	}
	return out, nil
}

// Missing returns the readers who have a key but no stanza in the
// ciphertext's header: for SSH keys by tag; X25519 stanzas name no one, so
// they are counted against the readers' X25519 keys. A reader with several
// keys is covered by any one of them.
func Missing(stanzas []Stanza, readers []Reader) []Reader {
	tags := map[string]bool{}
	x := 0
	for _, s := range stanzas {
		if s.Tag != "" {
			tags[s.Type+" "+s.Tag] = true
		} else if s.Type == "X25519" {
			x++
		}
	}
	var out []Reader
	for _, r := range readers {
		if len(r.Keys) == 0 {
			continue
		}
		covered := false
		for _, k := range r.Keys {
			switch {
			case k.Tag != "" && tags[k.Type+" "+k.Tag]:
				covered = true
			case k.Type == "X25519" && x > 0:
				covered = true
				x--
			}
			if covered {
				break
			}
		}
		if !covered {
			out = append(out, r)
		}
	}
	return out
}

// Extra returns the tags of SSH stanzas that belong to no reader: a
// ciphertext still open to someone the policy no longer names (a person
// removed, a reader changed) until it is re-encrypted.
func Extra(stanzas []Stanza, readers []Reader) int {
	known := map[string]bool{}
	for _, r := range readers {
		for _, k := range r.Keys {
			if k.Tag != "" {
				known[k.Type+" "+k.Tag] = true
			}
		}
	}
	n := 0
	for _, s := range stanzas {
		if s.Tag != "" && !known[s.Type+" "+s.Tag] {
			n++
		}
	}
	return n
}

// decrypt opens a ciphertext with the identities.
func decrypt(ct string, ids []age.Identity) ([]byte, error) {
	return open(armor.NewReader(strings.NewReader(strings.TrimSpace(ct)+"\n")), ids, maxClear, errors.New("its clear text is larger than a field may be"))
}

// open decrypts an age stream (a field's or a file's) with the
// identities, reading at most limit clear bytes (tooBig past that); a key
// that is not a recipient is ErrNotReader.
func open(src io.Reader, ids []age.Identity, limit int, tooBig error) ([]byte, error) {
	r, err := age.Decrypt(src, ids...)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, ErrNotReader
		}
		return nil, fmt.Errorf("cannot be opened: %v", err)
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("cannot be opened (altered?): %v", err)
	}
	if len(b) > limit {
		return nil, tooBig
	}
	return b, nil
}
