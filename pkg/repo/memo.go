package repo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/monitor"
)

// A memo keeps an answer computed from the whole department (the summary,
// with validate's counts; a person's inbox) in .git/opsbook, to be given
// again without the full read while nothing it depends on has changed. It
// depends on:
//
//   - the department's fingerprint: the opsbook build, the schemas, the
//     reader's language, the policy file's bytes and the OPSBOOK_*
//     variables read with it (config.Environment), and every record
//     file's path and content hash (from the refreshed index);
//   - the attachments the rules looked at: what is at each path (missing,
//     a link, a regular file) and the file's stat data, taken after the
//     full pass and only kept when older than the racy window, so that an
//     unchanged stat means unchanged content (as git's index assumes);
//   - for an answer that asked whether files are committed as they are
//     (the inbox's tried moves), those files' answers (Dirty), asked
//     again by the caller before it reuses the memo;
//   - for an answer that read the history (who of a closed project's
//     team had left when it closed: rules.Context.LeftAtClose), what it
//     read and the commit HEAD was (History): the caller asks again when
//     HEAD is another commit (a history rewritten with the same files, a
//     commit made since) before it reuses the memo;
//   - the moment: an answer made as of N is given again at M only when M
//     has N's calendar day (in M's zone), N <= M and M is before the
//     horizon the checks and reports registered (rules.Horizon).
//
// Anything else (a missing or damaged memo, another fingerprint, a file
// the index cannot read) means the full pass, which writes a new memo.
type Memo struct {
	// Name is the memo's name (whose answer it is: the inbox of which
	// viewer, zone and identity), set by SaveMemo; LoadMemo refuses a
	// memo under another name (one viewer's memo copied over another's).
	Name        string     `json:"name"`
	Fingerprint string     `json:"fingerprint"`
	Day         string     `json:"day"`
	From        time.Time  `json:"from"`
	Until       *time.Time `json:"until"` // nil: no instant registered (the day decides)
	Files       []SeenFile `json:"files"`
	// Dirty holds, for each path whose commit state the answer asked
	// (gitstore's Dirty: a move's attachments must be committed as they
	// are), the answer then; the caller asks again before reusing it.
	Dirty map[string]bool `json:"dirty,omitempty"`
	// History is what the answer read of the git history; nil: nothing.
	History *HistoryRead `json:"history,omitempty"`
	// Token, when not empty, is the file-system monitor's token the
	// record files were fingerprinted as of, Listed when every file had
	// last been listed (Unix seconds), and Head the fingerprint's part
	// that is not the record files (MemoHead): while the monitor names no
	// change since Token, the record files are as fingerprinted, and the
	// memo is found without refreshing the index (see Vouched).
	Token  string `json:"token,omitempty"`
	Listed int64  `json:"listed,omitempty"`
	Head   string `json:"head,omitempty"`
	// Value is the answer, as JSON: kept after the rest in the file (see
	// SaveMemo), so reading the rest does not scan it.
	Value json.RawMessage `json:"-"`
	// Warning is what the command said on standard error of the files
	// that are no records (left out of the answer), said again with the
	// answer: the fingerprint holds those files' content, and the
	// reader's language.
	Warning string `json:"warning,omitempty"`
}

// SeenFile is what was at an attachment path when a memo was made.
type SeenFile struct {
	Path  string       `json:"path"`
	State attach.State `json:"state"`
	Stat  cache.Stat   `json:"stat"`
}

// HistoryRead is what an answer read of the git history: who of each
// closed project's team had left when it closed (rules.Context.LeftAtClose,
// by the project's path), asked when HEAD was the commit Head ("" for
// none).
type HistoryRead struct {
	Head string                `json:"head"`
	Left map[string]LeftAnswer `json:"left"`
}

// LeftAnswer is rules.Context.LeftAtClose's answer for a project: who had
// left (Left), when Known.
type LeftAnswer struct {
	Left  []string `json:"left,omitempty"`
	Known bool     `json:"known"`
}

// MemoFormat is the memo files' format; bump it on every change.
const MemoFormat = 7

// MemoHead is the part of a department's fingerprint that is not its
// record files: the opsbook build, the schemas and categories, the
// encryption policy, the policy file's bytes, and the OPSBOOK_* variables
// that override or are warned of with it (config.Environment). ok is
// false when the policy file cannot be read.
func MemoHead(root string, pol *config.Policy) (head string, ok bool) {
	data, err := os.ReadFile(filepath.Join(root, config.FileName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", false
	}
	return memoHead(pol, data), true
}

// memoHead is MemoHead of the policy file's bytes data (nil: no file).
func memoHead(pol *config.Policy, data []byte) string {
	h := sha256.New()
	key := cache.NewKey(pol.Records, pol.ExpenseCategories, append(slices.Clone(pol.ComplaintCategories), encryptKey(pol)))
	fmt.Fprintf(h, "opsbook memo %d\x00", MemoFormat)
	h.Write(key[:])
	fmt.Fprintf(h, "%d\x00", len(data))
	h.Write(data)
	env := config.Environment()
	fmt.Fprintf(h, "%d\x00%s", len(env), env)
	return hex.EncodeToString(h.Sum(nil))
}

// Fingerprint is the department's fingerprint (see Memo): MemoHead and
// every record file's path and content hash, a file that is no record
// (broken YAML) included; ok is false when a record file could not be
// read at all (no content to hash: the full read warns of it). A file of
// the records folder that is no record (IndexStats.Strays: no entry, but
// a warning of the full read) is in it by its path.
func (d *Indexed) Fingerprint() (fp string, ok bool) {
	for _, e := range d.Index.Entries {
		if e.Kind == "" && e.Hash == (cache.Hash{}) {
			return "", false
		}
	}
	head, ok := MemoHead(d.Root, d.Policy)
	if !ok {
		return "", false
	}
	d.head = head
	es, strays := d.Index.Entries, d.Stats.Strays
	return fingerprint(head, len(es)+len(strays), func(i int) (string, cache.Hash) {
		if i >= len(es) {
			// no record's path begins with NUL
			return "\x00" + strays[i-len(es)], cache.Hash{}
		}
		return es[i].Path, es[i].Hash
	}), true
}

// FingerprintHead is the MemoHead that Fingerprint last hashed ("" before
// it gave one): the head a memo keeps for the monitor's word
// (Memo.Head) is the one in its fingerprint, not one taken again later,
// when the policy file may hold another policy than the answer's.
func (d *Indexed) FingerprintHead() string { return d.head }

// Fingerprint is the fingerprint of the department as this full load read
// it: MemoHead of the policy file's bytes the load read (not of those the
// file holds by now) and the path and content hash of every record file
// the load read, the same as Indexed.Fingerprint's of the same files. A
// command whose answer is made from the load stores it under this, with
// no second refresh of the index to learn whether a file changed during
// the pass: the answer is of the files as read. ok is false when the load
// could not read some file at all (a file read that is no record counts,
// by its content), met a listing hazard, read only some kinds, judged by a
// policy given (Options.Policy), or read without the cache (no hashes).
func (r *Repo) Fingerprint() (fp string, ok bool) {
	if r.read == nil || r.head == "" {
		return "", false
	}
	return fingerprint(r.head, len(r.read), func(i int) (string, cache.Hash) {
		return r.read[i].path, r.read[i].hash
	}), true
}

// readFile is a record file a full load read, and its content hash.
type readFile struct {
	path string
	hash cache.Hash
}

// fingerprint hashes head (MemoHead) and the n files at(i) gives, by path.
func fingerprint(head string, n int, at func(int) (string, cache.Hash)) string {
	h := sha256.New()
	h.Write([]byte(head))
	buf := make([]byte, 0, 64<<10)
	for i := range n {
		p, sum := at(i)
		buf = append(append(append(buf, p...), 0), sum[:]...)
		if len(buf) > 60<<10 {
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

// MonitorMark is the monitor's token and last full listing the refreshed
// entries hold as of, for a memo (Memo.Token); ok is false when there is
// none, or some entry has a second name or could not be read (a change
// through another name escapes the monitor).
func (d *Indexed) MonitorMark() (token string, listed int64, ok bool) {
	if d.Stats.Token == "" {
		return "", 0, false
	}
	for _, e := range d.Index.Entries {
		if e.Linked || e.Kind == "" {
			return "", 0, false
		}
	}
	return d.Stats.Token, d.Stats.Listed, true
}

// Vouched tells whether the monitor vouches that the record files are as
// they were when m was made (m.Token: see Memo) and the rest of the
// fingerprint (MemoHead) is the same: then m's fingerprint is the
// department's, without a refresh of the index. Every file must have been
// listed within FullListingEvery (a change through a second name made
// since escapes the monitor until then).
func (m *Memo) Vouched(root string, pol *config.Policy) bool {
	if m.Token == "" || m.Head == "" {
		return false
	}
	now, listed := time.Now(), time.Unix(m.Listed, 0)
	if now.Sub(listed) > FullListingEvery || listed.After(now.Add(time.Minute)) {
		return false
	}
	if head, ok := MemoHead(root, pol); !ok || head != m.Head {
		return false
	}
	ans, err := monitor.Ask(cache.Dir(root), root, pol.Records, m.Token)
	return err == nil && !ans.Reset && len(ans.Files) == 0 && len(ans.Dirs) == 0
}

// SeeFiles takes what is at each attachment path, for a memo made by a
// pass that started at start; ok is false when a file changed too
// recently for its stat data to vouch for its content.
func SeeFiles(root string, paths []string, start time.Time) (out []SeenFile, ok bool) {
	out = seeFiles(root, paths)
	for _, f := range out {
		if f.State == attach.Regular && !cache.Trust(f.Stat, start) {
			return nil, false
		}
	}
	return out, true
}

// SameFiles reports whether every attachment path still holds what it held.
func SameFiles(root string, seen []SeenFile) bool {
	paths := make([]string, len(seen))
	for i, f := range seen {
		paths[i] = f.Path
	}
	for i, f := range seeFiles(root, paths) {
		if f != seen[i] {
			return false
		}
	}
	return true
}

// seeFiles is attach.Stat for many paths, each folder on the way looked at
// once, with the regular files' stat data.
func seeFiles(root string, paths []string) []SeenFile {
	dirs := map[string]attach.State{} // a folder's state: Regular for a real folder
	dirState := func(rel string) attach.State {
		if st, ok := dirs[rel]; ok {
			return st
		}
		st := attach.Regular
		fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			st = attach.Missing
		case err != nil:
			st = attach.Other
		case fi.Mode()&fs.ModeSymlink != 0:
			st = attach.Link
		case !fi.IsDir():
			st = attach.Missing
		}
		dirs[rel] = st
		return st
	}
	out := make([]SeenFile, len(paths))
	for i, p := range paths {
		out[i] = SeenFile{Path: p, State: seeFile(root, p, dirState)}
		if out[i].State == attach.Regular {
			if fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); err == nil && fi.Mode().IsRegular() {
				out[i].Stat = cache.StatOf(fi)
			} else {
				out[i].State = attach.Other // changed under us: never equal
			}
		}
	}
	return out
}

// seeFile is attach.Stat's answer for rel, the folders' answers taken from
// dirState.
func seeFile(root, rel string, dirState func(string) attach.State) attach.State {
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		if part == "" || part == "." || part == ".." {
			return attach.Other
		}
		if i == len(parts)-1 {
			break
		}
		if st := dirState(strings.Join(parts[:i+1], "/")); st != attach.Regular {
			return st
		}
	}
	fi, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return attach.Missing
	case err != nil:
		return attach.Other
	case fi.Mode()&fs.ModeSymlink != 0:
		return attach.Link
	case !fi.Mode().IsRegular():
		return attach.Other
	}
	return attach.Regular
}

// Holds reports whether a memo made as of m.From holds at now, for this
// fingerprint.
func (m *Memo) Holds(fp string, now time.Time) bool {
	return m.Fingerprint == fp && now.Format(time.DateOnly) == m.Day && !now.Before(m.From) &&
		(m.Until == nil || now.Before(*m.Until))
}

func memoPath(root, name string) string {
	d := cache.Dir(root)
	if d == "" {
		return ""
	}
	return filepath.Join(d, "memo-"+name)
}

// LoadMemo reads the memo called name; a missing, damaged or foreign one
// is an error.
func LoadMemo(root, name string) (*Memo, error) {
	p := memoPath(root, name)
	if p == "" {
		return nil, ErrNoIndex
	}
	data, err := cache.ReadFile(p)
	if err != nil {
		return nil, err
	}
	header, payload, ok := bytes.Cut(data, []byte("\n"))
	if !ok || string(header) != fmt.Sprintf("opsbook memo %d %x", MemoFormat, sha256.Sum256(payload)) {
		return nil, fmt.Errorf("memo %s: damaged or of another format", name)
	}
	envelope, value, ok := bytes.Cut(payload, []byte("\n"))
	if !ok {
		return nil, fmt.Errorf("memo %s: damaged or of another format", name)
	}
	m := &Memo{}
	if err := json.Unmarshal(envelope, m); err != nil {
		return nil, fmt.Errorf("memo %s: %w", name, err)
	}
	m.Value = value
	if m.Name != name {
		return nil, fmt.Errorf("memo %s: made as %q", name, m.Name)
	}
	return m, nil
}

// SaveMemo writes the memo called name atomically (cache.WriteFile); a
// memo that cannot be written costs time, never correctness.
func SaveMemo(root, name string, m *Memo) error {
	p := memoPath(root, name)
	if p == "" {
		return ErrNoIndex
	}
	named := *m
	named.Name = name
	j, err := json.Marshal(&named)
	if err != nil {
		return err
	}
	// the answer after the rest, on a line of its own (json.Marshal
	// writes no newline): read as it is, never scanned to find its end
	j = append(append(j, '\n'), m.Value...)
	data := fmt.Appendf(nil, "opsbook memo %d %x\n", MemoFormat, sha256.Sum256(j))
	if err := cache.WriteFile(p, ".memo.tmp-*", append(data, j...)); err != nil {
		return err
	}
	dropStaleMemos(filepath.Dir(p), time.Now())
	return nil
}

// memoStale is how long a memo file is kept unwritten: a memo holds only
// on the day it was made, and each viewer's inbox has its own, so old
// ones (a person who left, another time zone) would pile up.
const memoStale = 48 * time.Hour

// dropStaleMemos removes the memos in dir not written for memoStale. One
// made as of a fixed moment (--now) could still hold later; removing it
// costs a full pass, never a wrong answer.
func dropStaleMemos(dir string, now time.Time) {
	old, _ := filepath.Glob(filepath.Join(dir, "memo-*"))
	for _, p := range old {
		if info, err := os.Lstat(p); err == nil && info.Mode().IsRegular() && now.Sub(info.ModTime()) > memoStale {
			os.Remove(p)
		}
	}
}

// Trace prints, when OPSBOOK_TRACE is set, a line about a memo on
// standard error: a profiling aid, not output.
func Trace(format string, args ...any) {
	if traceOn {
		fmt.Fprintf(os.Stderr, "opsbook: "+format+"\n", args...)
	}
}

// Why says which condition of Holds fails ("" when it holds).
func (m *Memo) Why(fp string, now time.Time) string {
	switch {
	case m.Fingerprint != fp:
		return "the department changed"
	case now.Format(time.DateOnly) != m.Day:
		return "another day"
	case now.Before(m.From):
		return "earlier than it was made"
	case m.Until != nil && !now.Before(*m.Until):
		return "past its horizon " + m.Until.Format(time.RFC3339)
	}
	return ""
}
