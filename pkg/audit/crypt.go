package audit

import (
	"fmt"
	"strings"

	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
)

// RuleAttachmentPlaintext names a commit that lists a clear file in a
// record whose attachments the policy encrypts.
const RuleAttachmentPlaintext = "attachment-plaintext"

// plaintextAttached returns the clear files a record change newly lists
// in a record whose attachments the policy (the commit's) encrypts.
func plaintextAttached(pol *config.Policy, before, after *record.Record) []string {
	if after == nil || !crypt.EncryptsAttachments(pol, after) {
		return nil
	}
	had := map[string]bool{}
	if before != nil {
		for _, e := range rules.Listed(before) {
			had[e.Path] = true
		}
	}
	var out []string
	for _, e := range rules.Listed(after) {
		if !crypt.IsEncryptedPath(e.Path) && !had[e.Path] {
			out = append(out, e.Path)
		}
	}
	return out
}

// attachmentsNeutral returns after's data with every change of its
// attachments list that only encrypts or re-encrypts a file set back to
// before's: an entry of the same .age path with another hash (rekey), an
// entry p become p.age (encrypt), and each field naming p that now names
// p.age. changed says whether any was. Only for a record whose attachments
// the policy encrypts; whether the files behind the hashes are age files
// is the sealed-attachments check's to see (fileReencrypted).
func attachmentsNeutral(pol *config.Policy, before, after *record.Record) (record.Map, bool) {
	data := after.Data
	if !crypt.EncryptsAttachments(pol, after) {
		return data, false
	}
	bl, al := rules.Listed(before), rules.Listed(after)
	if len(bl) != len(al) {
		return data, false
	}
	changed := false
	renamed := map[string]string{}
	for i, a := range al {
		b := bl[i]
		if a.Index != b.Index || a.Path == b.Path && a.SHA256 == b.SHA256 {
			continue
		}
		at := fmt.Sprintf("attachments.%d.", a.Index)
		switch {
		case a.Path == b.Path && crypt.IsEncryptedPath(a.Path):
		case a.Path == b.Path+crypt.FileExt && !crypt.IsEncryptedPath(b.Path):
			renamed[a.Path] = b.Path
			ov, _ := before.Get(at + "path")
			data = setData(data, at+"path", ov)
		default:
			continue
		}
		ov, _ := before.Get(at + "sha256")
		data = setData(data, at+"sha256", ov)
		changed = true
	}
	for _, n := range rules.NamedAttachments(after) {
		if old, ok := renamed[n.Path]; ok {
			data = setData(data, n.Field, old)
		}
	}
	return data, changed
}

// RulePlaintext names a commit that writes plain text into a field the
// policy encrypts: from that commit on, the clear value is in history.
const RulePlaintext = "plaintext"

// plaintextPut returns, for a record change, the encrypted fields (under
// the policy the commit is judged by) that the change leaves holding plain
// text it did not hold before: a value added, changed, or a ciphertext
// replaced by its clear text. A plain value the commit leaves as it found
// it was not put there by this commit (the policy that encrypts it came
// later; `opsbook encrypt` fixes the files, not history).
func plaintextPut(pol *config.Policy, before, after *record.Record) []string {
	if after == nil {
		return nil
	}
	var out []string
	for _, p := range pol.Encrypted(after.Kind) {
		v, ok := after.Get(p)
		if !ok || crypt.IsCiphertext(v) {
			continue
		}
		if before != nil {
			if old, ok := before.Get(p); ok && record.SameValue(old, v) {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// reencryption reports a record change that only encrypts, re-encrypts or
// decrypts: every difference between before and after is in a field the
// policy encrypts (or that held a ciphertext before), and each such field
// now holds a ciphertext (or, where the policy no longer encrypts it, holds
// a value where a ciphertext was). Made by the director or leadership
// (`opsbook encrypt`, `opsbook rekey`), such a change is no edit of a
// sealed field. Without the keys, verify cannot prove that the clear value
// stayed the same: it proves that nothing else changed, and who did it.
func reencryption(pol *config.Policy, actor workflow.Actor, before, after *record.Record) bool {
	if before == nil || after == nil || actor.Handle == "" ||
		(actor.Role != workflow.Director && actor.Role != workflow.Leadership) {
		return false
	}
	paths := map[string]bool{}
	for _, p := range pol.Encrypted(after.Kind) {
		paths[p] = true
	}
	for _, p := range crypt.Ciphertexts(before) {
		paths[p] = true
	}
	neutral, changed := attachmentsNeutral(pol, before, after)
	for p := range paths {
		nv, nok := after.Get(p)
		ov, ook := before.Get(p)
		if nok == ook && (!nok || record.SameValue(nv, ov)) {
			continue
		}
		if !nok || !ook {
			return false // a value added or removed is an edit
		}
		encrypted := false
		for _, f := range pol.Encrypted(after.Kind) {
			if p == f {
				encrypted = true
			}
		}
		if encrypted && !crypt.IsCiphertext(nv) {
			return false
		}
		if !encrypted && !crypt.IsCiphertext(ov) {
			return false
		}
		neutral = setData(neutral, p, ov)
		changed = true
	}
	return changed && record.SameValue(neutral, before.Data)
}

// setData returns data with the value at a dotted path replaced, copying
// only the maps and lists on the way.
func setData(data record.Map, path string, v any) record.Map {
	var set func(x any, parts []string) any
	set = func(x any, parts []string) any {
		if len(parts) == 0 {
			return v
		}
		switch t := x.(type) {
		case record.Map:
			out := make(record.Map, len(t))
			copy(out, t)
			for i := range out {
				if out[i].Key == parts[0] {
					out[i].Value = set(out[i].Value, parts[1:])
				}
			}
			return out
		case []any:
			out := make([]any, len(t))
			copy(out, t)
			var i int
			if _, err := fmt.Sscan(parts[0], &i); err == nil && i >= 0 && i < len(t) {
				out[i] = set(t[i], parts[1:])
			}
			return out
		}
		return x
	}
	return set(data, strings.Split(path, ".")).(record.Map)
}
