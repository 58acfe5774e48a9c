package change

import (
	"errors"
	"fmt"

	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
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
		return nil, nil, &Refused{Rule: RuleEncryptRole, Reason: i18n.Sprintf("refused: %s is a %s; opsbook %s is the director's or leadership's (verify accepts a change of sealed ciphertext only from them)", s.Actor.Handle, i18n.Term("role", string(r)), what)}
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
		if !changed {
			continue
		}
		data, err := ed.Bytes()
		if err != nil {
			return nil, nil, err
		}
		edits = append(edits, Edit{Path: rec.Path, Before: rec, Data: data})
	}
	return edits, notes, nil
}

func covered(fields []string, p string) bool {
	for _, f := range fields {
		if p == f || len(p) > len(f) && p[:len(f)+1] == f+"." {
			return true
		}
	}
	return false
}
