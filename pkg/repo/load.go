package repo

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/progress"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/schema"
)

// Options change how a repository is read.
type Options struct {
	// Policy, when set, is the policy the records are judged by instead
	// of the work tree's .opsbook.yaml (validate --base: a branch's files
	// by the base branch's policy, records folder included).
	Policy *config.Policy
	// NoCache reads and parses every file, and neither reads nor writes the
	// cache (see package cache).
	NoCache bool
	// Progress, when set, is told how many of the record files have been
	// read, from one goroutine, about ten times a second and once at the
	// end (done == total).
	Progress func(done, total int)
	// Kinds, when set, limits the load to the records of these kinds: only
	// their folders are listed and read, so Set holds nothing else and
	// Diags speaks only of their files. For commands that need some kinds
	// only (a list of one kind, the budget report); Validate needs them all.
	Kinds []record.Kind
	// RecordsOnly says the command uses the records but not the problems
	// found while reading them: a file not taken from the cache is then
	// not checked against its schema (its place still is, which settles its
	// kind), and Diags may lack schema diagnostics. Files parsed for the
	// cache are always checked in full, so the cache stays complete.
	RecordsOnly bool
	// Listed, when set, is the department's index as refreshed a moment
	// ago (OpenIndexed's, which refuses a listing with hazards): its
	// entries' paths are the files read, as a walk would find them, and a
	// file whose entry has the content hash of its cache entry is taken
	// from the cache without its stat data being taken again (the refresh
	// took them). A command that looked for a memo with the index and
	// found none reads the department without listing and statting it a
	// second time; a file whose cache entry has another hash is read as
	// it is now, as without Listed (a file changed since the refresh then
	// makes the fingerprint of what was read differ from the index's, as
	// it would). Ignored with NoCache, another records folder than the
	// policy's, or files in it that are no record (which the walk warns
	// of). With Kinds, the records of those kinds the index lists are
	// read, and a file that does not hold what its entry says is an error
	// (LoadKinds).
	Listed *Indexed
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dir string, o Options) (*Repo, error) {
	root, err := config.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	return LoadWith(ctx, root, o)
}

// LoadWith is Load with options. Every record file is read, parsed, placed
// and checked against its schema on all cores; with the cache, files whose
// stat data or content did not change since the cache was written yield
// their cached values and diagnostics instead.
func LoadWith(ctx context.Context, root string, o Options) (*Repo, error) {
	tr := trace(time.Now())
	pol, polData, pds, err := config.LoadRead(root)
	if err != nil && o.Policy == nil {
		return nil, err
	}
	if o.Policy != nil {
		pol, pds = o.Policy, nil
	}
	sch, err := schema.Compile(pol.ExpenseCategories, pol.ComplaintCategories)
	if err != nil {
		return nil, err
	}
	sch = sch.Encrypting(EncryptedFields(pol))
	tr("policy, schemas")
	start := clock()
	// Reading the cache (CPU) and listing the folders (system calls)
	// overlap.
	var cachePath string
	var key cache.Key
	var opened chan *cache.Cache
	if !o.NoCache {
		if d := cache.Dir(root); d != "" {
			cachePath = filepath.Join(d, "cache")
			key = cache.NewKey(pol.Records, pol.ExpenseCategories, append(slices.Clone(pol.ComplaintCategories), encryptKey(pol)))
			opened = make(chan *cache.Cache, 1)
			if o.Listed != nil && len(o.Kinds) > 0 {
				// some kinds as the index lists them: their entries alone
				pre := kindPrefixes(pol.Records, o.Kinds)
				go func() {
					opened <- cache.OpenOnly(cachePath, key, func(p string) bool {
						return slices.ContainsFunc(pre, func(x string) bool { return strings.HasPrefix(p, x) })
					})
				}()
			} else {
				go func() { opened <- cache.Open(cachePath, key) }()
			}
		}
	}
	var files []string
	var listed []*index.Entry
	var wds []diag.Diagnostic
	if d := o.Listed; d != nil && opened != nil && d.Policy.Records == pol.Records && len(d.Stats.Strays) == 0 {
		listed = d.Index.Entries
		if len(o.Kinds) > 0 {
			listed = nil
			for _, e := range d.Index.Entries {
				if slices.Contains(o.Kinds, e.Kind) {
					listed = append(listed, e)
				}
			}
		}
		files = make([]string, len(listed))
		for i, e := range listed {
			files[i] = e.Path
		}
	} else if o.Listed != nil && len(o.Kinds) > 0 {
		return nil, fmt.Errorf("the index cannot stand for the records folder")
	} else if len(o.Kinds) > 0 {
		files, wds, err = record.WalkKinds(root, pol.Records, o.Kinds)
	} else {
		files, wds, err = record.Walk(root, pol.Records)
	}
	tr("walk")
	l := &loader{root: root, dir: pol.Records, sch: sch, start: start, files: files, listed: listed, noSchema: o.RecordsOnly}
	if opened != nil {
		l.cache = <-opened
		l.old = l.cache.Match(files)
		tr("cache open")
	}
	if err != nil {
		return nil, err
	}
	l.rd = newReader(root)
	err = l.run(ctx, o.Progress)
	l.rd.close()
	if err != nil {
		return nil, err
	}
	tr("files")
	if listed != nil && len(o.Kinds) > 0 {
		for i, res := range l.results {
			if res.entry == nil || res.entry.Hash != listed[i].Hash {
				return nil, fmt.Errorf("%s changed since the index was refreshed", listed[i].Path)
			}
		}
	}
	r := &Repo{Root: root, Policy: pol, Schemas: sch, parsed: 2*int(l.reused.Load()) < len(files)}
	if cachePath != "" {
		r.stanzas = filepath.Join(filepath.Dir(cachePath), "stanzas")
		r.sums = filepath.Join(filepath.Dir(cachePath), "sums")
	}
	r.Diags = append(append(r.Diags, pds...), wds...)
	recs := make([]*record.Record, 0, len(files))
	var keep []*cache.Entry
	for _, res := range l.results {
		r.Diags = append(r.Diags, res.diags...)
		if res.rec != nil {
			recs = append(recs, res.rec)
		}
		if res.entry != nil {
			keep = append(keep, res.entry)
		} else if l.cache != nil {
			l.changed.Add(1) // an unreadable file: try again next time
		}
	}
	r.Set = record.NewSet(recs)
	r.Unread = len(files) - len(recs) + len(wds)
	r.Hazards = len(wds)
	if l.cache != nil && len(o.Kinds) == 0 && r.Hazards == 0 && o.Policy == nil {
		r.read, r.head = readFiles(files, l.results), memoHead(pol, polData)
	}
	tr("set")
	if l.cache != nil && !l.cache.Partial() {
		// Rewriting the whole cache costs more than reading a few changed
		// files again: it is written when a fair share of it is new or
		// stale, and always when it was empty or unusable.
		had := l.cache.Len()
		var others []*cache.Entry
		if len(o.Kinds) > 0 {
			// A partial load rewrites only its own kinds' entries and keeps
			// the others as they are: each is checked against its file
			// when next used.
			others = l.cache.Outside(kindPrefixes(pol.Records, o.Kinds))
			had -= len(others)
		}
		stale := int(l.changed.Load()) + had - int(l.reused.Load())
		if stale > 0 && (had == 0 || stale >= max(64, len(files)/50)) {
			// A cache that cannot be written costs time, not correctness.
			_ = cache.Save(cachePath, key, append(keep, others...))
			tr("save")
		}
	}
	return r, nil
}

// readFiles is what a full load read (Repo.read): every file with its
// content hash, by path (a file that is no record, broken YAML, too), or
// nil when some file could not be read at all or has no hash kept.
func readFiles(files []string, results []result) []readFile {
	read := make([]readFile, len(files))
	for i, res := range results {
		if res.entry == nil {
			return nil
		}
		read[i] = readFile{files[i], res.entry.Hash}
	}
	slices.SortFunc(read, func(a, b readFile) int { return strings.Compare(a.path, b.path) })
	return read
}

// EncryptedFields is the policy's encrypted fields per kind, for the
// schemas.
func EncryptedFields(pol *config.Policy) map[record.Kind][]string {
	out := map[record.Kind][]string{}
	for k, e := range pol.Encrypt {
		out[k] = e.Fields
	}
	return out
}

// encryptKey folds the encrypted fields into the cache key: a file's
// schema diagnostics depend on them.
func encryptKey(pol *config.Policy) string {
	var parts []string
	for _, ki := range record.Kinds {
		if f := pol.Encrypted(ki.Kind); len(f) > 0 {
			parts = append(parts, string(ki.Kind)+"="+strings.Join(f, "+"))
		}
	}
	return "encrypt:" + strings.Join(parts, ";")
}

// kindPrefixes returns the path prefixes (relative to the root, with a
// trailing slash) of the kinds' folders under the records folder dir.
func kindPrefixes(dir string, kinds []record.Kind) []string {
	base := filepath.ToSlash(filepath.Clean(filepath.FromSlash(dir)))
	var out []string
	for _, k := range kinds {
		if d := record.Info(k).Dir; d != "" {
			if base == "." {
				out = append(out, d+"/")
			} else {
				out = append(out, base+"/"+d+"/")
			}
		}
	}
	return out
}

// clock is when a load starts; tests move it to make entries trusted.
var clock = time.Now

type loader struct {
	root, dir string
	sch       *schema.Set
	start     time.Time
	files     []string
	listed    []*index.Entry // Options.Listed's entry of each file, or nil
	noSchema  bool           // skip schema checks of files parsed but not cached
	rd        *reader
	cache     *cache.Cache
	old       []*cache.Entry // the cache's entry of each file, or nil
	results   []result
	done      atomic.Int64
	// reused counts entries taken as they were; changed counts entries new
	// or updated.
	reused  atomic.Int64
	changed atomic.Int64
}

type result struct {
	rec   *record.Record
	diags []diag.Diagnostic
	entry *cache.Entry // nil: not to be cached
}

func (l *loader) run(ctx context.Context, report func(done, total int)) error {
	n := len(l.files)
	l.results = make([]result, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	// Reading files waits on the kernel: a few more workers than cores keep
	// the cores busy.
	workers := runtime.GOMAXPROCS(0) + 2
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte // each worker reads every file into one buffer
			c := l.rd.cursor()
			defer c.close()
			for ctx.Err() == nil {
				i := int(next.Add(64)) - 64
				if i >= n {
					return
				}
				for j := i; j < min(i+64, n); j++ {
					var old *cache.Entry
					if l.old != nil {
						old = l.old[j]
					}
					if l.listed != nil && old != nil && l.listed[j].Hash == old.Hash {
						l.results[j] = l.fromIndex(l.listed[j], old)
						continue
					}
					l.results[j] = l.file(c, l.files[j], old, &buf)
				}
				l.done.Add(int64(min(i+64, n) - i))
			}
		}()
	}
	stop := progress.Tick(report, &l.done, n)
	wg.Wait()
	stop()
	if err := ctx.Err(); err != nil {
		return err
	}
	if report != nil {
		report(n, n)
	}
	return nil
}

// file yields one record file: from the cache when its stat data or its
// content still match, else by parsing it.
//
// The file is read into *buf, which the next file reuses: nothing may keep
// it. Parsing copies the text it keeps (TestParseLeanCopies).
func (l *loader) file(c *cursor, rel string, old *cache.Entry, buf *[]byte) result {
	// Without a cache there is no stat data to keep: the walk has seen the
	// file is a regular one (its folder entry says so), and the read finds
	// its end (open, read, close: three calls a file rather than four).
	var st cache.Stat
	size := int64(-1)
	if l.cache != nil {
		var regular bool
		var err error
		st, regular, err = c.lstat(rel)
		if err != nil {
			return result{diags: []diag.Diagnostic{readDiag(rel, err)}}
		}
		if !regular {
			return result{diags: []diag.Diagnostic{readDiag(rel, errNotRegular(rel))}}
		}
		if old != nil && old.Trusted && old.Stat == st {
			l.reused.Add(1)
			return result{rec: old.Record(), diags: old.Diags, entry: old}
		}
		size = st.Size
	}
	var data []byte
	var err error
	if size > record.MaxFileSize {
		// Parse reports the size without the whole file being read.
		data = make([]byte, record.MaxFileSize+1)
	} else if data, err = c.read(rel, size, *buf); err != nil {
		return result{diags: []diag.Diagnostic{readDiag(rel, err)}}
	} else if cap(data) <= 1<<16 {
		*buf = data
	}
	trusted := cache.Trust(st, l.start)
	var h cache.Hash
	if l.cache != nil {
		h = sha256.Sum256(data)
		l.changed.Add(1)
		if old != nil && old.Hash == h {
			e := *old
			e.Stat, e.Trusted = st, trusted
			return result{rec: e.Record(), diags: e.Diags, entry: &e}
		}
	}
	rec, ds := record.ParseLean(rel, data)
	if rec != nil {
		ds = append(ds, record.CheckPlace(rec, l.dir)...)
		if l.cache != nil || !l.noSchema {
			ds = append(ds, l.sch.Validate(rec)...)
		}
	}
	e := &cache.Entry{Path: rel, Stat: st, Trusted: trusted, Hash: h, Diags: ds}
	if rec != nil {
		e.HasRecord, e.Kind, e.ID = true, rec.Kind, rec.ID
		e.Data, e.Dropped, e.Src, e.Fast = rec.Data, rec.Dropped, rec.Source(), rec.Fast()
	}
	return result{rec: rec, diags: ds, entry: e}
}

// fromIndex is the cache's entry of a file whose refreshed index entry
// e has the entry's content: the index took its stat data a moment ago,
// and the entry kept carries them.
func (l *loader) fromIndex(e *index.Entry, old *cache.Entry) result {
	if old.Stat == e.Stat && old.Trusted == e.Trusted {
		l.reused.Add(1)
	} else {
		c := *old
		c.Stat, c.Trusted = e.Stat, e.Trusted
		l.changed.Add(1)
		old = &c
	}
	return result{rec: old.Record(), diags: old.Diags, entry: old}
}

// lstatPath is the portable lstat: stat data, and whether it is a regular
// file.
func lstatPath(p string) (cache.Stat, bool, error) {
	info, err := os.Lstat(p)
	if err != nil {
		return cache.Stat{}, false, err
	}
	return cache.StatOf(info), info.Mode().IsRegular(), nil
}

// readSized reads a file whose size the caller has just seen: open, one
// read, close (os.ReadFile also asks the size again and reads once more to
// see the end). A read that does not give exactly that size goes on to the
// end of the file.
func readSized(p string, size int64, buf []byte) ([]byte, error) {
	if size < 0 {
		st, regular, err := lstatPath(p)
		if err != nil {
			return nil, err
		}
		if !regular {
			return nil, errNotRegular(p)
		}
		if st.Size > record.MaxFileSize {
			return make([]byte, record.MaxFileSize+1), nil
		}
		size = st.Size
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if int64(cap(buf)) < size+1 {
		buf = make([]byte, size+1)
	}
	buf = buf[:size+1]
	n, err := f.Read(buf)
	if err == io.EOF || (err == nil && int64(n) == size) {
		return buf[:n], nil
	}
	if err != nil {
		return nil, err
	}
	// Shorter or longer than its stat data said: read on to the end.
	for {
		if n == len(buf) {
			buf = append(buf, 0)[:n]
			buf = buf[:cap(buf)]
		}
		m, err := f.Read(buf[n:])
		n += m
		if err == io.EOF {
			return buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

type errNotRegular string

func (e errNotRegular) Error() string { return string(e) + " is not a regular file" }

func readDiag(rel string, err error) diag.Diagnostic {
	msg, text := i18n.Both("cannot read: %v", err)
	return diag.Diagnostic{Path: rel, Line: 1, Column: 1, Severity: diag.Error, Rule: "file-read", Message: msg, Text: text}
}

var traceOn = os.Getenv("OPSBOOK_TRACE") != ""

// trace prints how long each step of a load took, on standard error, when
// OPSBOOK_TRACE is set: a profiling aid, not output.
func trace(start time.Time) func(string) {
	last := start
	if !traceOn {
		return func(string) {}
	}
	return func(step string) {
		now := time.Now()
		fmt.Fprintf(os.Stderr, "opsbook: %-14s %6.0f ms\n", step, float64(now.Sub(last).Microseconds())/1000)
		last = now
	}
}
