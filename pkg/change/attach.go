package change

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
	"go.yaml.in/yaml/v3"
)

// maxAttachment caps a file attach copies: receipts and reports, not
// archives (git keeps every version for ever).
const maxAttachment = 50 << 20

// Source is one file to attach: where it is read from and its content.
type Source struct {
	From string // as given on the command line
	Name string // its file name under attachments/<ID>/
	Data []byte
}

// AttachName is the name a file is attached under: its own, each run of
// spaces made one "-" ("發票 01.pdf" is attached as 發票-01.pdf). A path
// with spaces reads as text in a report field, and files from Windows,
// phones and scanners often have them; the caller says so when a name
// changes (Source.Renamed).
func AttachName(base string) string {
	if !strings.ContainsFunc(base, unicode.IsSpace) {
		return base
	}
	return strings.Join(strings.FieldsFunc(base, unicode.IsSpace), "-")
}

// Renamed reports whether the file is attached under another name than
// its own (AttachName).
func (so Source) Renamed() bool { return filepath.Base(so.From) != so.Name }

// ReadSources reads the files to attach: each a regular file (a symbolic
// link is refused, not followed), at most 50 MiB, with a safe name.
// Reading happens once: what is hashed is exactly what is written.
func ReadSources(files []string) ([]Source, error) {
	var out []Source
	for _, f := range files {
		fi, err := os.Lstat(f)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, i18n.Errorf("%w: %s: no such file", ErrUsage, f)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			return nil, i18n.Errorf("%w: %s is not a regular file (a symbolic link is not followed: attach the file itself)", ErrUsage, f)
		case fi.IsDir():
			return nil, i18n.Errorf("%w: %s is a folder: attach the files in it", ErrUsage, f)
		case !fi.Mode().IsRegular():
			return nil, i18n.Errorf("%w: %s is not a regular file (a device, a pipe or a socket): attach a file", ErrUsage, f)
		}
		name := AttachName(filepath.Base(f))
		if err := attach.SafeName(name); err != nil {
			return nil, i18n.Errorf("%w: %s: %v; rename the file and attach it again", ErrUsage, f, err)
		}
		fh, err := os.Open(f)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		got, err := fh.Stat()
		if err == nil && !os.SameFile(fi, got) {
			err = i18n.Errorf("%s changed while it was opened", f)
		}
		var data []byte
		if err == nil {
			data, err = io.ReadAll(io.LimitReader(fh, maxAttachment+1))
		}
		fh.Close()
		if err != nil {
			return nil, i18n.Errorf("%w: reading %s: %v", ErrUsage, f, err)
		}
		if len(data) > maxAttachment {
			return nil, i18n.Errorf("%w: %s is over %d MiB: attachments are receipts and reports, kept in git for ever", ErrUsage, f, maxAttachment>>20)
		}
		out = append(out, Source{From: f, Name: name, Data: data})
	}
	return out, nil
}

// AttachEdits builds the edits that attach the sources to the record whose
// text is src (rec is the record as it was, nil for a new one): each file
// goes to attachments/<ID>/<name>, and the record's attachments list gets
// its path and SHA-256. A file already there with other content is never
// overwritten; a sealed record's listed file is never given a new hash.
// The record's edit comes first.
func AttachEdits(s *Session, rec *record.Record, path, id string, src []byte, sources []Source) ([]Edit, error) {
	ed, err := record.NewEditor(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cur, _ := record.Parse(path, src)
	var listed []attach.Entry
	if cur != nil {
		listed = rules.Listed(cur)
	}
	var files []Edit
	seen := map[string][]byte{}
	// A record whose policy encrypts its attachments gets each file as
	// <name>.age, encrypted for its readers: the clear bytes never reach
	// the work tree or git.
	var keys []crypt.Key
	encrypted := crypt.EncryptsAttachments(s.Repo.Policy, cur)
	if encrypted {
		readers := crypt.Readers(s.Repo.Policy, crypt.NewPeople(s.Repo.Set.OfKind(record.Person)), cur)
		if keys = crypt.Recipients(readers); len(keys) == 0 {
			return nil, refused(RuleEncrypted, "refused: the policy encrypts the attachments of %s, and none of its readers (%s) has a key to encrypt to; nothing was changed", id, readerHandles(readers))
		}
	}
	for _, so := range sources {
		name := so.Name
		if encrypted {
			if crypt.IsEncryptedPath(name) {
				return nil, refused(RuleEncrypted, "refused: %s ends in .age: the policy encrypts the attachments of %s, so attach the clear file and opsbook encrypts it for the record's readers; nothing was changed", so.From, id)
			}
			name += crypt.FileExt
		}
		rel := attach.Folder(id) + "/" + name
		if err := attach.CheckPath(rel); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUsage, err)
		}
		if prev, ok := seen[rel]; ok {
			if !bytes.Equal(prev, so.Data) {
				return nil, refused("attachment-exists", "refused: two different files are named %s; rename one; nothing was changed", so.Name)
			}
			continue
		}
		seen[rel] = so.Data
		data := so.Data
		switch st := attach.Stat(s.Repo.Root, rel); st {
		case attach.Missing:
			if encrypted {
				ct, err := crypt.EncryptFile(so.Data, keys)
				if err != nil {
					return nil, refused(RuleEncrypted, "refused: cannot encrypt %s: %v; nothing was changed", so.From, err)
				}
				data = ct
			}
		case attach.Regular:
			have, err := attach.Read(s.Repo.Root, rel, maxAttachment*2)
			if err != nil {
				return nil, i18n.Errorf("%w: %v", ErrRepository, err)
			}
			same := bytes.Equal(have, so.Data)
			if encrypted {
				// The same clear file attached again keeps its ciphertext,
				// when the actor can tell (a reader).
				ident, _ := s.Identity()
				clear, err := ident.OpenFile(have)
				if errors.Is(err, crypt.ErrNotReader) {
					return nil, refused("attachment-exists", "refused: %s already exists, encrypted, and you cannot read it to compare; attachments are never overwritten: rename the new file; nothing was changed", rel)
				}
				same = err == nil && bytes.Equal(clear, so.Data)
				data = have
			}
			if !same {
				return nil, refused("attachment-exists", "refused: %s already exists with other content; attachments are never overwritten: rename the new file; nothing was changed", rel)
			}
		default:
			return nil, refused("attachment-type", "refused: %s is %s; remove it first; nothing was changed", rel, st.Phrase())
		}
		sum := attach.SumBytes(data)
		files = append(files, Edit{Path: rel, Data: data, File: true})
		i := -1
		for _, e := range listed {
			if e.Path == rel {
				i = e.Index
				break
			}
		}
		switch {
		case i < 0:
			entry := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "path"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: rel},
				{Kind: yaml.ScalarNode, Tag: "!!str", Value: "sha256"}, hashNode(sum),
			}}
			if err := ed.Set(attach.Field, entry, true); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			listed = append(listed, attach.Entry{Path: rel, SHA256: sum, Index: len(listed)})
		case listed[i].SHA256 != sum && rec != nil && workflow.Sealed(rec):
			return nil, refused("attachment-sealed", "refused: %s is %s and lists %s with another SHA-256: a sealed record's attachment is never replaced; nothing was changed", rec.ID, i18n.Word{Group: "state", Key: rec.Status()}, rel)
		case listed[i].SHA256 != sum:
			if err := ed.Set(attach.Field+"."+strconv.Itoa(i)+".sha256", hashNode(sum), false); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	data, err := ed.Bytes()
	if err != nil {
		return nil, err
	}
	return append([]Edit{{Path: path, Before: rec, Data: data}}, files...), nil
}

// checkSealed refuses a move out of a record's first state while one of
// its attachments is not committed as listed: untracked or changed in git,
// a symbolic link, missing, or not matching its SHA-256. Every clone then
// sees what was submitted, approved or paid.
func (s *Session) checkSealed(before, after *record.Record, pending map[string][]byte) error {
	if after == nil || workflow.Initial(after) || (before != nil && before.Status() == after.Status()) {
		return nil
	}
	var paths []string
	sums := map[string]string{}
	for _, e := range rules.Listed(after) {
		paths = append(paths, e.Path)
		sums[e.Path] = e.SHA256
	}
	for _, n := range rules.NamedAttachments(after) {
		if _, ok := sums[n.Path]; !ok {
			paths = append(paths, n.Path)
			sums[n.Path] = ""
		}
	}
	refuse := func(rel string, why, fix i18n.Phrase) error {
		return refused("attachment-uncommitted", "refused: %s cannot be %s: its attachment %s %s; %s; nothing was changed", after.ID, i18n.Word{Group: "state", Key: after.Status()}, rel, why, fix)
	}
	stat, sum := func(rel string) attach.State { return attach.Stat(s.Repo.Root, rel) }, func(rel string) (string, error) { return attach.Sum(s.Repo.Root, rel) }
	if s.files != nil {
		stat, sum = s.files.stat, s.files.sum // a preview's: remembered, and told by SeenFiles
	}
	var check []string
	for _, rel := range paths {
		if err := attach.CheckPath(rel); err != nil {
			return refuse(rel, i18n.P("is not a valid attachment path (%v)", err), i18n.P("list it under %s/ with `opsbook attach`", attach.Folder(after.ID)))
		}
		if _, ok := pending[rel]; ok {
			continue // committed with this change
		}
		switch st := stat(rel); st {
		case attach.Regular:
		case attach.Missing:
			return refuse(rel, i18n.P("does not exist"), i18n.P("restore it (git checkout -- %s) or attach it with `opsbook attach %s FILE`", rel, after.ID))
		default:
			return refuse(rel, i18n.P("is %s", st.Phrase()), i18n.P("replace it with the file itself and attach that with `opsbook attach %s FILE`", after.ID))
		}
		if want := sums[rel]; want != "" {
			got, err := sum(rel)
			if err != nil {
				return refuse(rel, i18n.P("cannot be read (%v)", err), i18n.P("fix the file"))
			}
			if got != want {
				return refuse(rel, i18n.P("has SHA-256 %s, not the %s the record lists", got, want), i18n.P("restore the attached file (git checkout -- %s)", rel))
			}
		}
		check = append(check, rel)
	}
	if len(check) == 0 {
		return nil
	}
	dirty, err := s.dirty(check)
	if err != nil {
		return i18n.Errorf("%w: %v", ErrRepository, err)
	}
	if len(dirty) > 0 {
		return refuse(strings.Join(dirty, ", "), i18n.P("is not committed as it is (untracked, or changed since HEAD)"), i18n.P("attach it with `opsbook attach %s FILE` (which commits it) or commit it with git", after.ID))
	}
	return nil
}

// dirty is Git.Dirty, remembered per path in a preview (which tries many
// moves over files nothing changes meanwhile; reading the index is the
// cost).
func (s *Session) dirty(paths []string) ([]string, error) {
	if s.files == nil {
		return s.Git.Dirty(paths)
	}
	// the repository's reader is one goroutine's at a time (a preview's
	// workers share it)
	s.files.git.Lock()
	defer s.files.git.Unlock()
	var ask []string
	for _, p := range paths {
		if _, ok := s.files.dirty.Load(p); !ok {
			ask = append(ask, p)
		}
	}
	if len(ask) > 0 {
		d, err := s.Git.Dirty(ask)
		if err != nil {
			return nil, err
		}
		for _, p := range ask {
			s.files.dirty.Store(p, false)
		}
		for _, p := range d {
			s.files.dirty.Store(p, true)
		}
	}
	var out []string
	for _, p := range paths {
		if v, _ := s.files.dirty.Load(p); v == true {
			out = append(out, p)
		}
	}
	return out, nil
}

// checkCommitted makes sure each attached file went into commit hash as it
// was read and hashed. The commit is built from the edits' bytes, so this
// is a last check that nothing between (a hook, a future change to how
// commits are built) put other content under the listed hash.
func (s *Session) checkCommitted(hash string, edits []Edit) error {
	for _, e := range edits {
		if !e.File {
			continue
		}
		got, err := s.Git.BlobAt(hash, e.Path)
		if e.Data == nil {
			// A file removed (a clear file replaced by its .age).
			if err == nil {
				return i18n.Errorf("commit %s still holds %s, which it should have removed: remove it with git rm and commit", hash[:12], e.Path)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, e.Data) {
			return i18n.Errorf("commit %s holds %s with other content than was attached (the file changed while opsbook committed it): `opsbook validate` reports it as attachment-hash; attach the file again after `git revert %s`", hash[:12], e.Path, hash[:12])
		}
	}
	return nil
}

// hashNode writes a hash quoted: a plain scalar of digits and letters reads
// as text, but quoted it never looks like a number to a reader.
func hashNode(sum string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: sum, Style: yaml.DoubleQuotedStyle}
}

// uncommittedAttachments refuses to call an attach "unchanged" when the
// record and files already say so but are not committed (an earlier
// attach --no-commit): the user would believe them committed.
func (s *Session) uncommittedAttachments(edits []Edit, paths []string) error {
	files := false
	for _, e := range edits {
		files = files || e.File
	}
	if !files || !s.Commit {
		return nil
	}
	dirty, err := s.Git.Dirty(paths)
	if err != nil {
		return i18n.Errorf("%w: %v", ErrRepository, err)
	}
	if len(dirty) == 0 {
		return nil
	}
	if len(dirty) == 1 {
		return refused("uncommitted", "refused: the files already say so, but %s is not committed (an earlier --no-commit?); commit them with git (git add -- %s && git commit) or discard them", dirty[0], dirty[0])
	}
	return refused("uncommitted", "refused: the files already say so, but %s are not committed (an earlier --no-commit?); commit them with git (git add -- %s && git commit) or discard them", strings.Join(dirty, ", "), strings.Join(dirty, " "))
}

func readerHandles(rs []crypt.Reader) string {
	if len(rs) == 0 {
		return "-"
	}
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Handle
	}
	return strings.Join(out, ", ")
}
