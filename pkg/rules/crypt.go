package rules

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// Encrypted fields (package crypt, policy encrypt): judged from what the
// files hold, without any key, so that CI proves what it can: every value
// of an encrypted field is a well-formed age ciphertext, it has a recipient
// stanza for every reader the policy names today, and no ciphertext hides
// in a field the policy does not encrypt (where the rules could not see
// it). Whether a ciphertext holds what it should only a reader can tell.
func init() {
	Catalog = append(Catalog,
		Rule{"plaintext", diag.Error, "a field the policy encrypts holds plain text (fix: opsbook encrypt ID)"},
		Rule{"ciphertext", diag.Error, "an encrypted field's value is not a well-formed armored age file, or an encrypted attachment (.age) is not an age file"},
		Rule{"ciphertext-unexpected", diag.Error, "an age ciphertext in a field the policy does not encrypt"},
		Rule{"recipients", diag.Error, "an encrypted value without a recipient stanza for a reader the policy names (fix: opsbook rekey ID, by someone who can read it)"},
		Rule{"recipients-extra", diag.Warning, "an encrypted value still open to a key of no current reader (a person removed, a reader changed): opsbook rekey ID"},
		Rule{"attachment-plaintext", diag.Error, "a clear file listed by a record whose policy encrypts its attachments (fix: opsbook encrypt ID)"},
		Rule{"reader-key", diag.Warning, "a person who reads encrypted fields by role has registered no key age can use (ssh-ed25519, ssh-rsa in keys, or age)"},
	)
}

type cryptFacts struct {
	once   sync.Once
	people crypt.People
}

func (r *run) cryptPeople() crypt.People {
	r.facts.crypt.once.Do(func() {
		r.facts.crypt.people = crypt.NewPeople(r.Set.OfKind(record.Person))
	})
	return r.facts.crypt.people
}

// encrypted checks a record's ciphertexts and the fields its kind encrypts.
func (r *run) encrypted(rec *record.Record) {
	fields := r.Policy.Encrypted(rec.Kind)
	for _, p := range crypt.Ciphertexts(rec) {
		if !covered(fields, p) {
			r.errorf(rec, p, "ciphertext-unexpected", "%s holds an age ciphertext, but the policy does not encrypt %s %s: opsbook cannot check or compute with it; put the clear value back (opsbook encrypt %s, by someone who can read it)", p, rec.Kind, p, rec.ID)
		}
	}
	if len(fields) == 0 {
		return
	}
	var readers []crypt.Reader
	for _, p := range fields {
		v, ok := rec.Get(p)
		if !ok {
			continue
		}
		if !crypt.IsCiphertext(v) {
			r.errorf(rec, p, "plaintext", "%s holds plain text, but the policy encrypts %s %s: run `opsbook encrypt %s`", p, rec.Kind, p, rec.ID)
			continue
		}
		st, err := r.Stanzas.Of(v.(string))
		if err != nil {
			r.errorf(rec, p, "ciphertext", "%s: %v", p, err)
			continue
		}
		if readers == nil {
			readers = crypt.Readers(r.Policy, r.cryptPeople(), rec)
		}
		if miss := crypt.Missing(st, readers); len(miss) > 0 {
			r.errorf(rec, p, "recipients", "%s of %s cannot be opened by %s: someone who can read it runs `opsbook rekey %s`, or makes the change that added the reader with their key at hand", p, rec.ID, describe(miss), rec.ID)
		}
		if n := crypt.Extra(st, readers); n > 0 {
			r.warnf(rec, p, "recipients-extra", "%s of %s is still encrypted to %s (a person removed or a reader changed): run `opsbook rekey %s`", p, rec.ID, oldKeys(n), rec.ID)
		}
	}
}

// readerKeys warns about a person who reads encrypted fields by role and
// has no key to encrypt to.
func (r *run) readerKeys(p *record.Record) {
	if len(r.Policy.Encrypt) == 0 || p.Has("active") && p.Str("active") == "false" {
		return
	}
	role := p.Str("role")
	var kinds []any
	for _, ki := range record.Kinds {
		rule, ok := r.Policy.Encrypt[ki.Kind]
		if !ok {
			continue
		}
		all := slices.Clone(rule.Readers)
		for _, l := range rule.ByClass {
			all = append(all, l...)
		}
		if slices.Contains(all, role) {
			kinds = append(kinds, kindWord(ki.Kind))
		}
	}
	if len(kinds) == 0 || len(crypt.PersonKeys(p)) > 0 {
		return
	}
	field := "keys"
	if !p.Has("keys") {
		field = "id"
	}
	r.warnf(p, field, "reader-key", "%s reads the encrypted fields of %s as %s but has no key age can use (an ssh-ed25519 or ssh-rsa line in keys, or age: age1...): nothing can be encrypted to them", p.ID, i18n.Join(i18n.P(", "), kinds...), roleWord(role))
}

func covered(fields []string, p string) bool {
	for _, f := range fields {
		if p == f || strings.HasPrefix(p, f+".") {
			return true
		}
	}
	return false
}

func describe(rs []crypt.Reader) any {
	parts := make([]any, len(rs))
	for i, x := range rs {
		why := make([]any, len(x.Why))
		for j, w := range x.Why {
			// a reader by role, or by a field of the record naming them
			g := "field"
			if slices.Contains(config.Roles, w) {
				g = "role"
			}
			why[j] = i18n.Word{Group: g, Key: w}
		}
		parts[i] = i18n.P("%s (%s)", x.Handle, i18n.Join(i18n.P(", "), why...))
	}
	return i18n.Join(i18n.P(", "), parts...)
}

// encryptedAttachments checks the files of a record whose policy encrypts
// its attachments, without any key: each listed file is an .age file
// (attachment-plaintext otherwise), its header is an age header
// (ciphertext: a clear file renamed .age), and it has a recipient stanza
// for every reader (recipients, recipients-extra), as a field's ciphertext.
// A file missing, of another type or hash is listedEntry's to name.
func (r *run) encryptedAttachments(rec *record.Record, first map[string]int) {
	if !crypt.EncryptsAttachments(r.Policy, rec) {
		return
	}
	var readers []crypt.Reader
	for _, e := range Listed(rec) {
		if first[e.Path] != e.Index || attach.CheckPath(e.Path) != nil {
			continue
		}
		at := attach.Field + "." + strconv.Itoa(e.Index) + ".path"
		if !crypt.IsEncryptedPath(e.Path) {
			r.errorf(rec, at, "attachment-plaintext", "%s is a clear file, but the policy encrypts the attachments of %s %s records: run `opsbook encrypt %s` (the clear file stays in older commits)", e.Path, i18n.Word{Group: "classification", Key: crypt.Classification(r.Policy, rec)}, i18n.Word{Group: "kind", Key: string(rec.Kind)}, rec.ID)
			continue
		}
		if r.Stat(e.Path) != attach.Regular {
			continue
		}
		if sum, err := r.Sum(e.Path); err != nil || sum != strings.ToLower(e.SHA256) {
			continue
		}
		head, err := r.Head(e.Path)
		if err != nil {
			continue
		}
		st, err := crypt.FileStanzas(head)
		if err != nil {
			r.errorf(rec, at, "ciphertext", "attachment %s: %v (a clear file named .age is not encrypted: attach the clear file with opsbook attach, which encrypts it)", e.Path, err)
			continue
		}
		if readers == nil {
			readers = crypt.Readers(r.Policy, r.cryptPeople(), rec)
		}
		if miss := crypt.Missing(st, readers); len(miss) > 0 {
			r.errorf(rec, at, "recipients", "attachment %s of %s cannot be opened by %s: someone who can read it runs `opsbook rekey %s`", e.Path, rec.ID, describe(miss), rec.ID)
		}
		if n := crypt.Extra(st, readers); n > 0 {
			r.warnf(rec, at, "recipients-extra", "attachment %s of %s is still encrypted to %s (a person removed or a reader changed): run `opsbook rekey %s`", e.Path, rec.ID, oldKeys(n), rec.ID)
		}
	}
}
