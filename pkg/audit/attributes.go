package audit

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/i18n"
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
		enc := convertingEncoding(data)
		if enc == "" {
			continue
		}
		v := Violation{Commit: h.String(), Path: c.Path, Rule: RuleFileType, Actor: r.actorOf(ctx, h), Line: 1, Column: 1}
		v.Message, v.Text = i18n.Both("%s sets working-tree-encoding=%s: git converts the files it names when it checks them out, so what a checkout reads (list, show, the reports, validate) is not the committed text verify judged; the department's files are UTF-8 as committed (remove the attribute)", c.Path, enc)
		out = append(out, v)
	}
	return out, nil
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
