// Package repo opens a records repository: it finds the root, reads the
// policy, loads every record, and validates them against the schemas and the
// rules. Commands start here.
package repo

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/heap"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/schema"
)

// Repo is an opened records repository.
type Repo struct {
	Root   string
	Policy *config.Policy
	Set    *record.Set
	// Diags holds the problems found while loading: policy, file hazards,
	// places and schemas. Validate adds the cross-record rules.
	Diags   []diag.Diagnostic
	Schemas *schema.Set
	// Unread counts the record files a full load could not make a record
	// of (unreadable, invalid YAML) and the folders' listing hazards
	// (symbolic links, folders that cannot be read): nonzero, Set is not
	// every file of the department.
	Unread int
	// Hazards counts, of Unread, the folders' listing hazards alone: what
	// an index cannot stand for (a file that is no record, it can).
	Hazards int
	// parsed: most records were parsed, not taken from the cache.
	parsed bool
	// read is every record file a full load with the cache read, by path,
	// with its content hash; nil when some file made no record (see
	// Fingerprint).
	read []readFile
	// head is MemoHead of the policy file as the load read it (with read)
	head string
	// kindIDs, when set, lists the ids of a kind in the whole department
	// (rules.Context.KindIDs): a repository holding part of it (LoadAround)
	// suggests for a missing reference what the whole one does.
	kindIDs func(record.Kind) []string
	// LeftAtClose, when set, is given to the rules validate runs
	// (rules.Context.LeftAtClose).
	LeftAtClose func(prj *record.Record) ([]string, bool)
	// stanzas is the file of the ciphertexts' stanzas kept between full
	// passes (crypt.StanzaMemo.Seed), beside the parse cache; "" without
	// the cache.
	stanzas string
	// sums is the file of the attachments' hashes kept between full
	// passes (see sumMemo), beside the parse cache; "" without it.
	sums string
	// noOverspend: budget-overspend was weighed on the index's claims
	// (Rejudge), and its findings on the records read are weighed
	noOverspend bool
	weighed     []diag.Diagnostic
}

// stanzaMemo is a memo of the ciphertexts' recipient stanzas, seeded from
// the file the last full pass kept (nil without the cache).
func (r *Repo) stanzaMemo() *crypt.StanzaMemo {
	if r.stanzas == "" {
		return nil
	}
	m := &crypt.StanzaMemo{}
	if data, err := cache.ReadFile(r.stanzas); err == nil {
		m.Seed(data, stanzaKey)
	}
	return m
}

// keepStanzas writes the stanzas m read for the next full pass when it
// read some it was not seeded with; a file that cannot be written costs
// the next pass time, not correctness.
func (r *Repo) keepStanzas(m *crypt.StanzaMemo) {
	if m != nil && m.Fresh() > 0 {
		_ = cache.WriteFile(r.stanzas, ".stanzas-*", m.Kept(stanzaKey))
	}
}

// stanzaKey names this build in the stanzas file: another build (another
// age) reads every ciphertext again.
var stanzaKey = cache.NewKey("stanzas", nil, nil)

// Open finds the repository from dir and loads it.
func Open(ctx context.Context, dir string) (*Repo, error) {
	return OpenWith(ctx, dir, Options{})
}

// Load loads the repository at root, with the cache when it has a git
// directory (see LoadWith).
func Load(ctx context.Context, root string) (*Repo, error) {
	return LoadWith(ctx, root, Options{})
}

// Validate returns every diagnostic: loading problems plus the rules, judged
// at now.
func (r *Repo) Validate(now time.Time) []diag.Diagnostic {
	ds, _ := r.validate(now, nil, false, false, nil, nil)
	return ds
}

// ValidatePaths is FilterPaths(Validate(now), paths), without making the
// rules' findings on records outside paths (rules.Context.Keep) nor
// running the checks of single records on them (rules.Context.Only: every
// finding of a record's own checks is on that record, never on another
// it reads): what a command about one record asks, in a department whose
// other records carry thousands of warnings.
func (r *Repo) ValidatePaths(now time.Time, paths []string) []diag.Diagnostic {
	var keep func(path, rule string, sev diag.Severity) bool
	var only func(rec *record.Record) bool
	if len(paths) > 0 {
		keep = func(path, _ string, _ diag.Severity) bool { return inPaths(path, paths) }
		only = func(rec *record.Record) bool { return inPaths(rec.Path, paths) }
	}
	ds, _ := r.validate(now, nil, false, false, keep, only)
	return FilterPaths(ds, paths)
}

// ValidateSeen is Validate that also collects, in h, when its findings
// may change by the passing of time alone (rules.Horizon), and returns
// the attachment paths the rules looked at (stat or hash), sorted: with
// the records and the policy, all the findings depend on.
func (r *Repo) ValidateSeen(now time.Time, h *rules.Horizon) ([]diag.Diagnostic, []string) {
	return r.validate(now, h, true, false, nil, nil)
}

// CountSeen is ValidateSeen's number of errors and warnings (what the
// summary shows) without placing the rules' findings: finding a field's
// line and column reads the record's text again, a tenth of the pass at
// 100,000 records. The count is ValidateSeen's exactly: findings that
// differ only in their field, which placing might make one (diag.Sort
// keeps one of equal findings), are placed and told apart as it does.
func (r *Repo) CountSeen(now time.Time, h *rules.Horizon) (errors, warnings int, seen []string) {
	ds, seen := r.validate(now, h, true, true, nil, nil)
	errors, warnings = countPlaced(r.Set, ds)
	return errors, warnings, seen
}

// FileCounts are validate's findings as summary counts them (CountSeen),
// by record file: what a summary made again after a change of some files
// starts from (Recount). budget-overspend is counted apart, being weighed
// on a whole budget line from the index.
type FileCounts struct {
	// Paths holds, for each file with findings, its errors and warnings
	// (budget-overspend not among them).
	Paths map[string][2]int `json:"paths"`
	// Overspend is the number of budget-overspend findings (errors).
	Overspend int `json:"overspend"`
}

// Totals are the errors and warnings of every file.
func (c *FileCounts) Totals() (errors, warnings int) {
	for _, n := range c.Paths {
		errors += n[0]
		warnings += n[1]
	}
	return errors + c.Overspend, warnings
}

// add counts one finding.
func (c *FileCounts) add(d diag.Diagnostic) {
	if d.Rule == overspendRule {
		c.Overspend++
		return
	}
	n := c.Paths[d.Path]
	if d.Severity == diag.Error {
		n[0]++
	} else {
		n[1]++
	}
	c.Paths[d.Path] = n
}

// overspendRule is the rule counted apart (FileCounts.Overspend).
const overspendRule = "budget-overspend"

// CountFiles is CountSeen by file (FileCounts): the same findings, the
// same totals.
func (r *Repo) CountFiles(now time.Time, h *rules.Horizon) (FileCounts, []string) {
	ds, seen := r.validate(now, h, true, true, nil, nil)
	c := FileCounts{Paths: map[string][2]int{}}
	countEach(r.Set, ds, c.add)
	return c, seen
}

// countPlaced counts the findings of ds, some unplaced (rules.Context
// Unplaced), as diag.Count(diag.Sort(ds placed)) would.
func countPlaced(set *record.Set, ds []diag.Diagnostic) (errors, warnings int) {
	countEach(set, ds, func(d diag.Diagnostic) {
		if d.Severity == diag.Error {
			errors++
		} else {
			warnings++
		}
	})
	return errors, warnings
}

// countEach calls count once for each finding diag.Sort(ds placed) keeps:
// countPlaced, finding by finding (their path, rule and severity are
// those of the kept finding).
func countEach(set *record.Set, ds []diag.Diagnostic, count func(d diag.Diagnostic)) {
	// A rule's finding left unplaced has its field and no line; placed,
	// it has a line and column and no field. Findings equal but for
	// their place are grouped, and a group of more than one is placed.
	unplaced := func(d diag.Diagnostic) bool { return d.Line == 0 && d.Field != "" }
	groups := make(map[diag.Diagnostic][]int, len(ds))
	for i, d := range ds {
		if unplaced(d) {
			d.Field = ""
		}
		d.Line, d.Column = 0, 0
		groups[d] = append(groups[d], i)
	}
	type place struct {
		line, column int
		field        string
	}
	for key, at := range groups {
		if len(at) == 1 {
			count(key)
			continue
		}
		places := map[place]bool{}
		for _, i := range at {
			d := ds[i]
			if unplaced(d) {
				if rec := recordAt(set, d.Record, d.Path); rec != nil {
					rules.Place(&d, rec)
				}
			}
			places[place{d.Line, d.Column, d.Field}] = true
		}
		for range places {
			count(key)
		}
	}
}

// recordAt is the record of the set with this id at path, or nil. A
// record without an id (the rules judge it too) is found by its path:
// the set's records are in path order.
func recordAt(set *record.Set, id, path string) *record.Record {
	for _, rec := range set.All(id) {
		if rec.Path == path {
			return rec
		}
	}
	recs := set.Records
	if i, ok := slices.BinarySearchFunc(recs, path, func(rec *record.Record, p string) int { return strings.Compare(rec.Path, p) }); ok {
		return recs[i]
	}
	return nil
}

// ErrorsOf returns the errors Validate finds on the record files of paths
// (load problems and the rules'), exactly those, without the rules' work
// on other records: the checks of single records for those files alone,
// the checks across records only for their errors (rules.Context Only,
// Errors and Keep). A command listing some records' errors (the inbox:
// the person's own records) spares the pass over the department.
func (r *Repo) ErrorsOf(now time.Time, paths map[string]bool) []diag.Diagnostic {
	ds, _ := r.ErrorsOfSeen(now, paths, nil)
	return ds
}

// ErrorsOfSeen is ErrorsOf that also collects, in h (when not nil), when
// its errors may change by the passing of time alone, and returns the
// attachment paths the rules looked at, sorted (as ValidateSeen).
func (r *Repo) ErrorsOfSeen(now time.Time, paths map[string]bool, h *rules.Horizon) ([]diag.Diagnostic, []string) {
	var ds []diag.Diagnostic
	for _, d := range r.Diags {
		if d.Severity == diag.Error && paths[d.Path] {
			ds = append(ds, d)
		}
	}
	var seen sync.Map
	stat := func(rel string) attach.State {
		seen.Store(rel, true)
		if !insideRepo(rel) {
			return attach.Missing
		}
		return attach.Stat(r.Root, rel)
	}
	for _, d := range r.weighed {
		if paths[d.Path] {
			ds = append(ds, d)
		}
	}
	c := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now, Stat: stat, Errors: true, Horizon: h, Stanzas: r.stanzaMemo(), LeftAtClose: r.LeftAtClose,
		KindIDs: r.kindIDs, NoOverspend: r.noOverspend,
		Sum: func(rel string) (string, error) { seen.Store(rel, true); return attach.Sum(r.Root, rel) },
		Head: func(rel string) ([]byte, error) {
			seen.Store(rel, true)
			return attach.Head(r.Root, rel, crypt.HeaderMax)
		},
		Only: func(rec *record.Record) bool { return paths[rec.Path] },
		Keep: func(path, _ string, sev diag.Severity) bool { return sev == diag.Error && paths[path] }}
	ds = diag.Sort(append(ds, rules.Check(c)...))
	var out []string
	seen.Range(func(k, _ any) bool { out = append(out, k.(string)); return true })
	sort.Strings(out)
	return ds, out
}

func (r *Repo) validate(now time.Time, h *rules.Horizon, collect, unplaced bool, keep func(path, rule string, sev diag.Severity) bool, only func(*record.Record) bool) ([]diag.Diagnostic, []string) {
	tr := trace(time.Now())
	// The records are nearly all the heap and stay to the end, while the
	// rules make garbage: at the default GOGC the heap may grow to twice
	// the records before a collection. After a load that parsed its files
	// (no cache: the case with a memory target), GOGC 50 keeps the rules'
	// peak near the load's own (the load reached about 1.5 times the
	// records while parsing); a warm load keeps the default, for speed.
	// GOGC 10 here kept the peak lower only in a department whose rules
	// made little garbage: every collection traces all the records, and
	// on 100,000 copies of the sample (80,000 findings) or a department
	// with 100,000 attachments to hash, 30 collections and more took
	// half of the rules' time.
	if r.parsed {
		defer heap.SetPercent(heap.SetPercent(gcPercentRules))
	}
	ds := append([]diag.Diagnostic(nil), r.Diags...)
	// The rules run on all cores and test each attachment where they meet
	// it, once a path, never following a symbolic link.
	seen := newSeenFiles()
	look := attach.NewLooker(r.Root).Look // each folder looked at once
	stat := func(rel string) attach.State {
		if !insideRepo(rel) {
			return attach.Missing
		}
		return seen.stat(rel, look)
	}
	// a file is summed as it was looked at (the folders above it not
	// walked again; another file there since is an error), or, in a full
	// pass, by the hash kept for its stat data (see sumMemo). A pass that
	// collects what it looked at hashes through attach.Sum below: it
	// neither uses the kept sums nor may it write them (it would write
	// none, and the next validate would hash every file again).
	var sums *sumMemo
	if keep == nil && only == nil && !collect && r.sums != "" {
		sums = openSums(r.sums, clock())
		defer sums.save()
	}
	sum := func(rel string) (string, error) {
		if !insideRepo(rel) {
			return attach.Sum(r.Root, rel)
		}
		st, fi := seen.look(rel, look)
		if st != attach.Regular {
			return "", fmt.Errorf("%s is %s", rel, st)
		}
		if fi == nil { // summed before: the rules sum a path once a run
			return attach.Sum(r.Root, rel)
		}
		defer seen.summed(rel)
		if sums != nil {
			return sums.sum(rel, cache.StatOf(fi), func() (string, error) { return sumFile(r.Root, rel, fi) })
		}
		return sumFile(r.Root, rel, fi)
	}
	c := &rules.Context{Set: r.Set, Policy: r.Policy, Root: r.Root, Now: now, Stat: stat, Sum: sum, Horizon: h, Keep: keep, Only: only, KindIDs: r.kindIDs, Unplaced: unplaced, LeftAtClose: r.LeftAtClose}
	c.Stanzas = r.stanzaMemo()
	if keep == nil && only == nil {
		// a pass over every record keeps what it read (one over some
		// would keep only theirs)
		defer r.keepStanzas(c.Stanzas)
	}
	var summed sync.Map
	if collect {
		c.Sum = func(rel string) (string, error) {
			summed.Store(rel, true)
			return attach.Sum(r.Root, rel)
		}
	}
	ds = append(ds, rules.Check(c)...)
	tr("rules")
	if !unplaced {
		ds = diag.Sort(ds)
		tr("sort")
	}
	if !collect {
		return ds, nil
	}
	paths := map[string]bool{}
	for i := range seen.shards {
		for p := range seen.shards[i].m {
			paths[p] = true
		}
	}
	summed.Range(func(k, _ any) bool { paths[k.(string)] = true; return true })
	out := make([]string, 0, len(paths))
	for p := range paths {
		out = append(out, p)
	}
	sort.Strings(out)
	return ds, out
}

// gcPercentRules is the GOGC while the rules run (see Validate).
var gcPercentRules = 50

// Find returns the record with this id, or an error saying none exists.
func (r *Repo) Find(id string) (*record.Record, error) {
	if rec := r.Set.Get(id); rec != nil {
		return rec, nil
	}
	// A file named after the id that could not be read (not UTF-8, broken
	// YAML) is named with its first error, not hidden behind "no record".
	for _, d := range r.Diags {
		if d.Severity == diag.Error && strings.TrimSuffix(path.Base(d.Path), ".yaml") == id {
			return nil, i18n.Errorf("no record with id %q: its file could not be read: %s", id, d)
		}
	}
	return nil, i18n.Errorf("no record with id %q", id)
}

// FilterPaths keeps the diagnostics of the files under the given paths
// (relative to the root; a folder keeps everything below it).
func FilterPaths(ds []diag.Diagnostic, paths []string) []diag.Diagnostic {
	if len(paths) == 0 {
		return ds
	}
	var out []diag.Diagnostic
	for _, d := range ds {
		if inPaths(d.Path, paths) {
			out = append(out, d)
		}
	}
	return out
}

// inPaths tells whether the file at p is one of paths or below one of them.
func inPaths(p string, paths []string) bool {
	for _, q := range paths {
		q = strings.TrimSuffix(path.Clean(q), "/")
		if q == "." || p == q || strings.HasPrefix(p, q+"/") {
			return true
		}
	}
	return false
}
