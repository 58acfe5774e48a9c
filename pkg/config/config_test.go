package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestDefaults(t *testing.T) {
	p := Default()
	if p.ApprovalLimits["manager"].String() != "5000.00" || p.SLA["high"].Respond != 4 || !p.Commit {
		t.Fatalf("defaults wrong: %+v", p)
	}
	if p.Rating(decimal.RequireFromString("86.4")) != "exceeds" || p.Rating(decimal.NewFromInt(39)) != "unsatisfactory" || p.Rating(decimal.NewFromInt(90)) != "outstanding" {
		t.Fatal("rating thresholds")
	}
}

func TestLoadFileAndEnv(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte("currency: EUR\napproval_limits:\n  manager: 3000.00\ncategories:\n  expense: [food, rent]\n"), 0o644)
	t.Setenv("OPSBOOK_CHECK_INTERVAL_DAYS", "7")
	p, ds, err := Load(dir)
	if err != nil || len(ds) != 0 {
		t.Fatalf("load: %v %v", err, ds)
	}
	if p.Currency != "EUR" || p.ApprovalLimits["manager"].String() != "3000.00" || p.ApprovalLimits["director"].String() != "50000.00" {
		t.Fatalf("policy: %+v", p)
	}
	if len(p.ExpenseCategories) != 2 || p.CheckIntervalDays != 7 {
		t.Fatalf("policy: %+v", p)
	}
	if p.Sources["approval_limits.manager"] != ".opsbook.yaml:3" || p.Sources["check_interval_days"] != "env OPSBOOK_CHECK_INTERVAL_DAYS" || p.Sources["commit"] != "default" {
		t.Fatalf("sources: %v", p.Sources)
	}
}

func TestLoadBadFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte("currency: EUR\napproval_limit:\n  manager: 3000\n"), 0o644)
	_, ds, err := Load(dir)
	if err != nil || len(ds) != 1 || ds[0].Line != 2 || ds[0].Path != FileName {
		t.Fatalf("want one diagnostic at line 2, got %v %v", ds, err)
	}
}

func TestBadEnv(t *testing.T) {
	t.Setenv("OPSBOOK_CHECK_INTERVAL_DAYS", "lots")
	if _, _, err := Load(t.TempDir()); err == nil {
		t.Fatal("bad env accepted")
	}
}

// No variable loosens a rule that decides a write: each is ignored, with a
// warning naming it.
func TestEnvNeverSetsRules(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte("records: records\n"), 0o644)
	for k, v := range map[string]string{"approval_limits.manager": "10000.00", "approval_limits.director": "1000000.00",
		"require_signatures": "false", "receipt_required_above": "99999.00", "records": "shadow",
		"sla.critical.respond": "999", "categories.expense": "anything", "ratings.outstanding": "1"} {
		t.Setenv(EnvName(k), v)
	}
	p, ds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	if p.ApprovalLimits["manager"].String() != d.ApprovalLimits["manager"].String() || p.ApprovalLimits["director"].String() != d.ApprovalLimits["director"].String() ||
		p.ReceiptRequiredAbove.String() != d.ReceiptRequiredAbove.String() || p.Records != "records" || p.SLA["critical"] != d.SLA["critical"] ||
		len(p.ExpenseCategories) != len(d.ExpenseCategories) {
		t.Errorf("the environment set a rule: %+v", p)
	}
	if n := len(IgnoredEnv()); n != 8 || len(ds) != 8 || !strings.Contains(ds[0].Message, "is ignored") {
		t.Errorf("%d variables said ignored, diagnostics %v", n, ds)
	}
}

func TestFindRoot(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), nil, 0o644)
	sub := filepath.Join(dir, "records", "expenses")
	os.MkdirAll(sub, 0o755)
	got, err := FindRoot(sub)
	if err != nil || got != dir {
		t.Fatalf("FindRoot = %q %v", got, err)
	}
}

// A .opsbook.yaml committed inside the records folder is not the policy of
// whoever runs opsbook below it: within a git work tree the outermost
// policy file counts; outside git, the nearest.
func TestFindRootPlantedPolicy(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, ".git"), 0o755)
	os.WriteFile(filepath.Join(dir, FileName), nil, 0o644)
	sub := filepath.Join(dir, "records", "expenses", "2026")
	os.MkdirAll(sub, 0o755)
	os.WriteFile(filepath.Join(dir, "records", FileName), []byte("approval_limits: {manager: 900000.00}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "records", "expenses", FileName), nil, 0o644)
	for _, from := range []string{sub, filepath.Join(dir, "records"), dir} {
		if got, err := FindRoot(from); err != nil || got != dir {
			t.Errorf("FindRoot(%s) = %q %v, want %s", from, got, err, dir)
		}
	}
	// A department in a folder of a larger repository: its own policy.
	dept := filepath.Join(dir, "ops")
	os.MkdirAll(filepath.Join(dept, "records"), 0o755)
	os.Remove(filepath.Join(dir, FileName))
	os.WriteFile(filepath.Join(dept, FileName), nil, 0o644)
	if got, err := FindRoot(filepath.Join(dept, "records")); err != nil || got != dept {
		t.Errorf("FindRoot in a department folder = %q %v, want %s", got, err, dept)
	}
	// Without git, the nearest.
	plain := t.TempDir()
	os.WriteFile(filepath.Join(plain, FileName), nil, 0o644)
	inner := filepath.Join(plain, "a")
	os.Mkdir(inner, 0o755)
	os.WriteFile(filepath.Join(inner, FileName), nil, 0o644)
	if got, err := FindRoot(inner); err != nil || got != inner {
		t.Errorf("FindRoot outside git = %q %v, want %s", got, err, inner)
	}
}

func TestOneBadKeyKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte("check_interval_days: 1\napproval_limits:\n  manager: 5000.001\ncategories:\n  expense: [office, events]\nfoo: 1\n"), 0o644)
	p, ds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.CheckIntervalDays != 1 || len(p.ExpenseCategories) != 2 || p.ApprovalLimits["manager"].String() != "5000.00" {
		t.Fatalf("valid keys lost: %+v", p)
	}
	if len(ds) != 2 {
		t.Fatalf("want the bad limit and the unknown key, got %v", ds)
	}
}

func TestCoherence(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte("ratings: {exceeds: 95}\napproval_limits: {manager: 60000.00}\n"), 0o644)
	_, ds, _ := Load(dir)
	if len(ds) != 2 {
		t.Fatalf("want thresholds out of order and manager over director, got %v", ds)
	}
}

func TestEmptyPolicyAndEnvChecks(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte("\n"), 0o644)
	if _, ds, err := Load(dir); err != nil || len(ds) != 0 {
		t.Fatalf("empty policy: %v %v", ds, err)
	}
	// The profiles cmd/opsbook writes are no policy setting, and no mistake.
	t.Setenv("OPSBOOK_CPUPROFILE", filepath.Join(dir, "cpu.prof"))
	t.Setenv("OPSBOOK_MEMPROFILE", filepath.Join(dir, "mem.prof"))
	if _, ds, err := Load(dir); err != nil || len(ds) != 0 {
		t.Fatalf("profiles: %v %v", ds, err)
	}
	t.Setenv("OPSBOOK_CHECK_INTERVAL", "3")
	_, ds, _ := Load(dir)
	if len(ds) != 1 || !strings.Contains(ds[0].Message, "did you mean OPSBOOK_CHECK_INTERVAL_DAYS") {
		t.Fatalf("misspelt variable: %v", ds)
	}
}

func TestCoordinationPolicy(t *testing.T) {
	p, ds := FromBytes([]byte("meetings:\n  weekly: 14\n  decision: 30\nstatus_reports:\n  manager: 0\nmeasurement_interval_days: 10\ndata_sources:\n  - name: pos_sales\n    owner: he.jing\n    collection: 收銀系統\n"))
	if len(ds) != 0 {
		t.Fatalf("%v", ds)
	}
	if p.Meetings["weekly"] != 14 || p.Meetings["decision"] != 30 || p.Meetings["monthly"] != 31 || p.StatusReports["manager"] != 0 || p.StatusReports["director"] != 31 || p.MeasurementIntervalDays != 10 {
		t.Fatalf("%+v %+v %d", p.Meetings, p.StatusReports, p.MeasurementIntervalDays)
	}
	if len(p.DataSources) != 1 || p.DataSources[0] != (DataSource{"pos_sales", "he.jing", "收銀系統"}) || p.Value("data_sources") != "pos_sales" || p.Value("meetings.weekly") != "14" {
		t.Fatalf("%+v", p.DataSources)
	}
	for _, bad := range []string{"meetings:\n  weekly: -1\n", "meetings:\n  yearly: 365\n", "data_sources:\n  - name: Bad Name\n    owner: x\n    collection: y\n", "data_sources:\n  - name: x\n"} {
		if _, ds := FromBytes([]byte(bad)); len(ds) == 0 {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestLanguage(t *testing.T) {
	dir := t.TempDir()
	if p, _, _ := Load(dir); p.Language != "en" || p.Sources["language"] != "default" {
		t.Fatalf("no key: %q from %q, want en by default", p.Language, p.Sources["language"])
	}
	if got := LanguageOf(dir); got != "" {
		t.Fatalf("LanguageOf without a file = %q", got)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte("currency: EUR\nlanguage: zh-Hant\n"), 0o644)
	p, ds, err := Load(dir)
	if err != nil || len(ds) != 0 || p.Language != "zh-Hant" || p.Sources["language"] != ".opsbook.yaml:2" || p.Value("language") != "zh-Hant" {
		t.Fatalf("language: %q %v %v %v", p.Language, ds, err, p.Sources["language"])
	}
	sub := filepath.Join(dir, "records", "expense")
	os.MkdirAll(sub, 0o755)
	if got := LanguageOf(sub); got != "zh-Hant" {
		t.Fatalf("LanguageOf from a subfolder = %q", got)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte("language: fr\n"), 0o644)
	p, ds, _ = Load(dir)
	if len(ds) == 0 || ds[0].Line != 1 || p.Language != "en" {
		t.Fatalf("language fr: %q %v", p.Language, ds)
	}
	if got := LanguageOf(dir); got != "" {
		t.Fatalf("LanguageOf(fr) = %q", got)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte("language: [zh-Hant\n"), 0o644)
	if got := LanguageOf(dir); got != "" {
		t.Fatalf("LanguageOf(broken yaml) = %q", got)
	}
}

// OPSBOOK_LANGUAGE sets nothing, and the warning says where the language
// comes from instead (not that it decides what a change may do).
func TestLanguageEnvIsIgnoredWithTheRightReason(t *testing.T) {
	t.Setenv("OPSBOOK_LANGUAGE", "en")
	msgs := IgnoredEnv()
	if len(msgs) != 1 || !strings.Contains(msgs[0], "OPSBOOK_LANGUAGE is ignored: the language comes from --lang") {
		t.Fatalf("IgnoredEnv = %q", msgs)
	}
}

func TestEncryptAttachments(t *testing.T) {
	p, ds := FromBytes([]byte("encrypt:\n  violation:\n    fields: [facts]\n    readers: [director]\n    attachments: [confidential]\n  customer:\n    readers: [director]\n    attachments: true\n  appraisal:\n    fields: [outcome.reward]\n    readers: [director]\n    attachments: false\n"))
	if len(ds) != 0 {
		t.Fatalf("diagnostics: %v", ds)
	}
	v, c, a := p.Encrypt["violation"], p.Encrypt["customer"], p.Encrypt["appraisal"]
	if !v.EncryptsAttachments("confidential") || v.EncryptsAttachments("internal") {
		t.Errorf("violation: %v", v.Attachments)
	}
	if len(c.Attachments) != 3 || len(c.Fields) != 0 || a.EncryptsAttachments("confidential") {
		t.Errorf("customer %v, appraisal %v", c, a)
	}
	for _, bad := range []struct{ text, want string }{
		{"encrypt:\n  violation:\n    readers: [director]\n    attachments: [secret]\n", `"secret" is not a classification`},
		{"encrypt:\n  violation:\n    readers: [director]\n    attachments: yes\n", "neither true, false nor a list"},
		{"encrypt:\n  violation:\n    readers: [director]\n    attachments: false\n", "names no fields and no attachments"},
		{"encrypt:\n  violation:\n    readers: [director]\n    attachments: [internal, internal]\n", "internal"},
		{"encrypt:\n  expense:\n    readers: [director]\n    attachments: true\n", "expense"},
	} {
		_, ds := FromBytes([]byte(bad.text))
		found := false
		for _, d := range ds {
			if d.Path == FileName && d.Line >= 2 && strings.Contains(d.Message, bad.want) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: want a policy error at its line saying %q, got %v", bad.text, bad.want, ds)
		}
	}
}

// TestPolicyChanges: policy_changes is director (the default) or
// leadership; anything else is a finding at its line, the default
// standing for it.
func TestPolicyChanges(t *testing.T) {
	if Default().PolicyChanges != "director" {
		t.Fatalf("default %q", Default().PolicyChanges)
	}
	for text, want := range map[string]string{"leadership": "leadership", "director": "director", "boss": "director"} {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, FileName), []byte("currency: CNY\npolicy_changes: "+text+"\n"), 0o644)
		p, ds, err := Load(dir)
		if err != nil || p.PolicyChanges != want {
			t.Fatalf("%s: %q %v", text, p.PolicyChanges, err)
		}
		if bad := text == "boss"; bad != (len(ds) == 1 && ds[0].Line == 2) {
			t.Errorf("%s: findings %v", text, ds)
		}
	}
}
