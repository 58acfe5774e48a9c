// Package config finds the records repository and reads its policy: the
// built-in defaults (the department's rules), then .opsbook.yaml, then
// OPSBOOK_* environment variables (through viper) for the few keys that
// decide no write (EnvKeys), each value remembering where it came from.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/money"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/schema"
	"github.com/shopspring/decimal"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// FileName is the policy file at the repository root.
const FileName = ".opsbook.yaml"

// SLA is a severity's response and resolution targets, in hours.
type SLA struct {
	Respond int `json:"respond"`
	Resolve int `json:"resolve"`
}

// Policy is the effective policy of a repository.
type Policy struct {
	Records  string `json:"records"`
	Currency string `json:"currency"`
	// Language is the department's language for human text: zh-Hant or
	// en (the default). See LanguageOf.
	Language             string                     `json:"language"`
	ApprovalLimits       map[string]money.Amount    `json:"approval_limits"`
	ReceiptRequiredAbove money.Amount               `json:"receipt_required_above"`
	SLA                  map[string]SLA             `json:"sla"`
	Ratings              map[string]decimal.Decimal `json:"ratings"`
	ExpenseCategories    []string                   `json:"-"`
	ComplaintCategories  []string                   `json:"-"`
	CheckIntervalDays    int                        `json:"check_interval_days"`
	RequireSignatures    bool                       `json:"require_signatures"`
	// AppraisalCycle is year, half (the default) or quarter.
	AppraisalCycle string `json:"appraisal_cycle"`
	// RatingOutcomes lists, per rating (unsatisfactory too), the outcomes
	// an appraisal may close with.
	RatingOutcomes map[string][]string `json:"rating_outcomes"`
	// Indicators is, per role, the indicator catalogue of its periodic
	// appraisals (none: any indicators).
	Indicators map[string][]Indicator `json:"indicators"`
	// Classification is, per kind, the classification of a record that
	// does not say (Default) and the lowest it may say (Minimum).
	Classification map[record.Kind]ClassRule `json:"classification"`
	// RequireNDA: acting on a confidential record needs a valid
	// confidentiality agreement (§7.2.1).
	RequireNDA bool `json:"require_nda"`
	Commit     bool `json:"commit"`
	// ExpenseReview is "director" when the department head reviews every
	// claim before it is approved (§8.2.2), "off" (the default) when not.
	ExpenseReview string `json:"expense_review"`
	// PolicyChanges says who may change this file: "director" (the
	// default: the director or leadership) or "leadership" (leadership
	// alone: the director proposes, leadership commits). Judged by the
	// policy before the change, so the director cannot lift it alone.
	PolicyChanges string `json:"policy_changes"`
	// Meetings is the cadence of each meeting type in days (§6.3.2); 0
	// or absent: no cadence.
	Meetings map[string]int `json:"meetings"`
	// StatusReports is the days allowed between status reports upward
	// per role (manager, director; §2.2.2); 0: none.
	StatusReports map[string]int `json:"status_reports"`
	// MeasurementIntervalDays is the days allowed between measurements of
	// an active plan's goal (§3.3.3); 0: none.
	MeasurementIntervalDays int `json:"measurement_interval_days"`
	// DataSources is the register of data sources analyses cite (§4.1.1).
	DataSources []DataSource `json:"data_sources"`
	// RevisitDays is the days allowed between revisits of a customer, per
	// segment (§5.2.1); a segment not listed has none.
	RevisitDays map[string]int `json:"revisit_days"`
	// UpdateIntervalHours is how long an open complaint may go without an
	// update to the customer (§5.3.2); 0: none.
	UpdateIntervalHours int `json:"update_interval_hours"`
	// RepeatWindowDays: a complaint from the same customer in the same
	// category within this many days of an earlier one is a repeat; 0: none.
	RepeatWindowDays int `json:"repeat_window_days"`
	// Encrypt is, per kind, the fields stored encrypted in the files and
	// who may read them (see encrypt.go and package crypt).
	Encrypt map[record.Kind]EncryptRule `json:"encrypt,omitempty"`

	// Sources tells, for every key (dotted, as in the file), where its value
	// came from: "default", ".opsbook.yaml:LINE" or "env OPSBOOK_...".
	Sources map[string]string `json:"-"`
}

// Languages are the values of the policy key language.
var Languages = []string{"zh-Hant", "en"}

// MeetingTypes are the types of meeting, in the policy file's order.
var MeetingTypes = []string{"weekly", "monthly", "project", "decision", "cross-department"}

// DataSource is one entry of the data-source register.
type DataSource struct {
	Name       string `json:"name"`
	Owner      string `json:"owner"`
	Collection string `json:"collection"`
}

// ReportingRoles are the roles that report upward, in the file's order.
var ReportingRoles = []string{"manager", "director"}

// Severities in order of urgency.
var Severities = []string{"critical", "high", "medium", "low"}

// Ratings in order, best first; "unsatisfactory" is below every threshold.
var Ratings = []string{"outstanding", "exceeds", "meets", "below"}

// ClassRule is a kind's default and minimum classification.
type ClassRule struct {
	Default string `json:"default"`
	Minimum string `json:"minimum"`
}

// Classifications in ascending order of secrecy.
var Classifications = []string{"public", "internal", "confidential"}

// ClassRank orders classifications: public 0, internal 1, confidential 2;
// -1 for anything else.
func ClassRank(c string) int { return slices.Index(Classifications, c) }

// confidentialKinds are confidential by default and at least (§7.1): a
// person's appraisal and pay, a case of misconduct, customers' details,
// the department's budget.
var confidentialKinds = []record.Kind{record.Appraisal, record.Violation, record.Customer, record.Budget}

func defaultClassification() map[record.Kind]ClassRule {
	m := map[record.Kind]ClassRule{}
	for _, ki := range record.Kinds {
		m[ki.Kind] = ClassRule{Default: "internal", Minimum: "public"}
	}
	for _, k := range confidentialKinds {
		m[k] = ClassRule{Default: "confidential", Minimum: "confidential"}
	}
	return m
}

// Indicator is one entry of a role's indicator catalogue.
type Indicator struct {
	Name     string          `json:"name"`
	Weight   decimal.Decimal `json:"weight"`
	Standard string          `json:"standard"`
}

// Roles are the roles people have, in the rules' order.
var Roles = []string{"director", "manager", "specialist", "leadership", "finance"}

// Outcomes are what may follow from an appraisal (§6.2.2).
var Outcomes = []string{"reward", "pay_change", "promotion", "recognition", "none"}

// AppraisalCycles are the values of appraisal_cycle.
var AppraisalCycles = []string{"year", "half", "quarter"}

// Default returns the built-in policy: the department's rules as defaults.
func Default() *Policy {
	p := &Policy{
		Records:  "records",
		Currency: "CNY",
		Language: "en",
		ApprovalLimits: map[string]money.Amount{
			"manager":  money.MustParse("5000.00"),
			"director": money.MustParse("50000.00"),
		},
		ReceiptRequiredAbove: money.MustParse("500.00"),
		SLA: map[string]SLA{
			"critical": {1, 24}, "high": {4, 72}, "medium": {8, 120}, "low": {24, 240},
		},
		Ratings: map[string]decimal.Decimal{
			"outstanding": decimal.NewFromInt(90), "exceeds": decimal.NewFromInt(80),
			"meets": decimal.NewFromInt(60), "below": decimal.NewFromInt(40),
		},
		ExpenseCategories:   []string{"personnel", "marketing", "office", "travel", "training", "other"},
		ComplaintCategories: []string{"product", "service", "billing", "delivery", "staff", "other"},
		CheckIntervalDays:   14,
		AppraisalCycle:      "half",
		Indicators:          map[string][]Indicator{},
		Classification:      defaultClassification(),
		// Rewards, promotion and recognition follow a good rating; a pay
		// change may follow any (a cut below standard); below standard
		// earns no reward.
		RatingOutcomes: map[string][]string{
			"outstanding":    {"reward", "pay_change", "promotion", "recognition", "none"},
			"exceeds":        {"reward", "pay_change", "promotion", "recognition", "none"},
			"meets":          {"reward", "pay_change", "recognition", "none"},
			"below":          {"pay_change", "none"},
			"unsatisfactory": {"pay_change", "none"},
		},
		ExpenseReview:           "off",
		PolicyChanges:           "director",
		Meetings:                map[string]int{"weekly": 7, "monthly": 31, "project": 0, "decision": 0, "cross-department": 0},
		StatusReports:           map[string]int{"manager": 7, "director": 31},
		MeasurementIntervalDays: 31,
		DataSources:             []DataSource{},
		RevisitDays:             map[string]int{},
		UpdateIntervalHours:     48,
		RepeatWindowDays:        30,
		Commit:                  true,
		Sources:                 map[string]string{},
	}
	for _, k := range Keys() {
		p.Sources[k] = "default"
	}
	return p
}

// Keys lists every policy key in dotted form, in the file's order.
func Keys() []string {
	keys := []string{"records", "currency", "language", "approval_limits.manager", "approval_limits.director", "receipt_required_above"}
	for _, s := range Severities {
		keys = append(keys, "sla."+s+".respond", "sla."+s+".resolve")
	}
	for _, r := range Ratings {
		keys = append(keys, "ratings."+r)
	}
	keys = append(keys, "appraisal_cycle")
	for _, r := range Roles {
		keys = append(keys, "indicators."+r)
	}
	for _, ki := range record.Kinds {
		keys = append(keys, "classification."+string(ki.Kind)+".default", "classification."+string(ki.Kind)+".minimum")
	}
	for _, r := range append(Ratings[:len(Ratings):len(Ratings)], "unsatisfactory") {
		keys = append(keys, "rating_outcomes."+r)
	}
	keys = append(keys, "categories.expense", "categories.complaint", "check_interval_days", "require_signatures", "require_nda", "commit", "expense_review", "policy_changes")
	for _, t := range MeetingTypes {
		keys = append(keys, "meetings."+t)
	}
	for _, r := range ReportingRoles {
		keys = append(keys, "status_reports."+r)
	}
	keys = append(keys, "measurement_interval_days", "data_sources", "revisit_days", "update_interval_hours", "repeat_window_days")
	for _, k := range EncryptKinds() {
		keys = append(keys, "encrypt."+string(k))
	}
	return keys
}

// Rating returns the rating a total earns.
func (p *Policy) Rating(total decimal.Decimal) string {
	for _, r := range Ratings {
		if total.GreaterThanOrEqual(p.Ratings[r]) {
			return r
		}
	}
	return "unsatisfactory"
}

// Value returns the effective value of a dotted key as text.
func (p *Policy) Value(key string) string {
	switch key {
	case "records":
		return p.Records
	case "currency":
		return p.Currency
	case "language":
		return p.Language
	case "receipt_required_above":
		return p.ReceiptRequiredAbove.String()
	case "categories.expense":
		return strings.Join(p.ExpenseCategories, ", ")
	case "categories.complaint":
		return strings.Join(p.ComplaintCategories, ", ")
	case "check_interval_days":
		return strconv.Itoa(p.CheckIntervalDays)
	case "require_signatures":
		return strconv.FormatBool(p.RequireSignatures)
	case "require_nda":
		return strconv.FormatBool(p.RequireNDA)
	case "appraisal_cycle":
		return p.AppraisalCycle
	case "commit":
		return strconv.FormatBool(p.Commit)
	case "expense_review":
		return p.ExpenseReview
	case "policy_changes":
		return p.PolicyChanges
	case "measurement_interval_days":
		return strconv.Itoa(p.MeasurementIntervalDays)
	case "update_interval_hours":
		return strconv.Itoa(p.UpdateIntervalHours)
	case "repeat_window_days":
		return strconv.Itoa(p.RepeatWindowDays)
	case "revisit_days":
		segs := make([]string, 0, len(p.RevisitDays))
		for s := range p.RevisitDays {
			segs = append(segs, s)
		}
		sort.Strings(segs)
		for i, s := range segs {
			segs[i] = fmt.Sprintf("%s=%d", s, p.RevisitDays[s])
		}
		return strings.Join(segs, ", ")
	case "data_sources":
		var names []string
		for _, d := range p.DataSources {
			names = append(names, d.Name)
		}
		return strings.Join(names, ", ")
	}
	parts := strings.Split(key, ".")
	switch parts[0] {
	case "approval_limits":
		return p.ApprovalLimits[parts[1]].String()
	case "encrypt":
		return p.encryptValue(parts[1])
	case "ratings":
		return p.Ratings[parts[1]].String()
	case "rating_outcomes":
		return strings.Join(p.RatingOutcomes[parts[1]], ", ")
	case "classification":
		if parts[2] == "default" {
			return p.Classification[record.Kind(parts[1])].Default
		}
		return p.Classification[record.Kind(parts[1])].Minimum
	case "indicators":
		var out []string
		for _, in := range p.Indicators[parts[1]] {
			out = append(out, in.Name+" "+in.Weight.String())
		}
		return strings.Join(out, ", ")
	case "meetings":
		return strconv.Itoa(p.Meetings[parts[1]])
	case "status_reports":
		return strconv.Itoa(p.StatusReports[parts[1]])
	case "sla":
		s := p.SLA[parts[1]]
		if parts[2] == "respond" {
			return strconv.Itoa(s.Respond)
		}
		return strconv.Itoa(s.Resolve)
	}
	return ""
}

var categoryRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// ErrNotFound says no repository was found from the starting folder up,
// in the reader's language.
var ErrNotFound error = notFound{}

type notFound struct{}

func (notFound) Error() string { return i18n.T("not an opsbook repository") }

// FindRoot finds the repository root like git finds its top level: from
// dir upward, the folder holding .git, or the outermost folder holding
// .opsbook.yaml on the way there. Outermost, not nearest: a records folder
// is anyone's to add files to, and a .opsbook.yaml committed in
// records/expenses/ would otherwise be the policy (limits, roles, the
// records folder) of everyone who runs opsbook from a folder below it,
// while verify and CI read the one at the top. Outside git (no .git
// above), the nearest .opsbook.yaml is the root.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(abs); errors.Is(err, fs.ErrNotExist) {
		return "", i18n.Errorf("%w: there is no folder %s", ErrNotFound, abs)
	} else if err != nil {
		return "", i18n.Errorf("%w: %v", ErrNotFound, err)
	}
	nearest, outermost := "", ""
	for d := abs; ; d = filepath.Dir(d) {
		if exists(filepath.Join(d, FileName)) {
			if nearest == "" {
				nearest = d
			}
			outermost = d
		}
		if exists(filepath.Join(d, ".git")) {
			if outermost != "" {
				return outermost, nil
			}
			return d, nil
		}
		if filepath.Dir(d) == d {
			if nearest != "" {
				return nearest, nil
			}
			return "", i18n.Errorf("%w (no %s or .git in %s or any parent folder); create one with `opsbook init`", ErrNotFound, FileName, abs)
		}
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// LanguageOf reads only the key language of the policy file of the
// repository found from dir (FindRoot), cheaply enough to decide the
// language before a command runs: no schema, no records. It returns "" when
// there is no repository, no policy file, no such key or a file that does
// not parse (Load reports that one).
func LanguageOf(dir string) string {
	root, err := FindRoot(dir)
	if err != nil {
		return ""
	}
	path := filepath.Join(root, FileName)
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() || info.Size() > 1<<20 {
		return ""
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var doc struct {
		Language string `yaml:"language"`
	}
	if yaml.Unmarshal(data, &doc) != nil || !slices.Contains(Languages, doc.Language) {
		return ""
	}
	return doc.Language
}

// Load reads the policy of the repository at root. Problems in the policy
// file are returned as diagnostics (the defaults stand for the bad keys);
// err is set only when the file cannot be read at all.
func Load(root string) (*Policy, []diag.Diagnostic, error) {
	p, _, ds, err := LoadRead(root)
	return p, ds, err
}

// LoadRead is Load that also returns the policy file's bytes it read
// (nil when there is none): what the policy is made of, with
// Environment, for a caller that must know which policy it judged by
// whatever the file holds by now.
func LoadRead(root string) (*Policy, []byte, []diag.Diagnostic, error) {
	p := Default()
	var ds []diag.Diagnostic
	if info, err := os.Lstat(filepath.Join(root, FileName)); err == nil && !info.Mode().IsRegular() {
		switch {
		case info.IsDir():
			return nil, nil, nil, i18n.Errorf("%s is a folder, not a regular file: the policy is read only from a regular file", FileName)
		case info.Mode()&os.ModeSymlink != 0:
			return nil, nil, nil, i18n.Errorf("%s is a symbolic link, not a regular file: the policy is read only from a regular file", FileName)
		}
		return nil, nil, nil, i18n.Errorf("%s is not a regular file: the policy is read only from a regular file", FileName)
	}
	data, err := os.ReadFile(filepath.Join(root, FileName))
	switch {
	case errors.Is(err, os.ErrNotExist):
		data = nil
	case err != nil:
		return nil, nil, nil, i18n.Errorf("reading %s: %w", FileName, err)
	default:
		ds = p.applyFile(data)
	}
	if err := p.applyEnv(); err != nil {
		return nil, data, ds, err
	}
	for _, k := range ignoredEnv() {
		msg, text := ignoredEnvText(k)
		ds = append(ds, diag.Diagnostic{Path: "environment", Line: 1, Column: 1, Severity: diag.Warning, Rule: "policy", Message: msg, Text: text})
	}
	return p, data, append(ds, unknownEnv()...), nil
}

// notPolicyEnv are the OPSBOOK_* variables that are no part of the
// policy: the moment, the reader's identity, tracing, and cmd/opsbook's
// measuring aids (OPSBOOK_CPUPROFILE and OPSBOOK_MEMPROFILE: a profile of
// the run is written there).
var notPolicyEnv = map[string]bool{"OPSBOOK_NOW": true, "OPSBOOK_TRACE": true, "OPSBOOK_IDENTITY": true,
	"OPSBOOK_CPUPROFILE": true, "OPSBOOK_MEMPROFILE": true}

// notPolicy tells whether the variable called name is no part of the
// policy (notPolicyEnv, and the benchmarks' OPSBOOK_BENCH*).
func notPolicy(name string) bool {
	return notPolicyEnv[name] || strings.HasPrefix(name, "OPSBOOK_BENCH")
}

// Environment is what Load reads of the environment besides the policy
// file: every OPSBOOK_* variable that may be part of the policy (an
// override of EnvKeys, or one it warns of as ignored or unknown), as
// sorted NAME=VALUE strings each ended by a NUL. Load gives the same policy and diagnostics
// for the same file bytes and the same Environment, so an answer kept
// for later (repo.Memo) depends on it as on the file.
func Environment() string {
	var vars []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "OPSBOOK_") && !notPolicy(name) {
			vars = append(vars, kv)
		}
	}
	sort.Strings(vars)
	var b strings.Builder
	for _, kv := range vars {
		b.WriteString(kv + "\x00")
	}
	return b.String()
}

// unknownEnv warns about OPSBOOK_* variables that set nothing, so that a
// misspelt override does not pass unnoticed.
func unknownEnv() []diag.Diagnostic {
	known := maps.Clone(notPolicyEnv)
	for _, k := range Keys() {
		known[EnvName(k)] = true
	}
	var ds []diag.Diagnostic
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "OPSBOOK_") || known[name] || notPolicy(name) {
			continue
		}
		var names []string
		for k := range known {
			names = append(names, k)
		}
		sort.Strings(names)
		sug := schema.Suggest(name, names)
		for _, k := range names {
			if sug == "" && (strings.HasPrefix(k, name) || strings.HasPrefix(name, k)) && k != "OPSBOOK_NOW" {
				sug = k
			}
		}
		msg, text := i18n.Both("%s is not a policy setting and is ignored", name)
		if sug != "" {
			msg, text = i18n.Both("%s is not a policy setting and is ignored (did you mean %s?)", name, sug)
		}
		ds = append(ds, diag.Diagnostic{Path: "environment", Line: 1, Column: 1, Severity: diag.Warning, Rule: "policy", Message: msg, Text: text})
	}
	return ds
}

// FromBytes reads a policy from the text of a .opsbook.yaml as committed at
// some revision (nil: no file, the defaults). Unlike Load it applies no
// OPSBOOK_* environment overrides: history and verify judge a commit by the
// policy the repository held, which nobody can loosen from outside.
func FromBytes(data []byte) (*Policy, []diag.Diagnostic) {
	p := Default()
	if data == nil {
		return p, nil
	}
	return p, p.applyFile(data)
}

func (p *Policy) applyFile(data []byte) []diag.Diagnostic {
	if len(strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))) == 0 {
		return nil // every key is optional: an empty policy is the defaults
	}
	rec, ds := record.Parse(FileName, data)
	if rec == nil {
		return ds
	}
	sch, err := schema.Compile(p.ExpenseCategories, p.ComplaintCategories)
	if err != nil {
		return append(ds, diag.Diagnostic{Path: FileName, Line: 1, Column: 1, Severity: diag.Error, Rule: "policy", Message: err.Error(), Text: err.Error()})
	}
	// A bad key is reported and left at its default; the valid keys beside
	// it still apply, so one typo does not throw the department's policy
	// away.
	bad := map[int]bool{}
	for _, d := range sch.ValidatePolicy(rec) {
		d.Rule = "policy"
		ds = append(ds, d)
		bad[d.Line] = true
	}
	for _, key := range Keys() {
		v, ok := rec.Get(key)
		if !ok {
			continue
		}
		line, col := rec.Pos(key)
		if bad[line] || badBelow(rec, key, bad) {
			continue
		}
		if err := p.set(key, v); err != nil {
			msg, text := keyed(key, err)
			ds = append(ds, diag.Diagnostic{Path: FileName, Line: line, Column: col, Severity: diag.Error, Rule: "policy", Message: msg, Text: text})
			continue
		}
		p.Sources[key] = fmt.Sprintf("%s:%d", FileName, line)
	}
	return append(ds, p.coherence(rec)...)
}

// badBelow reports a list value with a bad item (a category list).
func badBelow(rec *record.Record, key string, bad map[int]bool) bool {
	for i := range rec.List(key) {
		if l, _ := rec.Pos(key + "." + strconv.Itoa(i)); bad[l] {
			return true
		}
	}
	return false
}

// coherence checks values against each other: rating thresholds descend,
// and a manager may not approve more than the director.
func (p *Policy) coherence(rec *record.Record) []diag.Diagnostic {
	var ds []diag.Diagnostic
	at := func(d diag.Diagnostic) { ds = append(ds, d) }
	for i := 1; i < len(Ratings); i++ {
		hi, lo := Ratings[i-1], Ratings[i]
		if !p.Ratings[hi].GreaterThan(p.Ratings[lo]) {
			at(policyDiag(rec, "ratings."+lo, "ratings: %s (%s) must be below %s (%s)", lo, p.Ratings[lo], hi, p.Ratings[hi]))
		}
	}
	for _, ki := range record.Kinds {
		if c := p.Classification[ki.Kind]; ClassRank(c.Default) < ClassRank(c.Minimum) {
			at(policyDiag(rec, "classification."+string(ki.Kind)+".default", "classification: %s's default %s is below its minimum %s", ki.Kind, c.Default, c.Minimum))
		}
	}
	if p.ApprovalLimits["manager"].GreaterThan(p.ApprovalLimits["director"]) {
		at(policyDiag(rec, "approval_limits.manager", "approval_limits: the manager's limit %s is above the director's %s", p.ApprovalLimits["manager"], p.ApprovalLimits["director"]))
	}
	for _, l := range [][]string{p.ExpenseCategories, p.ComplaintCategories} {
		seen := map[string]bool{}
		for _, c := range l {
			if seen[c] {
				at(policyDiag(rec, "categories", "categories: %q is listed twice", c))
			}
			seen[c] = true
		}
	}
	return ds
}

// set stores a value from the file (plain value) or environment (string).
func (p *Policy) set(key string, v any) error {
	text := record.Text(v)
	parts := strings.Split(key, ".")
	switch parts[0] {
	case "records":
		clean := filepath.ToSlash(filepath.Clean(text))
		if text == "" || filepath.IsAbs(text) || clean == ".." || strings.HasPrefix(clean, "../") {
			return badValue("%q must be a folder inside the repository", text)
		}
		p.Records = clean
	case "currency":
		if len(text) != 3 || strings.ToUpper(text) != text {
			return badValue("%q is not a three-letter currency code", text)
		}
		p.Currency = text
	case "language":
		if !slices.Contains(Languages, text) {
			return badValue("%q is not one of %s", text, i18n.Commas(Languages))
		}
		p.Language = text
	case "approval_limits", "receipt_required_above":
		if !money.ValidLiteral(text, false) {
			return badValue("%q is not an amount of money", text)
		}
		a := money.MustParse(text)
		if parts[0] == "approval_limits" {
			p.ApprovalLimits[parts[1]] = a
		} else {
			p.ReceiptRequiredAbove = a
		}
	case "sla", "check_interval_days":
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 {
			return badValue("%q is not a positive whole number", text)
		}
		if parts[0] == "check_interval_days" {
			p.CheckIntervalDays = n
			return nil
		}
		s := p.SLA[parts[1]]
		if parts[2] == "respond" {
			s.Respond = n
		} else {
			s.Resolve = n
		}
		p.SLA[parts[1]] = s
	case "revisit_days":
		m, _ := v.(record.Map)
		out := map[string]int{}
		for _, f := range m {
			seg, x := f.Key, f.Value
			n, err := strconv.Atoi(record.Text(x))
			if err != nil || n < 1 {
				return badValue("%s: %q is not a positive whole number of days", seg, record.Text(x))
			}
			out[seg] = n
		}
		p.RevisitDays = out
	case "meetings", "status_reports", "measurement_interval_days", "update_interval_hours", "repeat_window_days":
		n, err := strconv.Atoi(text)
		if err != nil || n < 0 {
			return badValue("%q is not a whole number of days (0: no cadence)", text)
		}
		switch parts[0] {
		case "update_interval_hours":
			p.UpdateIntervalHours = n
			return nil
		case "repeat_window_days":
			p.RepeatWindowDays = n
			return nil
		}
		if parts[0] == "measurement_interval_days" {
			p.MeasurementIntervalDays = n
			return nil
		}
		if parts[0] == "meetings" {
			p.Meetings[parts[1]] = n
		} else {
			p.StatusReports[parts[1]] = n
		}
	case "ratings":
		d, err := decimal.NewFromString(text)
		if err != nil || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(100)) {
			return badValue("%q is not a score from 0 to 100", text)
		}
		p.Ratings[parts[1]] = d
	case "categories":
		var list []string
		switch t := v.(type) {
		case []any:
			for _, x := range t {
				list = append(list, record.Text(x))
			}
		case string:
			for _, x := range strings.Split(t, ",") {
				if x = strings.TrimSpace(x); x != "" {
					list = append(list, x)
				}
			}
		}
		if len(list) == 0 {
			return badValue("needs at least one category")
		}
		if parts[1] == "expense" {
			p.ExpenseCategories = list
		} else {
			p.ComplaintCategories = list
		}
	case "appraisal_cycle":
		if !slices.Contains(AppraisalCycles, text) {
			return badValue("%q is not year, half or quarter", text)
		}
		p.AppraisalCycle = text
	case "classification":
		if ClassRank(text) < 0 {
			return badValue("%q is not public, internal or confidential", text)
		}
		c := p.Classification[record.Kind(parts[1])]
		if parts[2] == "default" {
			c.Default = text
		} else {
			c.Minimum = text
		}
		p.Classification[record.Kind(parts[1])] = c
	case "indicators":
		l, _ := v.([]any)
		var list []Indicator
		sum := decimal.Zero
		for _, x := range l {
			m, _ := x.(record.Map)
			name, _ := m.Get("name")
			weight, _ := m.Get("weight")
			std, _ := m.Get("standard")
			w, err := decimal.NewFromString(record.Text(weight))
			if err != nil || record.Text(name) == "" {
				return badValue("each indicator needs a name, a weight and a standard")
			}
			sum = sum.Add(w)
			list = append(list, Indicator{Name: record.Text(name), Weight: w, Standard: record.Text(std)})
		}
		if !sum.Equal(decimal.NewFromInt(100)) {
			return badValue("the weights of %s's indicators sum to %s, not 100", parts[1], sum)
		}
		p.Indicators[parts[1]] = list
	case "rating_outcomes":
		l, _ := v.([]any)
		var list []string
		for _, x := range l {
			o := record.Text(x)
			if !slices.Contains(Outcomes, o) {
				return badValue("%q is not an outcome (%s)", o, strings.Join(Outcomes, ", "))
			}
			list = append(list, o)
		}
		if len(list) == 0 {
			return badValue("needs at least one outcome")
		}
		p.RatingOutcomes[parts[1]] = list
	case "encrypt":
		return p.setEncrypt(parts[1], v)
	case "data_sources":
		list, _ := v.([]any)
		var out []DataSource
		for _, x := range list {
			m, _ := x.(record.Map)
			get := func(k string) string { y, _ := m.Get(k); return record.Text(y) }
			out = append(out, DataSource{Name: get("name"), Owner: get("owner"), Collection: get("collection")})
		}
		p.DataSources = out
	case "expense_review":
		if text != "off" && text != "director" {
			return badValue("%q is not off or director", text)
		}
		p.ExpenseReview = text
	case "policy_changes":
		if text != "director" && text != "leadership" {
			return badValue("%q is not director or leadership", text)
		}
		p.PolicyChanges = text
	case "require_signatures", "require_nda", "commit":
		b, err := strconv.ParseBool(text)
		if err != nil {
			return badValue("%q is not true or false", text)
		}
		switch parts[0] {
		case "commit":
			p.Commit = b
		case "require_nda":
			p.RequireNDA = b
		default:
			p.RequireSignatures = b
		}
	}
	return nil
}

// EnvName is the environment variable that overrides a key.
func EnvName(key string) string {
	return "OPSBOOK_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// EnvKeys are the keys an OPSBOOK_* variable may set: how opsbook shows
// and records things, never a rule that decides whether a write is
// allowed. Approval limits, roles, signatures, receipts, SLA, ratings,
// categories and the records folder come only from .opsbook.yaml, which
// is committed and reviewed; a variable setting one is ignored with a
// warning (IgnoredEnv).
var EnvKeys = []string{"currency", "check_interval_days", "commit"}

func envAllowed(key string) bool {
	for _, k := range EnvKeys {
		if k == key {
			return true
		}
	}
	return false
}

// IgnoredEnv names the OPSBOOK_* variables set in the environment that
// would set a rule (a key outside EnvKeys), each with a sentence saying
// it is ignored.
func IgnoredEnv() []string {
	var out []string
	for _, k := range ignoredEnv() {
		_, text := ignoredEnvText(k)
		out = append(out, text)
	}
	return out
}

// ignoredEnv are the keys IgnoredEnv names.
func ignoredEnv() []string {
	var out []string
	for _, k := range Keys() {
		if envAllowed(k) {
			continue
		}
		if _, ok := os.LookupEnv(EnvName(k)); ok {
			out = append(out, k)
		}
	}
	return out
}

// ignoredEnvText is IgnoredEnv's sentence for key k, in English and in the
// reader's language.
func ignoredEnvText(k string) (english, local string) {
	if k == "language" {
		return i18n.Both("%s is ignored: the language comes from --lang, then LC_ALL, LC_MESSAGES or LANG, then %s", EnvName(k), FileName)
	}
	return i18n.Both("%s is ignored: %s decides what a change may do, and is read only from %s", EnvName(k), k, FileName)
}

// valueError is a bad policy value, in English (Error) and in the reader's
// language (Why).
type valueError struct{ why i18n.Phrase }

func (e *valueError) Error() string {
	en, _ := i18n.Texts(e.why)
	return en
}

// badValue is a valueError.
//
// i18n:format 0
func badValue(format string, args ...any) error { return &valueError{i18n.P(format, args...)} }

// keyed is "key: what is wrong with its value", in English and in the
// reader's language.
func keyed(key string, err error) (english, local string) {
	var ve *valueError
	if errors.As(err, &ve) {
		return i18n.Both("%s: %s", key, ve.why)
	}
	return i18n.Both("%s: %s", key, err.Error())
}

// policyDiag is a policy error at key of rec (nil: line 1).
//
// i18n:format 2
func policyDiag(rec *record.Record, key, format string, args ...any) diag.Diagnostic {
	line, col := 1, 1
	if rec != nil {
		line, col = rec.Pos(key)
	}
	msg, text := i18n.Both(format, args...)
	return diag.Diagnostic{Path: FileName, Line: line, Column: col, Severity: diag.Error, Rule: "policy", Message: msg, Text: text}
}

// applyEnv lets OPSBOOK_* variables override the file for the keys of
// EnvKeys, through viper's environment binding. Lists are
// comma-separated.
func (p *Policy) applyEnv() error {
	v := viper.New()
	v.SetEnvPrefix("OPSBOOK")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	keys := Keys()
	sort.Strings(keys)
	for _, key := range keys {
		if !envAllowed(key) {
			continue
		}
		if err := v.BindEnv(key); err != nil {
			return err
		}
		if !v.IsSet(key) {
			continue
		}
		if strings.HasPrefix(key, "categories.") {
			for _, c := range strings.Split(v.GetString(key), ",") {
				if c = strings.TrimSpace(c); !categoryRE.MatchString(c) {
					return fmt.Errorf("environment %s: %q is not a category (lower-case letters, digits and _)", EnvName(key), c)
				}
			}
		}
		if err := p.set(key, v.GetString(key)); err != nil {
			return fmt.Errorf("environment %s: %w", EnvName(key), err)
		}
		p.Sources[key] = "env " + EnvName(key)
	}
	return nil
}
