package change

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// RuleEncryptRole refuses `opsbook encrypt` and `opsbook rekey` to anyone but
// the director and leadership: their commits change sealed fields'
// ciphertext, which verify accepts only from them (see package audit).
const RuleEncryptRole = "encrypt-role"

// EncryptEdits builds the edits that apply the policy's encrypt section to
// the records: plain text in an encrypted field is encrypted for the
// record's readers; a ciphertext in a field the policy no longer encrypts is
// put back in clear (when the actor can read it). With rekey, every
// ciphertext of an encrypted field is also opened and encrypted again for
// the current readers (a person added or removed, a reader changed), which
// needs the actor to read it. Records already as the policy wants are left
// out; notes say what could not be done.
func EncryptEdits(s *Session, recs []*record.Record, rekey bool) ([]Edit, []string, error) {
	if r := s.Actor.Role; r != workflow.Director && r != workflow.Leadership {
		what := "encrypt"
		if rekey {
			what = "rekey"
		}
		return nil, nil, refused(RuleEncryptRole, "refused: %s is a %s; opsbook %s is the director's or leadership's (verify accepts a change of sealed ciphertext only from them)", s.Actor.Handle, i18n.Word{Group: "role", Key: string(r)}, what)
	}
	id, err := s.Identity()
	if err != nil {
		return nil, nil, err
	}
	people := crypt.NewPeople(s.Repo.Set.OfKind(record.Person))
	var edits []Edit
	var notes []string
	for _, rec := range recs {
		src, err := record.ReadFile(s.Repo.Root, rec.Path)
		if err != nil {
			return nil, nil, err
		}
		ed, err := record.NewEditor(src)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", rec.Path, err)
		}
		fields := s.Repo.Policy.Encrypted(rec.Kind)
		readers := crypt.Readers(s.Repo.Policy, people, rec)
		keys := crypt.Recipients(readers)
		changed := false
		for _, p := range fields {
			v, ok := rec.Get(p)
			if !ok {
				continue
			}
			clear := v
			if crypt.IsCiphertext(v) {
				if !rekey {
					continue
				}
				if clear, err = id.Open(p, v.(string)); err != nil {
					if errors.Is(err, crypt.ErrNotReader) {
						return nil, nil, &Refused{Rule: RuleEncrypted, Reason: i18n.Sprintf("refused: you cannot read %s of %s, so you cannot encrypt it again (someone who can read it runs opsbook rekey %s); nothing was changed", p, rec.ID, rec.ID)}
					}
					return nil, nil, &Refused{Rule: RuleEncrypted, Reason: i18n.Sprintf("refused: %s of %s %v; nothing was changed", p, rec.ID, err)}
				}
			}
			ct, err := crypt.Encrypt(p, clear, keys)
			if err != nil {
				return nil, nil, &Refused{Rule: RuleEncrypted, Reason: i18n.Sprintf("refused: cannot encrypt %s of %s: %v; nothing was changed", p, rec.ID, err)}
			}
			if err := ed.Set(p, crypt.CiphertextNode(ct), false); err != nil {
				return nil, nil, err
			}
			changed = true
		}
		for _, p := range crypt.Ciphertexts(rec) {
			if covered(fields, p) {
				continue
			}
			v, _ := rec.Get(p)
			clear, err := id.Open(p, v.(string))
			if err != nil {
				notes = append(notes, i18n.Sprintf("%s of %s stays encrypted though the policy does not encrypt it: %v", p, rec.ID, err))
				continue
			}
			if err := ed.Set(p, crypt.Node(clear), false); err != nil {
				return nil, nil, err
			}
			changed = true
		}
		files, err := encryptAttachments(s, ed, rec, readers, keys, id, rekey)
		if err != nil {
			return nil, nil, err
		}
		if !changed && len(files) == 0 {
			continue
		}
		data, err := ed.Bytes()
		if err != nil {
			return nil, nil, err
		}
		edits = append(edits, Edit{Path: rec.Path, Before: rec, Data: data})
		edits = append(edits, files...)
	}
	return edits, notes, nil
}

// encryptAttachments applies the policy to the files of a record whose
// attachments it encrypts: each clear file listed becomes <name>.age for
// the record's readers (the entry, and each field naming the file, now
// name the .age file with the ciphertext's SHA-256; the clear file leaves
// the work tree in the same commit). With rekey, an .age file whose
// stanzas differ from today's readers is opened and encrypted again (a
// file already right is left as it is: a new ciphertext of a large file
// would weigh on every clone for ever). The file is read once and must
// have its listed hash.
func encryptAttachments(s *Session, ed *record.Editor, rec *record.Record, readers []crypt.Reader, keys []crypt.Key, id *crypt.Identity, rekey bool) ([]Edit, error) {
	if !crypt.EncryptsAttachments(s.Repo.Policy, rec) {
		return nil, nil
	}
	var files []Edit
	seen := map[string]bool{}
	for _, e := range rules.Listed(rec) {
		at := attach.Field + "." + strconv.Itoa(e.Index)
		if seen[e.Path] {
			return nil, refused(RuleEncrypted, "refused: %s lists %s twice; remove one entry first; nothing was changed", rec.ID, e.Path)
		}
		seen[e.Path] = true
		if attach.CheckPath(e.Path) != nil {
			return nil, refused(RuleEncrypted, "refused: %s of %s is not a valid attachment path; fix the record first; nothing was changed", e.Path, rec.ID)
		}
		if crypt.IsEncryptedPath(e.Path) && !rekey {
			continue
		}
		data, err := attach.Read(s.Repo.Root, e.Path, crypt.MaxFile)
		if err != nil {
			return nil, refused(RuleEncrypted, "refused: attachment %s of %s cannot be read (%v); restore it first (git checkout -- %s); nothing was changed", e.Path, rec.ID, err, e.Path)
		}
		if sum := attach.SumBytes(data); sum != strings.ToLower(e.SHA256) {
			return nil, refused(RuleEncrypted, "refused: attachment %s of %s has SHA-256 %s, not the %s the record lists; restore the attached file first (git checkout -- %s); nothing was changed", e.Path, rec.ID, sum, e.SHA256, e.Path)
		}
		if crypt.IsEncryptedPath(e.Path) {
			st, err := crypt.FileStanzas(data)
			if err != nil {
				return nil, refused(RuleEncrypted, "refused: attachment %s of %s: %v; nothing was changed", e.Path, rec.ID, err)
			}
			if !crypt.NeedsRekey(st, readers) {
				continue
			}
			clear, err := id.OpenFile(data)
			if errors.Is(err, crypt.ErrNotReader) {
				return nil, refused(RuleEncrypted, "refused: you cannot read attachment %s of %s, so you cannot encrypt it again (someone who can read it runs opsbook rekey %s); nothing was changed", e.Path, rec.ID, rec.ID)
			}
			if err != nil {
				return nil, refused(RuleEncrypted, "refused: attachment %s of %s %v; nothing was changed", e.Path, rec.ID, err)
			}
			ct, err := crypt.EncryptFile(clear, keys)
			if err != nil {
				return nil, refused(RuleEncrypted, "refused: cannot encrypt attachment %s of %s: %v; nothing was changed", e.Path, rec.ID, err)
			}
			if err := ed.Set(at+".sha256", hashNode(attach.SumBytes(ct)), false); err != nil {
				return nil, err
			}
			files = append(files, Edit{Path: e.Path, Data: ct, File: true})
			continue
		}
		to := e.Path + crypt.FileExt
		if st := attach.Stat(s.Repo.Root, to); st != attach.Missing {
			return nil, refused(RuleEncrypted, "refused: %s of %s cannot become %s: that path is %s already; move it away first; nothing was changed", e.Path, rec.ID, to, st.Phrase())
		}
		// every record that may list it: the whole department
		if err := s.Whole(); err != nil {
			return nil, i18n.Errorf("%w: %v", ErrRepository, err)
		}
		for _, other := range s.Repo.Set.Records {
			if other.Path == rec.Path || other.ID == rec.ID {
				continue
			}
			for _, oe := range rules.Listed(other) {
				if oe.Path == e.Path {
					return nil, refused(RuleEncrypted, "refused: attachment %s of %s is listed by %s too: encrypting it would take it from %s; attach a copy to each record first; nothing was changed", e.Path, rec.ID, other.ID, other.ID)
				}
			}
		}
		ct, err := crypt.EncryptFile(data, keys)
		if err != nil {
			return nil, refused(RuleEncrypted, "refused: cannot encrypt attachment %s of %s: %v; nothing was changed", e.Path, rec.ID, err)
		}
		pn, _ := record.ScalarNode(to)
		if err := ed.Set(at+".path", pn, false); err != nil {
			return nil, err
		}
		if err := ed.Set(at+".sha256", hashNode(attach.SumBytes(ct)), false); err != nil {
			return nil, err
		}
		for _, n := range rules.NamedAttachments(rec) {
			if n.Path == e.Path {
				pn, _ := record.ScalarNode(to)
				if err := ed.Set(n.Field, pn, false); err != nil {
					return nil, err
				}
			}
		}
		files = append(files, Edit{Path: to, Data: ct, File: true}, Edit{Path: e.Path, File: true})
	}
	return files, nil
}

func covered(fields []string, p string) bool {
	for _, f := range fields {
		if p == f || len(p) > len(f) && p[:len(f)+1] == f+"." {
			return true
		}
	}
	return false
}
