// Package rules holds the department's checks that a schema cannot express:
// references between records, sums, appraisal arithmetic, what each state
// needs, budgets, SLAs and overdue work. Every check has a stable rule code
// (see Catalog) and reports diagnostics at the line of the field concerned.
package rules

import (
	"sort"
	"sync"
	"time"

	"github.com/opsbook/opsbook/pkg/attach"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/crypt"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/par"
	"github.com/opsbook/opsbook/pkg/record"
)

// Context is what the checks read besides the records.
type Context struct {
	Set    *record.Set
	Policy *config.Policy
	// Root is the repository root, for attachments.
	Root string
	// Now is the moment SLA clocks and due dates are judged against.
	Now time.Time
	// Horizon, when set, collects the instants at which the answers made
	// as of Now may change (see Horizon).
	Horizon *Horizon
	// Exists tells whether an attachment is a regular file reached without
	// a symbolic link; defaults to Stat.
	Exists func(rel string) bool
	// Stat says what is at an attachment's path; defaults to attach.Stat
	// below Root.
	Stat func(rel string) attach.State
	// Sum is an attachment's SHA-256; defaults to attach.Sum below Root.
	Sum func(rel string) (string, error)
	// Head returns the first bytes of an attachment (an encrypted file's
	// age header); defaults to attach.Head below Root.
	Head func(rel string) ([]byte, error)
	// Stanzas, when set, remembers the recipients of each ciphertext read
	// (crypt.StanzaMemo): runs of one session over mostly the same
	// records (a preview judging changes on the whole department) read
	// each age header once.
	Stanzas *crypt.StanzaMemo
	// Pending holds files a change is about to write (path: content): they
	// count as present, with the hash of their content.
	Pending map[string][]byte
	// KindIDs, when set, lists the ids of a kind in the whole department,
	// for the "did you mean" of a missing reference: a caller judging part
	// of the department (a write judged on a record's neighbourhood) gives
	// the department's ids, so the suggestion is the one a full run makes.
	// Nil: the ids of Set.
	KindIDs func(k record.Kind) []string
	// Only, when set, limits the checks of single records to the records
	// it accepts; the checks across records still read every record of
	// Set. A caller that keeps the findings of some records only (a write
	// judged on a neighbourhood) spares the others' checks.
	Only func(rec *record.Record) bool
	// Errors says only the errors are wanted (a write's refusal): the
	// checks across records that can only warn (split claims, courses not
	// held, appraisals missing, meeting and status report cadence) are
	// skipped. The checks of single records still report their warnings.
	Errors bool
	// NoOverspend leaves budget-overspend to the caller, which weighs
	// the claims of a budget line itself (Overspends): a write judged on
	// a neighbourhood reads the line's claims from the index, not as
	// records.
	NoOverspend bool
	// Keep, when set, limits the findings to those it accepts (by the
	// record's path, the rule and the severity); the others are never
	// placed or worded, which costs more than finding them. A write judged
	// on a neighbourhood keeps only the findings it compares.
	Keep func(path, rule string, sev diag.Severity) bool
	// Unplaced leaves the findings without a place (Line and Column 0)
	// and names the field each is on in Field instead, for a caller that
	// compares many and shows few (a change judged on the whole
	// department): it places those it shows with Place. Finding a
	// field's line reads the record's text again.
	Unplaced bool
	// LeftAtClose, when set, says who of a closed project's team had left
	// when it closed, for a project closed before the move stamped
	// closure.left (ok false: not known): read from the history
	// (audit.LeftAtClose). It is asked only for a team member owed a
	// closing appraisal that the project lacks.
	LeftAtClose func(prj *record.Record) (left []string, ok bool)

	repeats *complaintsAt // RepeatOf's look-up, built on first use
}

// Rule describes one check.
type Rule struct {
	Code     string
	Severity diag.Severity
	Summary  string
}

// Catalog lists every rule code that validate can report, for the README and
// `opsbook validate --rules`.
var Catalog = []Rule{
	{"yaml-syntax", diag.Error, "the file is not valid YAML"},
	{"yaml-empty", diag.Error, "the file is empty"},
	{"yaml-multiple-documents", diag.Error, "more than one YAML document in a file"},
	{"yaml-duplicate-key", diag.Error, "a key written twice in one mapping (also 'id' beside id)"},
	{"yaml-alias", diag.Error, "anchors, aliases and merge keys: records are plain data"},
	{"yaml-tag", diag.Error, "explicit tags (!!str, !!binary, custom tags)"},
	{"yaml-null", diag.Error, "an empty or null value"},
	{"yaml-key", diag.Error, "a key that is not text"},
	{"yaml-number", diag.Error, "a number that is not a plain decimal (012, 0x1F, 1e3, .inf, over 15 digits)"},
	{"yaml-bool", diag.Error, "a boolean other than true or false"},
	{"yaml-depth", diag.Error, "nesting past 32 levels"},
	{"yaml-structure", diag.Error, "the document is not a mapping of fields"},
	{"file-size", diag.Error, "a file over 1 MiB"},
	{"file-encoding", diag.Error, "invalid UTF-8 or control characters"},
	{"file-conflict", diag.Error, "merge-conflict markers left in the file"},
	{"file-type", diag.Error, "a symbolic link or other non-regular file (never followed)"},
	{"file-read", diag.Error, "a file that cannot be read"},
	{"file-location", diag.Error, "kind or id disagrees with the file's folder and name"},
	{"required", diag.Error, "a required field is missing"},
	{"unknown-field", diag.Error, "a field the kind does not have (with a suggestion)"},
	{"enum", diag.Error, "a value outside its list (states, roles, categories from policy, ...)"},
	{"format", diag.Error, "a bad date, instant or amount of money"},
	{"schema", diag.Error, "any other schema violation (type, pattern, range)"},
	{"policy", diag.Error, ".opsbook.yaml is invalid"},
	{"id-duplicate", diag.Error, "one id held by two files"},
	{"ref-missing", diag.Error, "a reference to a record that does not exist or is of another kind"},
	{"ref-role", diag.Error, "a reference to a person without the role the field needs"},
	{"people-director", diag.Error, "not exactly one active director"},
	{"people-email", diag.Error, "one email address registered to two people"},
	{"people-key", diag.Error, "one key registered to two people (signatures and encrypted fields would name either)"},
	{"items-sum", diag.Error, "expense items do not add up to the amount"},
	{"receipt-required", diag.Error, "a submitted claim over the receipt threshold without receipts"},
	{"expense-date", diag.Error, "a claim dated after today"},
	{"attachment-missing", diag.Warning, "an attachment that does not exist (an error once the record is past its first state, and always for a listed one)"},
	{"attachment-unlisted", diag.Warning, "a path an attachment field names that is not in the record's attachments list with its sha256 (an error once the record is past its first state)"},
	{"attachment-path", diag.Error, "a listed attachment outside attachments/, escaping with '..', or listed twice"},
	{"attachment-type", diag.Error, "a listed attachment that is a symbolic link (or reached through one) or not a regular file"},
	{"attachment-hash", diag.Error, "a listed attachment whose SHA-256 differs from the one the record lists"},
	{"split-claim", diag.Warning, "claims by one claimant on one day, or sharing a receipt, whose sum passes an approval limit each stays under"},
	{"receipt-shared", diag.Warning, "claims sharing a receipt (the same path or the same SHA-256) whose sum passes no approval limit: a receipt reimbursed twice"},
	{"interrupted-change", diag.Warning, "a change stopped half-way (kill, closed terminal) that the next writing command or `opsbook doctor` finishes or undoes"},
	{"leftover-temp", diag.Warning, "a temporary file left by an interrupted write (.NAME.tmp-N)"},
	{"staged-revert", diag.Warning, "the git index stages the old content of a file HEAD's opsbook commit changed"},
	{"appraisal-weights", diag.Error, "indicator weights do not sum to 100"},
	{"appraisal-total", diag.Error, "total differs from Σ weight × score / 100"},
	{"appraisal-rating", diag.Error, "rating does not follow from the total"},
	{"appraisal-self", diag.Error, "the appraiser is the employee"},
	{"appraisal-appraiser", diag.Error, "the appraiser is neither the employee's manager nor the director"},
	{"measures-required", diag.Warning, "a second below-standard appraisal in a row"},
	{"state-needs", diag.Error, "a field or record the record's state needs is missing"},
	{"plan-active", diag.Error, "more than one active plan for a project"},
	{"budget-year", diag.Error, "a budget's year differs from its id"},
	{"budget-overspend", diag.Error, "approved and paid claims exceed a category's or project line's budget"},
	{"complaint-time", diag.Error, "a complaint answered, updated or resolved before it was received, or a time in the future"},
	{"sla-breach", diag.Warning, "a complaint answered or resolved later than its SLA"},
	{"task-overdue", diag.Warning, "an active plan's task, or a task (TSK) open or doing, past its due date and not done"},
	{"check-missing", diag.Warning, "an active plan without a progress check within check_interval_days"},
}

// Check runs every cross-record check over the set.
func Check(c *Context) []diag.Diagnostic {
	c.files()
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	c.complaintsBy() // before the checks share c among goroutines
	r := &run{Context: c, facts: &facts{}}
	r.duplicates()
	r.people()
	r.records()
	across := []func(*run){(*run).activePlans, (*run).budgets}
	if !c.Errors {
		across = append(across, (*run).splitClaims, (*run).coursesNotHeld, (*run).appraisalsMissing, (*run).appraisalDuplicates, (*run).meetingCadence, (*run).statusReportCadence)
	}
	across = append(across, (*run).budgetEnvelopes, (*run).planBudgets)
	r.acrossRecords(across)
	return r.diags
}

// acrossRecords runs the checks across records, each into its own run, on
// all cores (they only read the set and the shared facts), and joins
// their findings in the checks' order: the findings are those of one pass.
func (r *run) acrossRecords(checks []func(*run)) {
	runs := make([]*run, len(checks))
	par.Each(len(checks), func(i int) {
		runs[i] = &run{Context: r.Context, facts: r.facts}
		checks[i](runs[i])
	})
	for _, rr := range runs {
		r.diags = append(r.diags, rr.diags...)
	}
}

// files fills in the attachment look-ups the caller left out, and lays
// Pending over them.
func (c *Context) files() {
	if c.Stat == nil {
		c.Stat = func(rel string) attach.State { return attach.Stat(c.Root, rel) }
	}
	if c.Sum == nil {
		c.Sum = func(rel string) (string, error) { return attach.Sum(c.Root, rel) }
	}
	// A file is hashed once a run, however many records list it (copies of
	// one contract, a shared receipt): the rules run in one moment.
	c.Sum = onceEach(c.Sum)
	if c.Head == nil {
		c.Head = func(rel string) ([]byte, error) { return attach.Head(c.Root, rel, crypt.HeaderMax) }
	}
	if c.Exists == nil {
		stat := c.Stat
		c.Exists = func(rel string) bool { return stat(rel) == attach.Regular }
	}
	if len(c.Pending) == 0 {
		return
	}
	stat, sum, exists, head := c.Stat, c.Sum, c.Exists, c.Head
	c.Head = func(rel string) ([]byte, error) {
		if data, ok := c.Pending[rel]; ok {
			return data[:min(len(data), crypt.HeaderMax)], nil
		}
		return head(rel)
	}
	c.Stat = func(rel string) attach.State {
		if _, ok := c.Pending[rel]; ok {
			return attach.Regular
		}
		return stat(rel)
	}
	c.Sum = func(rel string) (string, error) {
		if data, ok := c.Pending[rel]; ok {
			return attach.SumBytes(data), nil
		}
		return sum(rel)
	}
	c.Exists = func(rel string) bool {
		_, ok := c.Pending[rel]
		return ok || exists(rel)
	}
}

// onceEach remembers sum's answer for each path; safe from several
// goroutines (two may both compute a path's first answer: the same one).
func onceEach(sum func(string) (string, error)) func(string) (string, error) {
	type answer struct {
		sum string
		err error
	}
	var seen sync.Map
	return func(rel string) (string, error) {
		if a, ok := seen.Load(rel); ok {
			return a.(answer).sum, a.(answer).err
		}
		s, err := sum(rel)
		seen.Store(rel, answer{s, err})
		return s, err
	}
}

// records runs the checks of each record. They read other records but
// change nothing, so blocks of records are checked on all cores, each block
// into its own run, and joined in record order: the diagnostics are those of
// one pass. (Exists must be safe to call from several goroutines.)
func (r *run) records() {
	const block = 512
	recs := r.Set.Records
	if r.Only != nil {
		recs = nil
		for _, rec := range r.Set.Records {
			if r.Only(rec) {
				recs = append(recs, rec)
			}
		}
	}
	runs := make([]*run, (len(recs)+block-1)/block)
	par.Each(len(runs), func(b int) {
		rr := &run{Context: r.Context, facts: r.facts}
		for _, rec := range recs[b*block : min((b+1)*block, len(recs))] {
			rr.record(rec)
		}
		runs[b] = rr
	})
	for _, rr := range runs {
		r.diags = append(r.diags, rr.diags...)
	}
}

func (r *run) record(rec *record.Record) {
	r.refs(rec)
	r.attachments(rec)
	r.ndaRequired(rec)
	r.classification(rec)
	r.encrypted(rec)
	r.dateOrders(rec)
	switch rec.Kind {
	case record.Person:
		r.reportsTo(rec)
		r.nda(rec)
		r.readerKeys(rec)
	case record.Expense:
		r.expense(rec)
	case record.Appraisal:
		r.appraisal(rec)
		r.appraisalPeriod(rec)
	case record.Complaint:
		r.complaint(rec)
		r.complaintCare(rec)
	case record.Customer:
		r.customer(rec)
	case record.Plan:
		r.plan(rec)
	case record.Project:
		r.project(rec)
	case record.Budget:
		r.budget(rec)
	case record.TrainingPlan:
		r.trainingPlan(rec)
	case record.Training:
		r.training(rec)
	case record.Violation:
		r.violation(rec)
	default:
		r.coordination(rec)
	}
}

type run struct {
	*Context
	diags []diag.Diagnostic
	match matcher // reused by refs and attachments
	facts *facts  // shared by every run of one Check
}

// report adds a diagnostic at field of rec. format is a catalog key: the
// message is kept in English (for -o json) and in the reader's language.
//
// i18n:format 4
func (r *run) report(rec *record.Record, field string, sev diag.Severity, rule, format string, args ...any) {
	if r.Keep != nil && !r.Keep(rec.Path, rule, sev) {
		return
	}
	msg, text := i18n.Both(format, args...)
	r.reportText(rec, field, sev, rule, msg, text)
}

// reportText is report for a message already worded (msg in English, text
// in the reader's language).
func (r *run) reportText(rec *record.Record, field string, sev diag.Severity, rule, msg, text string) {
	if r.Keep != nil && !r.Keep(rec.Path, rule, sev) {
		return
	}
	if r.Unplaced {
		r.diags = append(r.diags, diag.Diagnostic{
			Path: rec.Path, Severity: sev, Rule: rule,
			Message: msg, Text: text, Record: rec.ID, Field: field,
		})
		return
	}
	line, col := rec.Pos(field)
	r.diags = append(r.diags, diag.Diagnostic{
		Path: rec.Path, Line: line, Column: col, Severity: sev, Rule: rule,
		Message: msg, Text: text, Record: rec.ID,
	})
}

// Place gives a finding of a run with Unplaced its place, as the run
// would have: the line and column of its field in rec, the record it is
// on.
func Place(d *diag.Diagnostic, rec *record.Record) {
	d.Line, d.Column = rec.Pos(d.Field)
	d.Field = ""
}

// groupNames is how many of a group's records a finding about the group
// names (the rest counted): the finding is on every record of the group,
// and a group the size of a thousand would otherwise print a thousand ids
// on each of its thousand records.
const groupNames = 10

// group returns a reporter of one finding on many records, worded once:
// a group's finding (split-claim, receipt-shared, plan-budget,
// appraisal-duplicate) names the records of the group (the first
// groupNames of them, then how many more) and is put on each of them, so
// wording it once a
// record made the messages of a group of k records cost k² in time and
// memory (at 300,000 copies of the sample, gigabytes); the group's
// diagnostics now share one message. It is worded on the first record
// kept (see Context.Keep), so a group whose findings are not wanted is
// never worded.
//
// i18n:format 2
func (r *run) group(sev diag.Severity, rule, format string, args ...any) func(rec *record.Record, field string) {
	var msg, text string
	worded := false
	return func(rec *record.Record, field string) {
		if r.Keep != nil && !r.Keep(rec.Path, rule, sev) {
			return
		}
		if !worded {
			msg, text = i18n.Both(format, args...)
			worded = true
		}
		r.reportText(rec, field, sev, rule, msg, text)
	}
}

// dayCount is a count of days in a finding: "1 day", "7 days" (7 天).
func dayCount(n int) i18n.Phrase { return i18n.PluralP(n, "%d day", "%d days", n) }

// hourCount is a count of hours in a finding: "1 hour", "48 hours".
func hourCount(n int) i18n.Phrase { return i18n.PluralP(n, "%d hour", "%d hours", n) }

// oldKeys is a count of the keys a value is still encrypted to that no
// current reader holds.
func oldKeys(n int) i18n.Phrase {
	return i18n.PluralP(n, "%d key of no current reader", "%d keys of no current reader", n)
}

// errorf reports an error (see report).
//
// i18n:format 3
func (r *run) errorf(rec *record.Record, field, rule, format string, args ...any) {
	r.report(rec, field, diag.Error, rule, format, args...)
}

// warnf reports a warning (see report).
//
// i18n:format 3
func (r *run) warnf(rec *record.Record, field, rule, format string, args ...any) {
	r.report(rec, field, diag.Warning, rule, format, args...)
}

func (r *run) duplicates() {
	// The set's index already groups records by id.
	seen := r.Set.Shared()
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		recs := seen[id]
		for i, rec := range recs {
			other := recs[(i+1)%len(recs)]
			r.errorf(rec, "id", "id-duplicate", "id %s is also held by %s: an id names exactly one file (use `opsbook renumber` for a collision)", id, other.Path)
		}
	}
}
