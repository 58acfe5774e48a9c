package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/rules"
	"github.com/opsbook/opsbook/pkg/workflow"
	"go.yaml.in/yaml/v3"
)

// Rule codes verify adds to the workflow's (workflow.Rule*) and the
// signature rules (RuleSignature*).
const (
	// RuleRecordUnreadable: a commit left a record file that is not a
	// readable record (YAML error, over the size limit), so its change
	// cannot be judged.
	RuleRecordUnreadable = "record-unreadable"
	// RuleCommitHeader: a commit carries a "parent" line that is not
	// among its parents (after its author or committer): git ignores it,
	// a reader that does not would take the commit for a merge.
	RuleCommitHeader = "commit-header"
	// RuleRecordsFolder: the policy's records folder changed in a commit
	// that does not move every record there (the new folder holding
	// exactly what the old one held, the old one gone), or by someone
	// other than the director or leadership.
	RuleRecordsFolder = "records-folder"
	// RuleCommitDate: a commit that changes records is dated more than
	// dateSkew before one of its parents. A commit is made after its
	// parents; an earlier date is set by hand (GIT_COMMITTER_DATE), and
	// the stamps a move writes (acknowledged_at, resolved_at, ...) are
	// checked against that date, so a back-dated commit would carry a
	// back-dated stamp that erases an SLA breach. Also any commit dated
	// more than dateSkew after the moment verify runs: a commit is not
	// made in the future; the commits after it (and an opsbook write) are
	// judged by the dates of the history before it.
	RuleCommitDate = "commit-date"
	// RuleForbiddenKept: a commit changes a person file or the policy
	// that holds a forbidden change of an earlier commit (still without
	// effect) and leaves that change in place: accepted, it would make the
	// forbidden change count without anyone allowed ever making it (a
	// self-granted role laundered by the director's later edit of the
	// file; a limit the director alone raised under policy_changes:
	// leadership, laundered by leadership's unrelated edit of the policy).
	// The change is undone, or made, in a commit of its own.
	RuleForbiddenKept = "forbidden-kept"
)

// dateSkew is how far a commit's date may lag behind its parents' (clocks
// of different machines disagree a little).
const dateSkew = time.Hour

// How a merge's changes are introduced in messages.
const (
	msgMergeOwn    = "merge commit, its own change (not what another parent's commits brought): "
	msgMergeUndone = "merge commit, undoing what another parent's commits brought: "
)

// Where a commit's rules come from.
const (
	RulesFromBase   = "base"   // the range's BASE, for every commit
	RulesFromParent = "parent" // each commit's first parent (a root commit: itself)
)

// VerifyOptions say what to verify.
type VerifyOptions struct {
	// Range is "BASE..HEAD", "BASE..", "..HEAD", or one revision meaning
	// all of its history; "" is all of HEAD's history.
	Range string
	// RulesFrom is RulesFromBase or RulesFromParent; "" picks base for a
	// range and parent for all of history.
	RulesFrom string
	// Progress, when set, is called now and then with the commits judged
	// so far and the total.
	Progress func(done, total int)
	// Now is the moment of the check (zero: the clock's): a commit dated
	// more than an hour after it is dated in the future (RuleCommitDate).
	Now time.Time
}

// Violation is one change the rules forbid.
type Violation struct {
	Commit string `json:"commit"` // full hash
	Record string `json:"record"` // the record's id ("" for the policy file)
	Path   string `json:"path"`
	Rule   string `json:"rule"`
	// Field is the field at fault ("amount", "items.1.amount"), when the
	// rule names one.
	Field   string `json:"field,omitempty"`
	Actor   string `json:"actor"`   // handle, or the raw identity when unknown
	Message string `json:"message"` // English, for -o json
	// Text is Message in the reader's language.
	Text string `json:"-"`
	// Line and Column point into the file as the commit left it (or as
	// it was, for a deletion), for annotations.
	Line   int `json:"-"`
	Column int `json:"-"`
}

// Human is the violation's message in the reader's language.
func (v Violation) Human() string {
	if v.Text != "" {
		return v.Text
	}
	return v.Message
}

// Report is what Verify found.
type Report struct {
	Base       plumbing.Hash // zero when verifying all history
	Head       plumbing.Hash
	RulesFrom  string
	Commits    int // commits in the range
	Violations []Violation
	// Withheld are the files BASE holds with a forbidden change of its
	// history that never took effect: BASE's rules leave it out.
	Withheld []Withheld
}

// Withheld is a person file or the policy that BASE holds as a forbidden
// commit of its history left it.
type Withheld struct {
	Path   string `json:"path"`
	Commit string `json:"commit"` // the forbidden commit (full hash)
}

// ParseRange splits a revision range as git does: "A..B", "A.." (A..HEAD),
// "..B" (HEAD..B), or one revision (all its history). Symmetric ranges
// ("A...B") are refused: they include the base's side too.
func ParseRange(s string) (base, head string, err error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "...") {
		return "", "", fmt.Errorf("range %q: symmetric ranges (A...B) are not supported; use BASE..HEAD", s)
	}
	if b, h, ok := strings.Cut(s, ".."); ok {
		if b == "" {
			b = "HEAD"
		}
		if h == "" {
			h = "HEAD"
		}
		return b, h, nil
	}
	if s == "" {
		s = "HEAD"
	}
	return "", s, nil
}

// Verify replays the commits of a range against the rules and reports every
// change they forbid. Each commit is judged on its own changes (against its
// first parent): record files created, moved, edited or deleted, and the
// policy file. Ordinary merges are not judged again (their branches'
// commits are); a merge's file that differs from every parent is the
// merge's own change and is judged.
//
// The rules (policy, people, roles, keys) are those of the range's BASE
// for every commit of a range, so that no branch grants a role, a limit or
// a key that its own commits then use, and BASE's are those its accepted
// history leaves (settle: a forbidden change that reached BASE stays
// without effect); for all of history, each commit's first parent's, less
// the forbidden changes met so far (the department's founding commit is
// judged by its own registry, and its records as creations; see judgedBy).
func (r *Repo) Verify(ctx context.Context, opts VerifyOptions) (*Report, error) {
	baseRev, headRev, err := ParseRange(opts.Range)
	if err != nil {
		return nil, err
	}
	rep := &Report{RulesFrom: opts.RulesFrom}
	r.rejected = map[string]rejections{}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	r.latest, r.believed = now.Add(dateSkew).Unix(), map[plumbing.Hash]int64{}
	// Every commit's changes are read from the objects, never from the
	// index in .git/opsbook/, which is anyone's to write.
	r.DistrustIndex()
	r.commitRules = map[plumbing.Hash]*Rules{}
	if rep.Head, err = r.Resolve(headRev); err != nil {
		return nil, err
	}
	tips := []plumbing.Hash{rep.Head}
	if baseRev != "" {
		if rep.Base, err = r.Resolve(baseRev); err != nil {
			return nil, err
		}
		tips = append(tips, rep.Base)
	}
	switch {
	case rep.RulesFrom == "" && baseRev != "":
		rep.RulesFrom = RulesFromBase
	case rep.RulesFrom == "":
		rep.RulesFrom = RulesFromParent
	case rep.RulesFrom == RulesFromBase && baseRev == "":
		return nil, fmt.Errorf("rules from the base need a range BASE..HEAD")
	case rep.RulesFrom != RulesFromBase && rep.RulesFrom != RulesFromParent:
		return nil, fmt.Errorf("rules come from %q or %q, not %q", RulesFromBase, RulesFromParent, rep.RulesFrom)
	}
	// Discover the commits (reading only their headers), then index and
	// judge them in one pass, parents first: the workers parse and judge
	// while this goroutine reads git.
	if _, err := r.Discover(ctx, tips...); err != nil {
		return nil, err
	}
	if baseRev != "" {
		// BASE's rules as its accepted history leaves them; BASE's root
		// stays the department's: no commit of the range founds it, and a
		// root the range brings is judged by BASE's root's registry
		if err := r.settle(ctx, rep.Base); err != nil {
			return nil, err
		}
	} else {
		r.anchor(rep.Head)
	}
	excluded := map[plumbing.Hash]bool{}
	if baseRev != "" {
		for _, h := range r.ancestors(rep.Base) {
			excluded[h] = true
		}
	}
	order := r.topo(rep.Head, excluded)
	rep.Commits = len(order)

	var baseRules *Rules
	if rep.RulesFrom == RulesFromBase {
		t, err := r.TreeOf(rep.Base)
		if err != nil {
			return nil, err
		}
		if baseRules, err = r.rulesWithout(t, r.rejected); err != nil {
			return nil, err
		}
	}
	if baseRev != "" {
		if rep.Withheld, err = r.withheld(rep.Base); err != nil {
			return nil, err
		}
	}
	results, err := ordered(func(emit func(*verifyJob)) error {
		for n, h := range order {
			if n%64 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if opts.Progress != nil {
					opts.Progress(n, len(order))
				}
			}
			if _, err := r.IndexCommit(h); err != nil {
				return err
			}
			r.believedTime(h) // parents first: a chain dated ahead is memoized, never recursed down

			rules, founding := baseRules, false
			if rules == nil {
				if rules, founding, err = r.judgedBy(ctx, h); err != nil {
					return err
				}
			}
			j, err := r.prepare(ctx, h, rules)
			if err != nil {
				return err
			}
			moved, err := r.movedFolder(ctx, h, rules, j)
			if err != nil {
				return err
			}
			if moved != nil {
				emit(moved)
			}
			if j == nil {
				continue
			}
			// HEAD's own root (or the commit that brings the first
			// people), judged by the registry it creates.
			j.founding = founding
			if j.registry {
				// Judge it now: a forbidden change to people or the
				// policy must not take effect for the commits after
				// (nor be kept by a later commit, in a range too).
				if err := r.judgeRegistry(ctx, j); err != nil {
					return err
				}
			}
			emit(j)
		}
		if opts.Progress != nil {
			opts.Progress(len(order), len(order))
		}
		return nil
	}, func(j *verifyJob) []Violation {
		if j.judged {
			return j.done
		}
		for _, fc := range j.fcs {
			r.finish(fc, j.rules.Dir)
		}
		return j.judge()
	})
	_ = r.SaveIndex()
	if err != nil {
		return nil, err
	}
	for _, vs := range results {
		rep.Violations = append(rep.Violations, vs...)
	}
	// Sealed attachments and case twins, commit by commit (also those that change only
	// files under attachments/, which the pass above does not read).
	for _, h := range order {
		rulesAt := func() (*Rules, error) {
			if baseRules != nil {
				return baseRules, nil
			}
			return r.rulesBefore(ctx, h)
		}
		vs, err := r.sealedAttachments(ctx, h, rulesAt)
		if err != nil {
			return nil, err
		}
		rep.Violations = append(rep.Violations, vs...)
		if vs, err = r.fileTypes(ctx, h, rulesAt); err != nil {
			return nil, err
		}
		rep.Violations = append(rep.Violations, vs...)
		if vs, err = r.encodedAttributes(ctx, h, rulesAt); err != nil {
			return nil, err
		}
		rep.Violations = append(rep.Violations, vs...)
		if vs, err = r.mailmaps(ctx, h, rulesAt); err != nil {
			return nil, err
		}
		rep.Violations = append(rep.Violations, vs...)
		if v, err := r.futureDated(ctx, h, rulesAt); err != nil {
			return nil, err
		} else if v != nil {
			rep.Violations = append(rep.Violations, *v)
		}
		if vs, err = r.pathCase(ctx, h); err != nil {
			return nil, err
		}
		rep.Violations = append(rep.Violations, vs...)
	}
	return rep, nil
}

// verifyJob is one commit to judge, with everything read from git.
type verifyJob struct {
	hash    plumbing.Hash
	rules   *Rules
	id      Identity
	problem *problem
	fcs     []*fileChange
	policy  bool // the commit changed .opsbook.yaml
	merge   bool
	// stray: "parent" lines that are not parents (see RuleCommitHeader).
	stray []string
	// folder: the records folder the commit's policy names, when it
	// differs from the rules'; folderMoved: every record moved there.
	folder      string
	folderMoved bool
	parents     int
	// undonePolicy: a merge undid another parent's change of the policy;
	// policyChange: the commit's own change of it (judged).
	undonePolicy, policyChange *gitobj.Change
	// registry: the commit changes people or the policy, so what it is
	// found to have done decides the rules of the commits after it.
	registry bool
	// founding: the department's root commit, judged by its own registry
	// (workflow.Env.Founding).
	founding bool
	// leadID and leadPath: see lead (set for a job that reads only the
	// registry).
	leadID, leadPath string
	done             []Violation // judged already
	judged           bool
	// when is the commit's time; records, for a commit that changes plans
	// or projects, its projects and plans (the workflow's order checks).
	when    time.Time
	records *record.Set
	// after is the latest date of the commit's parents, when the commit
	// is dated more than dateSkew before it (RuleCommitDate).
	after time.Time
}

// prepare reads what judging commit h needs, or returns nil when it
// changes no record and not the policy.
func (r *Repo) prepare(ctx context.Context, h plumbing.Hash, rules *Rules) (*verifyJob, error) {
	return r.prepareSome(ctx, h, rules, false)
}

// prepareSome is prepare, reading only the commit's changes of people and
// the policy when registryOnly is set (what the rules after it depend on).
func (r *Repo) prepareSome(ctx context.Context, h plumbing.Hash, rules *Rules, registryOnly bool) (*verifyJob, error) {
	nd := r.Indexed(h)
	merge := len(nd.Parents) > 1
	judged := func(gitobj.Change) bool { return true }
	var undone []gitobj.Change
	if merge {
		own, u, err := r.mergeJudgement(nd)
		if err != nil {
			return nil, fmt.Errorf("merge %s: %w", h, err)
		}
		judged = func(c gitobj.Change) bool { return own[c.Path] }
		undone = u
	}
	var err error
	if rules == nil {
		if rules, err = r.rulesFor(ctx, h); err != nil {
			return nil, err
		}
	}
	dir := rules.Dir
	var leadID, leadPath string
	if registryOnly {
		all := judged
		for i, c := range append(slices.Clone(nd.Changes()), undone...) {
			if _, id, ok := recordFile(dir, c.Path); ok && (i >= len(nd.Changes()) || all(c)) && (leadPath == "" || c.Path < leadPath) {
				leadID, leadPath = id, c.Path
			}
		}
		judged = func(c gitobj.Change) bool {
			k, _, ok := recordFile(dir, c.Path)
			return all(c) && (c.Path == rules.PolicyPath || ok && k == record.Person)
		}
		undone = slices.DeleteFunc(undone, func(c gitobj.Change) bool {
			k, _, ok := recordFile(dir, c.Path)
			return c.Path != rules.PolicyPath && !(ok && k == record.Person)
		})
	}
	policy, any, people := false, false, false
	var policyChange *gitobj.Change
	note := func(c gitobj.Change) {
		if c.Path == rules.PolicyPath {
			policy = true
		}
		if k, _, ok := recordFile(dir, c.Path); ok {
			any = true
			people = people || k == record.Person
		}
	}
	for _, c := range nd.Changes() {
		if judged(c) {
			note(c)
			if c.Path == rules.PolicyPath {
				policyChange = &c
			}
		}
	}
	for _, c := range undone {
		note(c)
	}
	if !policy && !any {
		return nil, nil
	}
	j := &verifyJob{rules: rules, policy: policy, merge: merge, registry: policy || people, policyChange: policyChange}
	if registryOnly && leadPath != "" {
		j.leadID, j.leadPath = leadID, leadPath
	}
	if j.fcs, err = r.recordChanges(nd, dir, judged); err != nil {
		return nil, err
	}
	for _, c := range undone {
		if c.Path == rules.PolicyPath {
			j.undonePolicy = &c
		}
		k, id, ok := recordFile(dir, c.Path)
		if !ok {
			continue
		}
		fc := &fileChange{Change: c, kind: k, id: id, judged: true, undone: true}
		if err := r.read(fc); err != nil {
			return nil, err
		}
		j.fcs = append(j.fcs, fc)
	}
	j.hash, j.when = h, time.Unix(nd.Time, 0).UTC()
	for _, p := range nd.Parents {
		if t := time.Unix(r.believedTime(p), 0).UTC(); t.Sub(j.when) > dateSkew && t.After(j.after) {
			j.after = t
		}
	}
	if needsOrder(j.fcs) {
		if j.records, err = r.orderRecords(nd.Tree, dir); err != nil {
			return nil, err
		}
	}
	ch, err := r.ReadHead(h)
	if err != nil {
		return nil, err
	}
	j.stray, j.parents = ch.Stray, len(ch.Parents)
	if policy {
		if j.folder, err = r.folderMove(nd, rules); err != nil {
			return nil, err
		}
		if j.folder != "" {
			if j.folderMoved, err = r.folderMoved(nd, rules.Policy.Records, j.folder); err != nil {
				return nil, err
			}
		}
	}
	if j.id, j.problem, err = r.identify(rules, h, ch); err != nil {
		return nil, err
	}
	return j, nil
}

// rulesFor are the rules commit h is judged by over all of history: its
// first parent's, less the forbidden changes to people and the policy met
// so far. A root commit has no parent: the department's own root (HEAD's,
// down its first parents) is judged by its own registry, any other root
// (an unrelated history merged in) by that root's registry, never by the
// one it brings, which anyone could write to make themselves leadership.
func (r *Repo) rulesFor(ctx context.Context, h plumbing.Hash) (*Rules, error) {
	if !r.root.IsZero() && h != r.root && len(r.ParentsOf(h)) == 0 {
		return r.rulesFor(ctx, r.root)
	}
	if len(r.rejected) == 0 {
		return r.rulesBefore(ctx, h)
	}
	nd := r.Indexed(h)
	t := nd.Tree
	if p := nd.FirstParent(); !p.IsZero() {
		var err error
		if t, err = r.TreeOf(p); err != nil {
			return nil, err
		}
	}
	return r.rulesWithout(t, r.rejected)
}

// reject remembers the person files and policy that a judged commit changed
// in a forbidden way (any violation on them, or a commit with no actor).
func (r *Repo) reject(j *verifyJob) error {
	// bad: any violation on the file; own: one but for keeping what an
	// earlier forbidden commit made (RuleForbiddenKept)
	bad, own := map[string]bool{}, map[string]bool{}
	for _, v := range j.done {
		bad[v.Path] = true
		own[v.Path] = own[v.Path] || v.Rule != RuleForbiddenKept
	}
	fatal := j.problem != nil && j.problem.fatal
	for _, fc := range j.fcs {
		if !fc.judged || fc.kind != record.Person {
			continue
		}
		if fatal || bad[fc.Path] {
			if err := r.rejectFile(fc.Path, fc.Change, j.hash, fatal || own[fc.Path]); err != nil {
				return err
			}
		} else {
			r.accept(fc.Path, fc.Change)
		}
	}
	pp := j.rules.PolicyPath
	c := j.policyChange
	if c == nil {
		c = j.undonePolicy
	}
	if c != nil && (fatal || bad[pp]) {
		if err := r.rejectFile(pp, *c, j.hash, fatal || own[pp]); err != nil {
			return err
		}
	} else if c != nil {
		r.accept(pp, *c)
	}
	return nil
}

// accept records an accepted change c of a person file or the policy
// (path): the content it leaves rules, even one that comes back to a
// forbidden content (leadership making the change a director was refused).
// Another forbidden content stays without effect wherever a tree holds it:
// an accepted change built on it undid its forbidden values (or it would
// be named for keeping them), and another branch may hold it still.
func (r *Repo) accept(path string, c gitobj.Change) {
	delete(r.rejected[path], c.New)
	if len(r.rejected[path]) == 0 {
		delete(r.rejected, path)
	}
}

// rejection is the forbidden change c of path by commit h. When it builds
// on an earlier forbidden change (made from that one's content, or a merge
// with it in another parent), the rules stay those before the first, so a
// second edit cannot launder a self-granted role.
func (r *Repo) rejection(path string, c gitobj.Change, h plumbing.Hash) rejected {
	rj := rejected{bad: c.New, prev: c.Old, by: h}
	for _, b := range append([]plumbing.Hash{c.Old}, c.Others...) {
		if prev, ok := r.rejected[path][b]; ok {
			// built on it: the values it keeps of each are tracked
			if rj.forbidden == nil {
				rj.prev, rj.forbidden = prev.prev, map[string]forbiddenValue{}
			}
			for k, f := range prev.forbidden {
				rj.forbidden[k] = f
			}
		}
	}
	return rj
}

// builtOnBad is the rejection a forbidden content c was built on holds
// (several, for a merge of two: their forbidden values together), and
// whether there is one.
func (r *Repo) builtOnBad(path string, c gitobj.Change) (rejected, bool) {
	var out rejected
	found := false
	for _, b := range append([]plumbing.Hash{c.Old}, c.Others...) {
		rj, ok := r.rejected[path][b]
		if !ok {
			continue
		}
		if !found {
			out, found = rj, true
			out.forbidden = map[string]forbiddenValue{}
		}
		for k, f := range rj.forbidden {
			out.forbidden[k] = f
		}
	}
	return out, found
}

// withheld lists the files commit h holds as a forbidden change left them
// (r.rejected), by path.
func (r *Repo) withheld(h plumbing.Hash) ([]Withheld, error) {
	t, err := r.TreeOf(h)
	if err != nil {
		return nil, err
	}
	var out []Withheld
	for p, rs := range r.rejected {
		b, err := r.BlobAt(t, p)
		if err != nil {
			return nil, err
		}
		if rj, ok := rs[b]; ok {
			out = append(out, Withheld{Path: strings.TrimPrefix(p, r.Prefix()), Commit: rj.by.String()})
		}
	}
	slices.SortFunc(out, func(a, b Withheld) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// rejectFile remembers the forbidden change c of a person file or the
// policy (path) by commit h, and the values it leaves
// that forbidden commits made: those the file kept (the commit is named
// only for keeping them, RuleForbiddenKept, when own is false), and, for a
// change forbidden of its own (own), the values it changed away from the
// last accepted content.
func (r *Repo) rejectFile(path string, c gitobj.Change, h plumbing.Hash, own bool) error {
	old := c.Old
	rj := r.rejection(path, c, h)
	now, err := r.leavesAt(path, c.New)
	if err != nil {
		return err
	}
	forbidden := map[string]forbiddenValue{}
	for p, f := range rj.forbidden {
		if f.holds(now) {
			forbidden[p] = f
		}
	}
	if own {
		lp, err := r.leavesAt(path, rj.prev)
		if err != nil {
			return err
		}
		lo, err := r.leavesAt(path, old)
		if err != nil {
			return err
		}
		changed := func(p string) {
			if sameAt(lo, now, p) || sameAt(lp, now, p) {
				return // not this commit's, or back to the accepted value
			}
			l, ok := now[p]
			if !ok {
				l = leaf{path: p}
			}
			forbidden[p] = forbiddenValue{leaf: l, absent: !ok, commit: h}
		}
		for p := range now {
			changed(p)
		}
		for p := range lo {
			changed(p)
		}
		for p := range lp {
			changed(p)
		}
	}
	rj.forbidden = forbidden
	if r.rejected[path] == nil {
		r.rejected[path] = rejections{}
	}
	r.rejected[path][rj.bad] = rj
	return nil
}

// holds reports whether a file's leaves still hold the forbidden value.
func (f forbiddenValue) holds(now map[string]leaf) bool {
	l, ok := now[f.leaf.path]
	if f.absent {
		return !ok
	}
	return ok && sameLeaf(l, f.leaf)
}

// leavesAt are the values of a person file or the policy (path) in blob b
// (none: zero, or not readable YAML), by leaf path.
func (r *Repo) leavesAt(path string, b plumbing.Hash) (map[string]leaf, error) {
	if b.IsZero() {
		return map[string]leaf{}, nil
	}
	data, err := r.Blob(b, record.MaxFileSize)
	if err != nil {
		return nil, err
	}
	m := map[string]leaf{}
	if path == r.Prefix()+config.FileName {
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil {
			return m, nil
		}
		for _, l := range nodeLeaves(&doc) {
			m[l.path] = l
		}
		return m, nil
	}
	rec, _ := record.Parse(path, data)
	return leafIndex(rec), nil
}

func leafIndex(rec *record.Record) map[string]leaf {
	m := map[string]leaf{}
	for _, l := range leaves(rec) {
		m[l.path] = l
	}
	return m
}

// sameAt reports whether two files hold the same value at leaf path p
// (or both none).
func sameAt(a, b map[string]leaf, p string) bool {
	x, okx := a[p]
	y, oky := b[p]
	return okx == oky && (!okx || sameLeaf(x, y))
}

// keptForbidden names each person file commit j changes, and the policy,
// from the content of a forbidden change still without effect (its parent
// holds exactly that content) while leaving in place values forbidden
// commits made: j's diff does not show them, and accepted, j would make
// them count (a self-granted role laundered by the director adding an
// email; a rule the director alone lifted under policy_changes: leadership,
// laundered by leadership's unrelated edit of the policy). A value j
// changes itself is j's own change, judged as such; undoing the forbidden
// change (git revert) keeps nothing. A change forbidden of its own is
// named for that already.
func (r *Repo) keptForbidden(ctx context.Context, j *verifyJob) ([]Violation, error) {
	if j.problem != nil && j.problem.fatal {
		return nil, nil // the whole commit is refused already
	}
	named := map[string]bool{}
	for _, v := range j.done {
		named[v.Path] = true
	}
	var out []Violation
	check := func(id, path string, c gitobj.Change) error {
		if c.Old.IsZero() || c.New.IsZero() || named[path] {
			return nil
		}
		rj, ok := r.builtOnBad(path, c)
		if !ok || len(rj.forbidden) == 0 {
			return nil
		}
		after, err := r.leavesAt(path, c.New)
		if err != nil {
			return err
		}
		// a merge's other parents that hold the file without the
		// forbidden content hold it as accepted: a value one of them
		// holds too is theirs (the director granting on a branch the
		// role li.wei granted herself on main)
		var others []map[string]leaf
		for _, o := range append([]plumbing.Hash{c.Old}, c.Others...) {
			if _, bad := r.rejected[path][o]; !bad && !o.IsZero() {
				l, err := r.leavesAt(path, o)
				if err != nil {
					return err
				}
				others = append(others, l)
			}
		}
		var kept []forbiddenValue
		for _, f := range rj.forbidden {
			if f.holds(after) && !slices.ContainsFunc(others, f.holds) {
				kept = append(kept, f)
			}
		}
		if len(kept) == 0 {
			return nil
		}
		lp, err := r.leavesAt(path, rj.prev)
		if err != nil {
			return err
		}
		slices.SortFunc(kept, func(a, b forbiddenValue) int { return strings.Compare(a.leaf.path, b.leaf.path) })
		what := make([]any, len(kept))
		for i, f := range kept {
			var was, is any = i18n.P("(none)"), i18n.P("(none)")
			if l, ok := lp[f.leaf.path]; ok {
				was = l.text
			}
			if !f.absent {
				is = f.leaf.text
			}
			c := f.commit.String()[:12]
			what[i] = i18n.P("%s: %s → %s, by %s in %s", f.leaf.path, was, is, r.actorOf(ctx, f.commit), c)
		}
		msg, text := i18n.Both("keeps a change that verify names as forbidden, without effect while the file holds it (%s): this commit's own change leaves it in place and would make it count; undo it (git revert of that commit), then make it, if it is to stand, in a commit of its own by someone allowed to", i18n.Join("; ", what...))
		v := Violation{Commit: j.hash.String(), Record: id, Path: path, Rule: RuleForbiddenKept, Field: kept[0].leaf.path,
			Actor: j.id.Short(), Message: msg, Text: text, Line: 1, Column: 1}
		if l, ok := after[v.Field]; ok && l.line > 0 {
			v.Line, v.Column = l.line, l.col
		}
		out = append(out, v)
		return nil
	}
	for _, fc := range j.fcs {
		if !fc.judged || fc.undone || fc.kind != record.Person || fc.after == nil || fc.badAfter {
			continue
		}
		if err := check(fc.id, fc.Path, fc.Change); err != nil {
			return nil, err
		}
	}
	if c := j.policyChange; c != nil {
		if err := check("", c.Path, *c); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lead is the record (id and path) a violation of the commit as a whole
// is reported on: the first of its judged records (fcs, sorted), or the
// policy. A job that reads only the registry (registryOnly) says which
// record that is among all of the commit's.
func (j *verifyJob) lead(fcs []*fileChange) (id, path string) {
	if j.leadPath != "" {
		return j.leadID, j.leadPath
	}
	if len(fcs) > 0 {
		return fcs[0].id, fcs[0].Path
	}
	return "", j.rules.PolicyPath
}

// judge replays the commit against its rules.
func (j *verifyJob) judge() []Violation {
	pairRenames(j.fcs)
	fcs := sortedJudged(j.fcs)
	var out []Violation
	prefixes := map[string]i18n.Phrase{}
	if j.merge {
		for _, fc := range fcs {
			prefixes[fc.Path] = i18n.P(msgMergeOwn)
			if fc.undone {
				prefixes[fc.Path] = i18n.P(msgMergeUndone)
			}
		}
		prefixes[j.rules.PolicyPath] = i18n.P(msgMergeOwn)
		if j.undonePolicy != nil {
			prefixes[j.rules.PolicyPath] = i18n.P(msgMergeUndone)
		}
	}
	// add records a violation; msg and text are its English and its
	// reader's language.
	add := func(rule, id, path, msg, text string, rec *record.Record, field string) {
		v := Violation{Commit: j.hash.String(), Record: id, Path: path, Rule: rule, Field: field,
			Actor: j.id.Short(), Message: msg, Text: text, Line: 1, Column: 1}
		if p, ok := prefixes[path]; ok {
			pen, ploc := i18n.Texts(p)
			v.Message, v.Text = pen+msg, ploc+text
		}
		if rec != nil {
			v.Line, v.Column = rec.Pos(field)
		}
		out = append(out, v)
	}
	if len(j.stray) > 0 {
		id, path := j.lead(fcs)
		msg, text := i18n.Both("commit carries a parent line after its other headers (%s); git and the forge ignore it and judge the commit as having %s, and so does verify", strings.Join(j.stray, ", "), parentsText(j.parents))
		add(RuleCommitHeader, id, path, msg, text, nil, "")
	}
	if !j.after.IsZero() {
		id, path := j.lead(fcs)
		msg, text := i18n.Both("commit is dated %s, before its parent's %s: a commit is made after its parents, so its date (and every stamp checked against it) was set back by hand", j.when.Format(time.RFC3339), j.after.Format(time.RFC3339))
		add(RuleCommitDate, id, path, msg, text, nil, "")
	}
	if p := j.problem; p != nil {
		id, path := j.lead(fcs)
		what := any(i18n.P("the policy"))
		if len(fcs) > 0 {
			what = changedList(fcs)
		}
		wen, wloc := i18n.Texts(i18n.P(" (the commit changes %s)", what))
		text := p.text
		if text == "" {
			text = p.message
		}
		add(p.rule, id, path, p.message+wen, text+wloc, nil, "")
		if p.fatal {
			return out
		}
	}
	if j.folder != "" && j.folderMoved {
		// The records moved whole to the new folder: what left the old
		// one is no deletion.
		fcs = slices.DeleteFunc(fcs, func(fc *fileChange) bool { return fc.New.IsZero() })
	}
	renamed := map[string]string{}
	for _, fc := range fcs {
		if fc.source != nil {
			renamed[fc.source.before.ID] = fc.after.ID
		}
	}
	var changes []workflow.Change
	for _, fc := range fcs {
		if fc.badAfter {
			msg, text := i18n.Both("%s is not a readable record at this commit (run opsbook validate on it), so its change cannot be judged", fc.Path)
			add(RuleRecordUnreadable, fc.id, fc.Path, msg, text, nil, "")
			continue
		}
		if fc.consumed {
			continue
		}
		before := fc.before
		switch {
		case fc.source != nil:
			before = renumbered(fc.source.before, fc.after)
		case before != nil && len(renamed) > 0:
			before = withRefs(before, renamed)
		}
		if before == nil && fc.after == nil {
			continue
		}
		if fc.before == nil && fc.after != nil {
			// A new file (a creation, or a renumbering's new file) is the
			// record its place says; list, show and approve read the id
			// and kind it states, as identityChanged says of an edit in
			// place.
			if k := statedKind(fc.after); k != "" && k != string(fc.kind) {
				msg, text := i18n.Both("%s is a new file that states kind %s, not the kind of its folder: a record's kind is its folder's, and a file that states another is no valid record (validate names it)", fc.Path, k)
				add(workflow.RuleSealedField, fc.id, fc.Path, msg, text, fc.after, "kind")
			} else if fc.after.ID != fc.id {
				msg, text := i18n.Both("%s is a new file that states id %s: a record's id is its file's name, while list and show would show it as %s, another record's id or one not yet given (a renumbering moves the file and its id together: opsbook renumber)", fc.Path, fc.after.ID, fc.after.ID)
				add(workflow.RuleSealedField, fc.id, fc.Path, msg, text, fc.after, "id")
			}
		}
		for _, f := range plaintextPut(j.rules.Policy, before, fc.after) {
			msg, text := i18n.Both("puts plain text into %s of %s, a field the policy encrypts: the clear value is in history from this commit on (encrypt it with opsbook encrypt %s; what was pushed stays readable in this commit)", f, fc.id, fc.id)
			add(RulePlaintext, fc.id, fc.Path, msg, text, fc.after, f)
		}
		for _, f := range plaintextAttached(j.rules.Policy, before, fc.after) {
			msg, text := i18n.Both("commits %s in clear to %s, whose attachments the policy encrypts: the clear file is in history from this commit on (encrypt it with opsbook encrypt %s; what was pushed stays readable in this commit)", f, fc.id, fc.id)
			add(RuleAttachmentPlaintext, fc.id, fc.Path, msg, text, fc.after, "attachments")
		}
		after := fc.after
		if reencryption(j.rules.Policy, j.rules.actor(j.id.Handle), before, after) {
			after = before // only encrypted, re-encrypted or decrypted: no edit
		}
		changes = append(changes, workflow.Change{Before: before, After: after})
	}
	actor := j.rules.actor(j.id.Handle)
	env := workflow.Env{Policy: j.rules.Policy, People: j.rules.People, Now: j.when, Founding: j.founding}
	if j.records != nil {
		env.Records = j.records
	}
	refusals := workflow.CheckChanges(actor, changes, env)
	for _, fc := range fcs {
		if fc.source == nil || actor.Handle == "" {
			continue
		}
		if fc.kind == record.Person && actor.Role != workflow.Director && actor.Role != workflow.Leadership {
			msg, text := i18n.Both("%s may not rename person %s to %s: people are changed only by a director or leadership", actor, fc.source.id, fc.id)
			refusals = append(refusals, &workflow.Refusal{Rule: workflow.RulePeoplePolicy, ID: fc.after.ID, Path: fc.Path, Message: msg, Text: text})
			continue
		}
		// judged on the record as it was: whose it was decides
		if rf := workflow.CheckRenumber(actor, fc.source.before); rf != nil && fc.kind != record.Person {
			rf.ID, rf.Path = fc.after.ID, fc.Path
			refusals = append(refusals, rf)
		}
	}
	if j.folder != "" {
		who := actor.Handle != "" && (actor.Role == workflow.Director || actor.Role == workflow.Leadership)
		if !who || !j.folderMoved {
			msg, text := i18n.Both("the policy moves the records folder from %s to %s; %s", j.rules.Policy.Records, j.folder, folderWhy(who, j.folderMoved))
			add(RuleRecordsFolder, "", j.rules.PolicyPath, msg, text, nil, "")
		}
	}
	if j.policy {
		before := j.rules.Policy
		if j.founding {
			before = nil // the department's first policy: none said who may write it
		}
		if err := workflow.CheckPolicyChange(actor, before); err != nil {
			if rf, ok := err.(*workflow.Refusal); ok {
				rf.Path = j.rules.PolicyPath
				refusals = append(refusals, rf)
			}
		}
	}
	recs := map[string]*record.Record{}
	for _, ch := range changes {
		if ch.After != nil {
			recs[ch.After.Path] = ch.After
		} else if ch.Before != nil {
			recs[ch.Before.Path] = ch.Before
		}
	}
	for _, rf := range refusals {
		id := rf.ID
		if rec := recs[rf.Path]; rec != nil {
			if _, fid, ok := recordFile(j.rules.Dir, rf.Path); ok {
				id = fid
			}
			add(rf.Rule, id, rf.Path, rf.Message, rf.Error(), rec, rf.Field)
			continue
		}
		add(rf.Rule, id, rf.Path, rf.Message, rf.Error(), nil, "")
	}
	return out
}

func changedList(fcs []*fileChange) any {
	ids := make([]string, 0, len(fcs))
	for _, fc := range fcs {
		ids = append(ids, fc.id)
	}
	return i18n.Some(ids, 3)
}

// renumbered is the old record as it reads under its new id and path: a
// renumbering is no edit.
func renumbered(old, now *record.Record) *record.Record {
	cp := *old
	cp.ID, cp.Path = now.ID, now.Path
	cp.Data = slices.Clone(old.Data)
	cp.Data.Set("id", now.ID)
	return &cp
}

// withRefs is rec with references to renumbered records rewritten to their
// new ids, as `opsbook renumber` rewrites them in the same commit: in the
// reference fields (rules.Refs) alone. A free-text field that happens to
// hold the old id (a training's trainer, "a handle or a name") is not
// rewritten by renumber, so it is not here either, or the renumbering would
// read as a change of it.
func withRefs(rec *record.Record, ids map[string]string) *record.Record {
	at := map[string]bool{}
	for _, ref := range rules.Refs {
		if ref.Kind != rec.Kind {
			continue
		}
		for p, v := range rules.Expand(rec.Data, ref.Path) {
			if _, ok := ids[v]; ok {
				at[p] = true
			}
		}
	}
	if len(at) == 0 {
		return rec
	}
	data, changed := replaceRefs(any(rec.Data), ids, at, "")
	if !changed {
		return rec
	}
	cp := *rec
	cp.Data = data.(record.Map)
	return &cp
}

func get(rec *record.Record, f string) any {
	v, _ := rec.Get(f)
	return v
}

func text(rec *record.Record, f string) string {
	if s := rec.Str(f); s != "" {
		return s
	}
	return "(none)"
}

// topo lists the commits reachable from head and not excluded, parents
// before children, first parents first.
func (r *Repo) topo(head plumbing.Hash, excluded map[plumbing.Hash]bool) []plumbing.Hash {
	if excluded[head] {
		return nil
	}
	type frame struct {
		h plumbing.Hash
		i int
	}
	done := map[plumbing.Hash]bool{head: true}
	stack := []frame{{head, 0}}
	var out []plumbing.Hash
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		ps := r.ParentsOf(f.h)
		if f.i < len(ps) {
			p := ps[f.i]
			f.i++
			if !excluded[p] && !done[p] {
				done[p] = true
				stack = append(stack, frame{p, 0})
			}
			continue
		}
		out = append(out, f.h)
		stack = stack[:len(stack)-1]
	}
	return out
}

func parentsText(n int) i18n.Phrase {
	switch n {
	case 0:
		return i18n.P("no parent")
	case 1:
		return i18n.P("one parent")
	}
	return i18n.P("%d parents", n)
}

func folderWhy(who, moved bool) i18n.Phrase {
	if !moved {
		return i18n.P("the same commit must move every record there (the new folder holding exactly what the old one held), or every later check reads other files")
	}
	return i18n.P("only the director or leadership may")
}

// folderMove reads the records folder of the policy commit nd leaves, and
// returns it when it differs from the rules' ("" when the same), and
// whether nd moved every record there.
func (r *Repo) folderMove(nd *gitobj.Node, rules *Rules) (string, error) {
	b, err := r.BlobAt(nd.Tree, rules.PolicyPath)
	if err != nil {
		return "", err
	}
	pol, err := r.policy(b)
	if err != nil {
		return "", err
	}
	if pol.Records == rules.Policy.Records {
		return "", nil
	}
	return pol.Records, nil
}

// folderMoved says whether commit nd left in folder to exactly what its
// first parent held in from, and nothing in from.
func (r *Repo) folderMoved(nd *gitobj.Node, from, to string) (bool, error) {
	pt := plumbing.ZeroHash
	if p := nd.FirstParent(); !p.IsZero() {
		t, err := r.TreeOf(p)
		if err != nil {
			return false, err
		}
		pt = t
	}
	old, okOld, err := r.Lookup(pt, r.Prefix()+from)
	if err != nil {
		return false, err
	}
	now, okNew, err := r.Lookup(nd.Tree, r.Prefix()+to)
	if err != nil {
		return false, err
	}
	_, okLeft, err := r.Lookup(nd.Tree, r.Prefix()+from)
	if err != nil {
		return false, err
	}
	return okOld && okNew && old.Hash == now.Hash && !okLeft, nil
}

// movedFolder judges the records of commit h under the folder its first
// parent's policy names when that is not the folder of the rules h is
// judged by: over a range, BASE's folder, when the range moved the records
// earlier; over all of history, the folder before a forbidden change of
// it. The rules stay the same, and what h does in the other folder is
// judged like what it does in theirs. It returns nil when the folders are
// the same or h changes nothing there; main is h's job under the rules'
// folder (nil when none), which reports what concerns the commit as a
// whole.
func (r *Repo) movedFolder(ctx context.Context, h plumbing.Hash, base *Rules, main *verifyJob) (*verifyJob, error) {
	if main != nil && main.problem != nil && main.problem.fatal {
		return nil, nil // the whole commit is refused already
	}
	p := r.Indexed(h).FirstParent()
	if p.IsZero() {
		return nil, nil
	}
	t, err := r.TreeOf(p)
	if err != nil {
		return nil, err
	}
	pb, err := r.BlobAt(t, base.PolicyPath)
	if err != nil {
		return nil, err
	}
	pol, err := r.policy(pb)
	if err != nil {
		return nil, err
	}
	if r.Prefix()+pol.Records == base.Dir {
		return nil, nil
	}
	moved := *base
	moved.Dir = r.Prefix() + pol.Records
	j, err := r.prepare(ctx, h, &moved)
	if err != nil || j == nil {
		return nil, err
	}
	if len(j.fcs) == 0 {
		return nil, nil
	}
	// The commit as a whole (its policy change, headers, signature) is
	// main's to report.
	j.policy, j.folder, j.stray, j.undonePolicy, j.after = false, "", nil, nil, time.Time{}
	if main != nil {
		j.problem = nil
	}
	return j, nil
}

// believedTime is the latest date commit h can be taken to be made after:
// its own, unless it is dated in the future of the check (which
// futureDated names), when it is the latest of its parents' instead. A
// commit dated ahead must not make every honest commit after it look
// back-dated, while a commit dated before the history it follows still is.
func (r *Repo) believedTime(h plumbing.Hash) int64 {
	if t := r.TimeOf(h); t <= r.latest || r.latest == 0 {
		return t
	}
	if t, ok := r.believed[h]; ok {
		return t
	}
	r.believed[h] = 0 // a cycle cannot be, but stops here if it were
	var t int64
	for _, p := range r.ParentsOf(h) {
		t = max(t, r.believedTime(p))
	}
	r.believed[h] = t
	return t
}

// futureDated names commit h when it is dated more than dateSkew after
// the moment of the check: a commit is not made in the future, whatever
// it changes. The commits after it are judged by the dates before it
// (believedTime), and so is an opsbook write (its commit-date guard looks
// under a HEAD dated in the future of the writer's clock).
func (r *Repo) futureDated(ctx context.Context, h plumbing.Hash, rulesAt func() (*Rules, error)) (*Violation, error) {
	t := r.TimeOf(h)
	if r.latest == 0 || t <= r.latest {
		return nil, nil
	}
	nd := r.Indexed(h)
	if nd == nil {
		return nil, fmt.Errorf("commit %s is not indexed", h)
	}
	rl, err := rulesAt()
	if err != nil {
		return nil, err
	}
	v := &Violation{Commit: h.String(), Rule: RuleCommitDate, Actor: r.actorOf(ctx, h), Line: 1, Column: 1}
	for _, c := range nd.Changes() {
		if _, id, ok := recordFile(rl.Dir, c.Path); ok {
			v.Record, v.Path = id, c.Path
			break
		}
		if v.Path == "" {
			v.Path = c.Path
		}
	}
	when := time.Unix(t, 0).UTC().Format(time.RFC3339)
	at := time.Unix(r.latest, 0).Add(-dateSkew).UTC().Format(time.RFC3339)
	v.Message, v.Text = i18n.Both("commit is dated %s, after this check (%s): a commit is not made in the future, so its date was set ahead (by hand or by a clock far ahead); the commits after it, and every opsbook write, are judged by the dates of the history before it", when, at)
	return v, nil
}

// statedKind is the kind field a record file states ("" when none).
func statedKind(rec *record.Record) string {
	if v, ok := rec.Data.Get("kind"); ok {
		return record.Text(v)
	}
	return ""
}
