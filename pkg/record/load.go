package record

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"golang.org/x/text/unicode/norm"
)

// Set is every record of a repository, in path order, indexed by id and
// by kind.
type Set struct {
	Records []*Record
	byKind  map[Kind][]*Record

	// The id index is built on first use (a list of one kind may never
	// look an id up), once, whichever goroutine asks first.
	ids    sync.Once
	byID   map[string]*Record // the holder of each id (Get)
	shared map[string][]*Record
	byFile map[string]*Record
}

// NewSet indexes records (sorted by path).
func NewSet(recs []*Record) *Set {
	if !sort.SliceIsSorted(recs, func(i, j int) bool { return recs[i].Path < recs[j].Path }) {
		sort.Slice(recs, func(i, j int) bool { return recs[i].Path < recs[j].Path })
	}
	s := &Set{Records: recs, byKind: map[Kind][]*Record{}}
	for _, r := range recs {
		s.byKind[r.Kind] = append(s.byKind[r.Kind], r)
	}
	return s
}

// index builds the id index.
func (s *Set) index() {
	s.ids.Do(func() {
		s.byID = make(map[string]*Record, len(s.Records))
		s.shared = map[string][]*Record{}
		for _, r := range s.Records {
			if r.ID != "" {
				if first, dup := s.byID[r.ID]; !dup {
					s.byID[r.ID] = r
				} else if rs := s.shared[r.ID]; rs == nil {
					s.shared[r.ID] = []*Record{first, r}
				} else {
					s.shared[r.ID] = append(rs, r)
				}
			}
			// A record whose id field disagrees with its file name (reported
			// as file-location) is still found under the file's name, so
			// that the references to it do not each report a second,
			// misleading error.
			if name := strings.TrimSuffix(path.Base(r.Path), ".yaml"); name != r.ID {
				if s.byFile == nil {
					s.byFile = map[string]*Record{}
				}
				s.byFile[name] = r
			}
		}
		// an id held twice is the record filed under it, whatever file
		// elsewhere states it too
		for id, rs := range s.shared {
			for _, r := range rs {
				if FiledUnderID(r) {
					s.byID[id] = r
					break
				}
			}
		}
	})
}

// FiledUnderID reports whether r's file is where its kind files its id
// (its kind's folder, and year, under the records folder, the id as its
// name).
func FiledUnderID(r *Record) bool { return FiledAt(r.Path, r.Kind, r.ID) }

// FiledAt is FiledUnderID for a record of kind k and id at path, without
// making a string: a test of every file of a department (an id stated by
// two files has one not filed under it).
func FiledAt(p string, k Kind, id string) bool {
	if k == "" || id == "" {
		return false
	}
	ki := Info(k)
	rest, ok := strings.CutSuffix(p, ".yaml")
	if !ok {
		return false
	}
	if rest, ok = cutSegment(rest, id); !ok {
		return false
	}
	if ki.Yearly {
		if rest, ok = cutSegment(rest, IDYear(id)); !ok {
			return false
		}
	}
	_, ok = cutSegment(rest, ki.Dir)
	return ok // under any records folder, as RelPath is under it
}

// cutSegment cuts the last segment of the slashed path p when it is seg:
// what is before it, without the slash ("records/expenses" of
// "records/expenses/2026" and "2026").
func cutSegment(p, seg string) (string, bool) {
	rest, ok := strings.CutSuffix(p, seg)
	if !ok || seg == "" {
		return p, false
	}
	if rest == "" {
		return "", true
	}
	if !strings.HasSuffix(rest, "/") {
		return p, false
	}
	return rest[:len(rest)-1], true
}

// Get returns the record with this id: when several files state it, the
// one filed under it (FiledUnderID), else the first by path.
func (s *Set) Get(id string) *Record {
	s.index()
	if r := s.byID[id]; r != nil {
		return r
	}
	return s.byFile[id]
}

// All returns every record holding id.
func (s *Set) All(id string) []*Record {
	s.index()
	if rs := s.shared[id]; rs != nil {
		return rs
	}
	if r := s.byID[id]; r != nil {
		return []*Record{r}
	}
	return nil
}

// OfKind returns the records of kind k in path order. The slice is the
// set's own index: read it, do not reorder it (appending is safe).
func (s *Set) OfKind(k Kind) []*Record {
	if s.byKind == nil { // a Set built without NewSet
		var out []*Record
		for _, r := range s.Records {
			if r.Kind == k {
				out = append(out, r)
			}
		}
		return out
	}
	l := s.byKind[k]
	return l[:len(l):len(l)]
}

// Shared returns the ids held by more than one record, each with its
// records in path order.
func (s *Set) Shared() map[string][]*Record {
	s.index()
	out := make(map[string][]*Record, len(s.shared))
	for id, rs := range s.shared {
		out[id] = rs
	}
	return out
}

// Source is a file to parse: its path relative to the repository root and,
// when already read, its bytes.
type Source struct {
	Path string
	Data []byte
}

// Walk lists the record files under root/dir. Symbolic links and other
// non-regular files are reported and never followed; files that are not
// .yaml are reported as warnings (except dotfiles such as .gitkeep).
func Walk(root, dir string) ([]string, []diag.Diagnostic, error) {
	return WalkEach(root, dir, nil)
}

// WalkEach is Walk calling each, when not nil, with the record files of
// each folder as soon as the folder is listed (by name; all the calls
// together give the files in the walk's order, which the sorted result
// may not keep): a caller can start on a folder's files while the walk
// goes on.
func WalkEach(root, dir string, each func(files []string)) ([]string, []diag.Diagnostic, error) {
	base := filepath.Join(root, filepath.FromSlash(dir))
	info, err := os.Lstat(base)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, i18n.Errorf("there is no records folder %q in %s: create it, or start a department with `opsbook init`", dir, root)
		}
		return nil, nil, i18n.Errorf("reading records folder %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, nil, i18n.Errorf("records folder %s is not a directory", dir)
	}
	rel, _ := filepath.Rel(root, base)
	w := &walker{each: each}
	w.walk(base, filepath.ToSlash(rel))
	files := w.sorted()
	return files, w.ds, nil
}

// WalkKinds is Walk limited to the folders of the given kinds, for commands
// that read only some kinds: the other folders are not listed at all. A
// kind without a folder has no files; files elsewhere under dir (strays
// that Walk would report) are neither listed nor reported.
func WalkKinds(root, dir string, kinds []Kind) ([]string, []diag.Diagnostic, error) {
	return WalkKindsEach(root, dir, kinds, nil)
}

// WalkKindsEach is WalkKinds calling each as WalkEach does.
func WalkKindsEach(root, dir string, kinds []Kind, each func(files []string)) ([]string, []diag.Diagnostic, error) {
	base := filepath.Join(root, filepath.FromSlash(dir))
	info, err := os.Lstat(base)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, i18n.Errorf("there is no records folder %q in %s: create it, or start a department with `opsbook init`", dir, root)
		}
		return nil, nil, i18n.Errorf("reading records folder %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, nil, i18n.Errorf("records folder %s is not a directory", dir)
	}
	rel, _ := filepath.Rel(root, base)
	rel = filepath.ToSlash(rel)
	w := &walker{each: each}
	seen := map[string]bool{}
	for _, k := range kinds {
		name := Info(k).Dir
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		r := rel + "/" + name
		if rel == "." {
			r = name
		}
		fi, err := os.Lstat(filepath.Join(base, name))
		switch {
		case err != nil && os.IsNotExist(err):
		case err != nil:
			w.ds = append(w.ds, fileDiag(r, "file-read", "cannot read: %v", err))
		case fi.Mode()&fs.ModeSymlink != 0:
			w.ds = append(w.ds, fileDiag(r, "file-type", "symbolic link: records must be regular files (links are never followed)"))
		case fi.IsDir():
			w.walk(filepath.Join(base, name), r)
		}
	}
	files := w.sorted()
	return files, w.ds, nil
}

// ListFolder lists the record files directly in the folder rel (relative
// to root, with slashes) as Walk lists them there, with the same
// diagnostics of its names, without going into its folders: for a caller
// that knows which folders changed since it last walked (package monitor).
func ListFolder(root, rel string) ([]string, []diag.Diagnostic) {
	w := &walker{flat: true}
	w.walk(filepath.Join(root, filepath.FromSlash(rel)), rel)
	return w.sorted(), w.ds
}

// walker lists a folder tree in the order filepath.WalkDir would, building
// each relative path once rather than deriving it from the absolute one.
type walker struct {
	dirs [][]string // each folder's record files
	n    int        // how many in all
	ds   []diag.Diagnostic
	each func(files []string) // see WalkEach
	flat bool                 // list one folder, not the folders in it
}

// sorted returns the record files listed, sorted, in one slice made at
// its size.
func (w *walker) sorted() []string {
	files := make([]string, 0, w.n)
	for _, d := range w.dirs {
		files = append(files, d...)
	}
	sort.Strings(files)
	return files
}

func (w *walker) walk(abs, rel string) {
	entries, err := readDir(abs)
	if err != nil {
		w.ds = append(w.ds, fileDiag(rel, "file-read", "cannot read: %v", err))
		return
	}
	prefix := rel + "/"
	if rel == "." {
		prefix = ""
	}
	if rel != "." {
		for _, d := range entries {
			if d.name == ".git" {
				// A submodule (or a repository made inside): its files
				// are in another repository's history, never judged by
				// verify, and git status here shows nothing of them.
				w.ds = append(w.ds, fileDiag(rel, "file-type", "a git repository (a submodule) inside the records folder: its files are in another repository's history, which verify never judged; records are files of this repository (remove the folder, and the submodule from git)"))
				return
			}
		}
	}
	seen := newFoldSet(len(entries))
	var records []string // the names of the record files, for one block of paths
	for _, d := range entries {
		name := d.name
		if twin, ok := seen.add(name); ok {
			// Git and Linux keep both; a case-insensitive checkout keeps
			// one, whichever was written last.
			if SameLetters(name, twin) {
				w.ds = append(w.ds, fileDiag(prefix+name, "file-location", "%q differs from %q only in Unicode normalisation (an accented letter written as one character in one, as a letter and an accent in the other): on a file system that normalises names (macOS) one hides the other; rename or remove it", name, twin))
			} else {
				w.ds = append(w.ds, fileDiag(prefix+name, "file-location", "%q differs from %q only in letter case: on a case-insensitive file system (macOS, Windows) one hides the other; rename or remove it", name, twin))
			}
		}
		switch {
		case d.typ&fs.ModeSymlink != 0:
			w.ds = append(w.ds, fileDiag(prefix+name, "file-type", "symbolic link: records must be regular files (links are never followed)"))
		case d.typ.IsDir():
			if !strings.HasPrefix(name, ".") && !w.flat {
				w.walk(filepath.Join(abs, name), prefix+name)
			}
		case !d.typ.IsRegular():
			w.ds = append(w.ds, fileDiag(prefix+name, "file-type", "not a regular file: records must be regular files"))
		case strings.HasPrefix(name, "."):
		case strings.HasSuffix(name, ".yaml"):
			records = append(records, name)
		case strings.HasSuffix(name, ".yml"):
			w.ds = append(w.ds, fileDiag(prefix+name, "file-location", "record files end in .yaml, not .yml: rename it to be read"))
		default:
			dg := fileDiag(prefix+name, "file-location", "not a record file (.yaml): attachments belong in attachments/")
			dg.Severity = diag.Warning
			w.ds = append(w.ds, dg)
		}
	}
	// The folder's record paths are made in one string, each a slice of
	// it: one allocation a folder rather than one a file.
	size := 0
	for _, name := range records {
		size += len(prefix) + len(name)
	}
	var b strings.Builder
	b.Grow(size)
	for _, name := range records {
		b.WriteString(prefix)
		b.WriteString(name)
	}
	all := b.String()
	paths := make([]string, len(records))
	for i, name := range records {
		n := len(prefix) + len(name)
		paths[i], all = all[:n], all[n:]
	}
	if w.each != nil && len(paths) > 0 {
		w.each(paths) // the caller's: the listing is sorted in a slice of its own
	}
	w.dirs, w.n = append(w.dirs, paths), w.n+len(paths)
}

// foldSet finds the names of a folder that a case-insensitive,
// normalising file system sees as one (foldName). Names are kept by a
// hash of their folded form, made without allocating for ASCII names
// (nearly all); names whose hashes meet are compared in full.
type foldSet struct {
	first map[uint64]string   // the first name of each hash
	more  map[uint64][]string // later names of a hash met again, not twins
}

func newFoldSet(n int) *foldSet { return &foldSet{first: make(map[uint64]string, n)} }

// add adds name and returns an earlier name it folds to, if any.
func (s *foldSet) add(name string) (string, bool) {
	k := foldHash(name)
	first, ok := s.first[k]
	if !ok {
		s.first[k] = name
		return "", false
	}
	for _, other := range append([]string{first}, s.more[k]...) {
		if foldName(other) == foldName(name) {
			return other, true
		}
	}
	if s.more == nil {
		s.more = map[uint64][]string{}
	}
	s.more[k] = append(s.more[k], name)
	return "", false
}

// foldHash is the FNV-1a hash of foldName(name).
func foldHash(name string) uint64 {
	folded, ascii := name, true
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			folded, ascii = foldName(name), false
			break
		}
	}
	h := uint64(14695981039346656037)
	for i := 0; i < len(folded); i++ {
		c := folded[i]
		if ascii && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A' // foldName of an ASCII name
		}
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// SameLetters reports whether two names that a case-insensitive,
// normalising file system sees as one are the same letters in the same
// case, written in two Unicode normalisations ("café" with é as one
// character or as e and a combining accent): the difference is not one of
// letter case, and a message should not say it is.
func SameLetters(a, b string) bool { return norm.NFC.String(a) == norm.NFC.String(b) }

// foldName is a file name as a case-insensitive, normalising file system
// sees it.
func foldName(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// fileDiag is a diagnostic about file p as a whole.
//
// i18n:format 2
func fileDiag(p, rule, format string, args ...any) diag.Diagnostic {
	msg, text := i18n.Both(format, args...)
	return diag.Diagnostic{Path: p, Line: 1, Column: 1, Severity: diag.Error, Rule: rule, Message: msg, Text: text}
}

// ReadFile reads a record file without following a symbolic link.
func ReadFile(root, rel string) ([]byte, error) {
	p := filepath.Join(root, filepath.FromSlash(rel))
	info, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", rel)
	}
	if info.Size() > MaxFileSize {
		// Let Parse report the size without reading the whole file.
		return make([]byte, MaxFileSize+1), nil
	}
	return os.ReadFile(p)
}

// Load reads and parses every record under root/dir, on all cores. Files
// that cannot be parsed yield diagnostics and no record.
func Load(ctx context.Context, root, dir string) ([]*Record, []diag.Diagnostic, error) {
	files, ds, err := Walk(root, dir)
	if err != nil {
		return nil, nil, err
	}
	recs, pds, err := ParseFiles(ctx, root, dir, files)
	return recs, append(ds, pds...), err
}

// ParseFiles reads and parses the given files (relative to root) concurrently
// and checks that each one's kind and id agree with its place under dir.
func ParseFiles(ctx context.Context, root, dir string, files []string) ([]*Record, []diag.Diagnostic, error) {
	type result struct {
		rec   *Record
		diags []diag.Diagnostic
	}
	results := make([]result, len(files))
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				rel := files[i]
				data, err := ReadFile(root, rel)
				if err != nil {
					results[i] = result{diags: []diag.Diagnostic{fileDiag(rel, "file-read", "cannot read: %v", err)}}
					continue
				}
				rec, ds := ParseLean(rel, data)
				if rec != nil {
					ds = append(ds, CheckPlace(rec, dir)...)
				}
				results[i] = result{rec, ds}
			}
		}()
	}
	var err error
feed:
	for i := range files {
		select {
		case next <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err != nil {
		return nil, nil, err
	}
	var recs []*Record
	var ds []diag.Diagnostic
	for _, r := range results {
		if r.rec != nil {
			recs = append(recs, r.rec)
		}
		ds = append(ds, r.diags...)
	}
	return recs, ds, nil
}

// placeDiag is a file-location diagnostic at field of r.
func placeDiag(r *Record, field string, why i18n.Phrase) diag.Diagnostic {
	line, col := r.Pos(field)
	msg, text := i18n.Texts(why)
	return diag.Diagnostic{Path: r.Path, Line: line, Column: col, Severity: diag.Error,
		Rule: "file-location", Message: msg, Text: text, Record: r.ID}
}

// CheckPlace reports a record whose kind or id disagrees with where its file
// is. It fills in the record's kind from its folder when the file's own kind
// field is missing or wrong, so later checks still apply.
func CheckPlace(r *Record, dir string) []diag.Diagnostic {
	var ds []diag.Diagnostic
	rel := strings.TrimPrefix(r.Path, strings.TrimSuffix(path.Clean(dir), "/")+"/")
	kind, id, err := Locate(rel)
	if pe, ok := err.(*PlaceError); ok {
		ds = append(ds, placeDiag(r, "", pe.Why))
	}
	if kind == "" {
		// No kind's folder: the file is no record of any kind, whatever
		// its kind field says. A person file in records/misc/ would
		// otherwise be someone in the registry (a role, an email) that
		// verify, which reads people only from people/, never saw.
		r.Kind = ""
		return ds
	}
	kindValue, _ := r.Data.Get("kind")
	fileKind := Text(kindValue)
	if fileKind != "" && fileKind != string(kind) {
		ds = append(ds, placeDiag(r, "kind", i18n.P("kind is %q but the file is in %s/, the folder of %s records", fileKind, Info(kind).Dir, kindWord(kind))))
	}
	// The folder decides the kind: a wrong kind field is reported above, and
	// the record is checked as what its place says it is.
	r.Kind = kind
	if r.ID != "" && id != "" && r.ID != id && err == nil {
		ds = append(ds, placeDiag(r, "id", i18n.P("id %s does not match the file name %s.yaml", r.ID, id)))
	}
	if kind == Person && (err != nil || r.ID != id) {
		// Only a file directly in people/, named after its handle, is
		// someone: verify judges each commit by that registry, read by
		// file name. people/x/boss.yaml, or people/boss.yaml saying
		// id: li.wei, role: leadership, is nobody (and an error).
		r.Kind = ""
	}
	return ds
}

// dirEntry is a folder's entry: its name and type (fs.FileMode.Type).
type dirEntry struct {
	name string
	typ  fs.FileMode
}
