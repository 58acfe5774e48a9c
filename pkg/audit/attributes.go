package audit

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/gitattributes"
	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/record"
)

// attributesFile is git's per-folder attributes file.
const attributesFile = ".gitattributes"

// maxAttributesSize bounds the .gitattributes file read: a larger one is
// read up to it.
const maxAttributesSize = 1 << 20

// encodedAttributes names each .gitattributes file commit h adds or
// changes that sets a working-tree-encoding other than UTF-8 where it can
// reach the department's files: at the top of the repository, in a folder
// on the way to the records folder, or in the records folder, attachments/
// or a folder under them (RuleFileType). Git converts such a file from
// UTF-8 when it checks it out and back when it adds it, so the blob verify
// judges and the file every checkout reads are two texts: in ISO646-DE Ö is
// a backslash, and a claim whose committed text says amount: 10.00 reads
// amount: 9999.00 in every clone (list, show, the reports, validate),
// with no diff and no finding. A merge's attributes file that another
// parent already has is not named again: its commits were judged.
func (r *Repo) encodedAttributes(ctx context.Context, h plumbing.Hash, rulesAt func() (*Rules, error)) ([]Violation, error) {
	nd := r.Indexed(h)
	if nd == nil {
		return nil, fmt.Errorf("commit %s is not indexed", h)
	}
	var out []Violation
	var rl *Rules
	for _, c := range nd.Changes() {
		if path.Base(c.Path) != attributesFile || c.New.IsZero() || hasBlob(c.Others, c.New) {
			continue
		}
		if rl == nil {
			var err error
			if rl, err = rulesAt(); err != nil {
				return nil, err
			}
		}
		if !reachesRecords(path.Dir(c.Path), rl.Dir, r.Prefix()+"attachments") {
			continue
		}
		data, err := r.Blob(c.New, maxAttributesSize)
		if err != nil {
			return nil, err
		}
		v := Violation{Commit: h.String(), Path: c.Path, Rule: RuleFileType, Actor: r.actorOf(ctx, h), Line: 1, Column: 1}
		if enc := convertingEncoding(data); enc != "" {
			v.Message, v.Text = i18n.Both("%s sets working-tree-encoding=%s: git converts the files it names when it checks them out, so what a checkout reads (list, show, the reports, validate) is not the committed text verify judged; the department's files are UTF-8 as committed (remove the attribute)", c.Path, enc)
			out = append(out, v)
			continue
		}
		if attr, line, probe := hidingAttribute(data, path.Dir(c.Path), probePaths(rl)); attr != "" {
			v.Line = line
			v.Message, v.Text = hidingMessage(c.Path, attr, probe)
			out = append(out, v)
		}
	}
	return out, nil
}

// probePaths are paths of a record of every kind, a person and the policy,
// as a .gitattributes pattern would have to name them to reach them.
func probePaths(rl *Rules) []string {
	out := []string{rl.PolicyPath}
	for _, ki := range record.Kinds {
		dir := rl.Dir + "/" + ki.Dir + "/"
		switch {
		case ki.Kind == record.Person:
			out = append(out, dir+"li.wei.yaml")
		case ki.YearOnly:
			out = append(out, dir+ki.Prefix+"-2026.yaml")
		case ki.Yearly:
			out = append(out, dir+"2026/"+ki.Prefix+"-2026-0001.yaml")
		default:
			out = append(out, dir+ki.Prefix+"-0001.yaml")
		}
	}
	return out
}

// hidingAttribute returns the first attribute a .gitattributes file in
// folder dir gives one of the probe paths that changes what a checkout
// reads or hides a change from a reviewer, with its line and the path:
//
//   - ident: git writes the blob's hash into $Id$ at checkout, so the file
//     read is not the committed text;
//   - filter=…: a clean/smudge filter (set up on a machine, not in the
//     repository) rewrites the file at checkout and at add;
//   - -diff, diff=…, binary: git and the hosting site show no text diff of
//     the file, so a pull request's reviewers approve changes they cannot
//     read (an amount raised shows as "binary files differ");
//   - linguist-generated: the hosting site folds the file's diff away as
//     generated.
//
// Lines git would ignore (bad attribute names) are skipped; patterns and
// macros are matched as git matches them (go-git's gitattributes). The
// working-tree-encoding is convertingEncoding's.
func hidingAttribute(data []byte, dir string, probes []string) (attr string, line int, probe string) {
	var domain []string
	if dir != "." && dir != "" {
		domain = strings.Split(dir, "/")
	}
	var stack []gitattributes.MatchAttribute
	var lines []int
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxAttributesSize)
	for n := 1; sc.Scan(); n++ {
		m, err := gitattributes.ParseAttributesLine(sc.Text(), domain, domain == nil)
		if err != nil || m.Name == "" {
			continue
		}
		stack = append(stack, m)
		lines = append(lines, n)
	}
	if len(stack) == 0 {
		return "", 0, ""
	}
	macros := map[string][]gitattributes.Attribute{}
	for _, m := range stack {
		if m.Pattern == nil {
			macros[m.Name] = m.Attributes
		}
	}
	for _, p := range probes {
		parts := strings.Split(p, "/")
		got, at := attributesOf(stack, macros, parts)
		for _, name := range []string{"ident", "filter", "diff", "linguist-generated"} {
			a, ok := got[name]
			if !ok {
				continue
			}
			var what string
			switch {
			case name == "filter" && a.IsValueSet():
				what = "filter=" + a.Value()
			case name == "diff" && a.IsUnset():
				what = "-diff"
				if a.Name() == "binary" {
					what = "binary"
				}
			case name == "diff" && a.IsValueSet():
				what = "diff=" + a.Value()
			case name == "linguist-generated" && (a.IsSet() || a.IsValueSet() && !strings.EqualFold(a.Value(), "false")):
				what = "linguist-generated"
			case name == "ident" && a.IsSet():
				what = name
			}
			if what != "" {
				return what, lines[at[name]], p
			}
		}
	}
	return "", 0, ""
}

// attributesOf is the state of each attribute the pattern lines of stack
// give the path parts, as git decides it: the last line matching that
// names an attribute wins, and within a line the last mention; a macro
// set on a line gives its attributes there ("binary", built in, is -diff,
// reported under diff as an unset attribute named binary). at is the
// index in stack of the line that decided each. (go-git's matcher lets
// the first line win.)
func attributesOf(stack []gitattributes.MatchAttribute, macros map[string][]gitattributes.Attribute, parts []string) (got map[string]gitattributes.Attribute, at map[string]int) {
	got, at = map[string]gitattributes.Attribute{}, map[string]int{}
	decide := func(name string, a gitattributes.Attribute, i int) {
		if _, ok := got[name]; !ok {
			got[name], at[name] = a, i
		}
	}
	for i := len(stack) - 1; i >= 0; i-- {
		m := stack[i]
		if m.Pattern == nil || !m.Pattern.Match(parts) {
			continue
		}
		for j := len(m.Attributes) - 1; j >= 0; j-- {
			a := m.Attributes[j]
			decide(a.Name(), a, i)
			if !a.IsSet() {
				continue
			}
			if a.Name() == "binary" {
				decide("diff", binaryAttribute{}, i)
			}
			for k := len(macros[a.Name()]) - 1; k >= 0; k-- {
				ma := macros[a.Name()][k]
				decide(ma.Name(), ma, i)
			}
		}
	}
	return got, at
}

// binaryAttribute is what the built-in macro binary gives diff: unset.
type binaryAttribute struct{}

func (binaryAttribute) Name() string        { return "binary" }
func (binaryAttribute) IsSet() bool         { return false }
func (binaryAttribute) IsUnset() bool       { return true }
func (binaryAttribute) IsUnspecified() bool { return false }
func (binaryAttribute) IsValueSet() bool    { return false }
func (binaryAttribute) Value() string       { return "" }
func (binaryAttribute) String() string      { return "-diff" }

// hidingMessage says what the attribute does, in English and the
// user's language.
func hidingMessage(file, attr, probe string) (english, local string) {
	switch {
	case attr == "ident":
		return i18n.Both("%s sets ident on the department's files (%s among them): git writes the blob's hash into $Id$ when it checks them out, so what a checkout reads is not the committed text verify judged (remove the attribute for the records and the policy)", file, probe)
	case strings.HasPrefix(attr, "filter="):
		return i18n.Both("%s sets %s on the department's files (%s among them): a filter rewrites them when they are checked out and added, so what a checkout reads is not the committed text verify judged (remove the attribute for the records and the policy)", file, attr, probe)
	case attr == "linguist-generated":
		return i18n.Both("%s sets linguist-generated on the department's files (%s among them): the hosting site folds their changes away in a pull request, so reviewers approve changes they were not shown (remove the attribute for the records and the policy)", file, probe)
	default:
		return i18n.Both("%s sets %s on the department's files (%s among them): git and the hosting site show no text diff of them, so a pull request's reviewers approve changes they cannot read (remove the attribute for the records and the policy)", file, attr, probe)
	}
}

func hasBlob(hs []plumbing.Hash, h plumbing.Hash) bool {
	for _, o := range hs {
		if o == h {
			return true
		}
	}
	return false
}

// reachesRecords reports whether a .gitattributes in folder dir ("." the
// top) can name a file of the records folder recs, of the attachments
// folder atts or the policy beside them: the top, a folder on the way to
// them, or one inside them.
func reachesRecords(dir, recs, atts string) bool {
	if dir == "." || dir == "" {
		return true
	}
	for _, top := range []string{recs, atts} {
		top = strings.Trim(path.Clean(top), "/")
		if dir == top || strings.HasPrefix(dir, top+"/") || strings.HasPrefix(top, dir+"/") {
			return true
		}
	}
	return false
}

// convertingEncoding returns the first working-tree-encoding a
// .gitattributes file sets that makes git convert (any but UTF-8, which
// git leaves as it is), in a pattern's line or a macro's ([attr]NAME).
func convertingEncoding(data []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxAttributesSize)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, f := range strings.Fields(line)[1:] {
			v, ok := strings.CutPrefix(f, "working-tree-encoding=")
			if ok && !strings.EqualFold(v, "utf-8") {
				return v
			}
		}
	}
	return ""
}
