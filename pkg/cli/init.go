package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/opsbook/opsbook/pkg/change"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/render"
	"github.com/opsbook/opsbook/pkg/schema"
	"github.com/opsbook/opsbook/pkg/workflow"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

type initOpts struct {
	*global
	dir, name, email, role, handle string
}

// initLong is the longer help of init, keyed in the help catalog.
const initLong = `Init creates a records repository in DIR (default: the current folder): git
(unless DIR already is one), .opsbook.yaml with the default policy written out,
the records folders, attachments/, a README stub for the department, and the
first person — you — and commits them as that person. The name and email
default to those you gave git (user.name and user.email, or GIT_AUTHOR_NAME
and GIT_AUTHOR_EMAIL), the handle to the part of the email before @. Usually
the first person is the director.`

func newInitCmd(g *global) *cobra.Command {
	o := &initOpts{global: g}
	cmd := &cobra.Command{
		Use:     "init [DIR] [--name NAME] [--email EMAIL] [--role ROLE] [--handle HANDLE]",
		Short:   i18n.T("Create a new records repository with its first person and first commit"),
		Long:    i18n.T(initLong),
		Example: `  opsbook init ops --name "王芳" --email wang.fang@example.com --role director`,
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.dir = "."
			if len(args) == 1 {
				o.dir = args[0]
			}
			if !filepath.IsAbs(o.dir) {
				o.dir = filepath.Join(g.dir, o.dir)
			}
			return runInit(cmd, o)
		},
	}
	cmd.Flags().StringVar(&o.name, "name", "", i18n.T("your `NAME` (default: git's user.name)"))
	cmd.Flags().StringVar(&o.email, "email", "", i18n.T("your `EMAIL`, the git identity you commit with (default: git's user.email)"))
	cmd.Flags().StringVar(&o.role, "role", "director", i18n.T("your `ROLE`: director, manager, specialist, leadership or finance"))
	cmd.Flags().StringVar(&o.handle, "handle", "", i18n.T("your `HANDLE` (default: from the email)"))
	return cmd
}

var handleClean = regexp.MustCompile(`[^a-z0-9.-]+`)

// errFolderBusy: another init held the folder's lock past --wait.
var errFolderBusy = errors.New("another init holds the folder")

const defaultPolicy = `# opsbook policy. Every key is optional; these are the defaults.
records: records
currency: CNY
language: zh-Hant         # labels and messages: zh-Hant or en (absent: en)
approval_limits:          # largest expense each role may approve; leadership: any
  manager: 5000.00
  director: 50000.00
receipt_required_above: 500.00
sla:                      # hours: first response / resolution
  critical: {respond: 1, resolve: 24}
  high: {respond: 4, resolve: 72}
  medium: {respond: 8, resolve: 120}
  low: {respond: 24, resolve: 240}
ratings: {outstanding: 90, exceeds: 80, meets: 60, below: 40}
categories:
  expense: [personnel, marketing, office, travel, training, other]
  complaint: [product, service, billing, delivery, staff, other]
check_interval_days: 14
require_signatures: false
expense_review: off
commit: true
`

func runInit(cmd *cobra.Command, o *initOpts) error {
	if _, err := o.format(render.Text, render.JSON, render.YAML); err != nil {
		return err
	}
	fromGit := o.name == "" || o.email == ""
	emailFromGit := o.email == ""
	if fromGit {
		name, email := gitstore.ConfiguredIdentity(o.dir)
		if o.name == "" {
			o.name = name
		}
		if o.email == "" {
			o.email = email
		}
		if o.name == "" || o.email == "" {
			return usageErr("init needs --name and --email (the first person of the department): git has no user.name or user.email to take them from")
		}
	}
	if !strings.Contains(o.email, "@") {
		if emailFromGit {
			// the reader gave no --email: name where it came from
			return usageErr("the email git knows you by, %q (user.email, or GIT_AUTHOR_EMAIL or EMAIL), is not an email address; give one with --email", o.email)
		}
		return usageErr("--email %q is not an email address", o.email)
	}
	if !isRole(o.role) {
		return usageErr("--role %q is not one of director, manager, specialist, leadership, finance", o.role)
	}
	if o.role != string(workflow.Director) {
		return usageErr("--role %s: the first person of a department is its director (exactly one active director is required, and only the director or leadership add people); add others later with `opsbook new person`", o.role)
	}
	handle := o.handle
	if handle == "" {
		handle = strings.Trim(handleClean.ReplaceAllString(strings.ToLower(strings.SplitN(o.email, "@", 2)[0]), "-"), ".-")
	}
	if !record.ValidID(record.Person, handle) {
		return usageErr("handle %q is not valid (lower-case letters, digits, . and -); give one with --handle", handle)
	}
	o.attemptOne(changeJSON{ID: handle, Path: "records/people/" + handle + ".yaml", Action: "init"})
	speakTheNewPolicy(cmd, o.io)
	if fromGit {
		fmt.Fprintln(o.io.Err, i18n.Sprintf("the first person: %s <%s>, as git knows you (--name and --email give another)", o.name, o.email))
	}
	if err := os.MkdirAll(o.dir, 0o755); err != nil {
		return usageErr("creating %s: %v", o.dir, err)
	}
	// Another init in this folder goes first: this one waits for it (as a
	// write waits for the lock), then finds its department made.
	unlockFolder, waited, err := lockFolder(cmd.Context(), o.dir, o.wait)
	if errors.Is(err, errFolderBusy) {
		return &ExitError{ExitBusy, i18n.Errorf(msgInitBusy, o.dir, o.wait)}
	}
	if err != nil {
		return usageErr("locking %s: %v", o.dir, err)
	}
	defer unlockFolder()
	g, err := gitstore.Open(o.dir)
	var unlock func()
	if err == nil {
		// An init killed half-way left its journal here: finish or undo
		// it first (as every write does), so that the department is
		// either made or not there at all, and this init may make it.
		if unlock, err = change.LockAndRecover(cmd.Context(), g, o.wait, o.io.Err); err != nil {
			return writeErr(err)
		}
		defer unlock()
	}
	if err := notARecordsRepository(o.dir); err != nil {
		if waited {
			return refusedInit(msgInitJustMade, o.dir)
		}
		return err
	}
	if errors.Is(err, gitstore.ErrNotRepository) {
		g, err = gitstore.Init(o.dir)
	}
	if err != nil {
		return &ExitError{ExitUsage, err}
	}
	if err := g.CheckState(); err != nil {
		return &ExitError{ExitUsage, err}
	}
	adopted, err := g.AdoptIdentity(o.name, o.email)
	if err != nil {
		return &ExitError{ExitUsage, err}
	}
	if adopted {
		fmt.Fprintln(o.io.Err, i18n.Sprintf(msgInitIdentity, o.email, o.name))
	}
	if unlock == nil {
		if unlock, err = g.Lock(); err != nil {
			return writeErr(err)
		}
		defer unlock()
	}

	person, err := personYAML(handle, o.name, o.role, o.email)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		config.FileName:        []byte(defaultPolicy),
		"README.md":            []byte(readmeStub(o.name)),
		"attachments/.gitkeep": nil,
		change.RecordPath("records", record.Person, handle): person,
	}
	for _, ki := range record.Kinds {
		if ki.Kind != record.Person {
			files["records/"+ki.Dir+"/.gitkeep"] = nil
		}
	}
	if _, err := os.Lstat(filepath.Join(o.dir, "README.md")); err == nil {
		delete(files, "README.md")
	}
	sch, err := schema.Compile(config.Default().ExpenseCategories, config.Default().ComplaintCategories)
	if err != nil {
		return err
	}
	rec, ds := record.Parse("records/people/"+handle+".yaml", person)
	if rec == nil || len(ds) > 0 || len(sch.Validate(rec)) > 0 {
		return usageErr("the first person would not be valid: %v %v", ds, sch.Validate(rec))
	}
	// The commit writes the files itself, journaled: killed at any moment,
	// the next opsbook (init again, or doctor) finds the department made
	// or no file of it there.
	var writes []gitstore.FileWrite
	for p, data := range files {
		if data == nil {
			data = []byte{}
		}
		writes = append(writes, gitstore.FileWrite{Path: p, Data: data})
	}
	sort.Slice(writes, func(i, j int) bool { return writes[i].Path < writes[j].Path })
	msg := change.Message{Kind: record.Person, ID: handle, Action: "init", Note: "A new operations department records repository."}
	// dated by the clock every write uses (--now, OPSBOOK_NOW), so the
	// department's next change does not come before its first
	when, err := o.clock()
	if err != nil {
		return err
	}
	hash, err := g.Commit(cmd.Context(), gitstore.CommitRequest{Files: writes, Message: msg.String(), Author: gitstore.Signature{Name: o.name, Email: o.email, When: when}})
	if err != nil {
		return &ExitError{ExitUsage, i18n.Errorf("committing: %w", err)}
	}
	return o.report(changeJSON{ID: handle, Path: "records/people/" + handle + ".yaml", Action: "init", Commit: hash},
		i18n.Sprintf("initialised %s with %s (%s)", shownDir(o.dir), handle, i18n.Term("role", o.role)))
}

// shownDir is the folder init made a department in, as its report names
// it: as given, but the current folder by its path rather than ".".
func shownDir(dir string) string {
	if filepath.Clean(dir) != "." {
		return dir
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// ruleRepositoryExists is the rule of init's refusal in a folder that is
// already a records repository, as -o json names it.
const ruleRepositoryExists = "repository-exists"

// refusedInit is init's refusal (exit 3) of a folder already made a
// department, in English for -o json and in the reader's language.
//
// i18n:format 0
func refusedInit(format string, args ...any) error {
	en, text := i18n.Both(format, args...)
	return refused(&change.Refused{Rule: ruleRepositoryExists, Reason: en, Text: text})
}

// notARecordsRepository refuses a folder that already holds a department:
// its policy file, or a records folder with a file in it (the empty
// folders an undone init leaves behind are none).
func notARecordsRepository(dir string) error {
	if _, err := os.Lstat(filepath.Join(dir, config.FileName)); err == nil {
		return refusedInit("refused: %s already has %s: it is already a records repository", dir, config.FileName)
	}
	found := false
	filepath.WalkDir(filepath.Join(dir, "records"), func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	if found {
		return refusedInit("refused: %s already has %s: it is already a records repository", dir, "records")
	}
	return nil
}

// speakTheNewPolicy switches to the language of the policy init writes
// (zh-Hant), as every later command in the new department will speak it,
// unless --lang or the environment chose one: before the department
// exists, its policy could not choose.
func speakTheNewPolicy(cmd *cobra.Command, io *Streams) {
	if f := cmd.Flags().Lookup("lang"); f != nil && f.Changed {
		return
	}
	if _, ok := i18n.FromEnv(orEmpty(io.Getenv)); ok {
		return
	}
	var p struct {
		Language string `yaml:"language"`
	}
	if yaml.Unmarshal([]byte(defaultPolicy), &p) != nil {
		return
	}
	if t, ok := i18n.Parse(p.Language); ok {
		i18n.Set(t)
	}
}

func personYAML(handle, name, role, email string) ([]byte, error) {
	doc := &yaml.Node{Kind: yaml.MappingNode}
	add := func(k string, v *yaml.Node) {
		doc.Content = append(doc.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, v)
	}
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	add("kind", str("person"))
	add("id", str(handle))
	add("name", str(name))
	add("role", str(role))
	add("emails", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{str(email)}})
	add("active", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	return yaml.Marshal(doc)
}

func readmeStub(name string) string {
	return `# Operations department records

This repository holds the operations department's records (projects, plans,
complaints, appraisals, budgets, expense claims) as YAML files, managed with
opsbook. Start with:

    opsbook summary
    opsbook validate

Every change is a commit; pull requests carry approvals. Set up by ` + name + `.
`
}

func isRole(s string) bool {
	for _, r := range workflow.Roles {
		if string(r) == s {
			return true
		}
	}
	return false
}
