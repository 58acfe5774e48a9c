package audit

import "testing"

// TestVerifyWorkingTreeEncoding: a .gitattributes that makes git convert
// the department's files at checkout (working-tree-encoding) is named,
// wherever it can reach them; line endings, UTF-8 and a folder that holds
// none of them pass, and a merge of the branch that brought it is not
// named again.
func TestVerifyWorkingTreeEncoding(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "draft", "sun.li", "10.00"))
	imp := tr.commit("wang.fang", "import")

	tr.write(".gitattributes", "* text=auto eol=lf\n*.pdf binary\n")
	tr.commit("sun.li", "line endings")
	tr.write("docs/.gitattributes", "*.txt working-tree-encoding=UTF-16\n")
	tr.commit("sun.li", "docs only")
	tr.write("records/.gitattributes", "*.yaml working-tree-encoding=utf-8\n")
	tr.commit("sun.li", "utf-8 is no conversion")

	tr.git("checkout", "-q", "-b", "side")
	tr.write("records/expenses/.gitattributes", "# claims\n2026/EXP-2026-0009.yaml   working-tree-encoding=ISO646-DE\n")
	sub := tr.commit("sun.li", "claims in ISO646-DE")
	tr.git("checkout", "-q", "main")
	tr.write("attachments/.gitattributes", "[attr]old working-tree-encoding=SHIFT_JIS\n")
	macro := tr.commit("sun.li", "a macro")
	tr.merge("wang.fang", "side")

	wantViolations(t, tr.verify(imp+"..main"),
		short(sub)+" file-type ",
		short(macro)+" file-type ",
	)
}

// TestVerifyHidingAttributes: a .gitattributes that gives the records or
// the policy an attribute hiding their changes from reviewers (-diff,
// diff=…, binary, linguist-generated) or changing what a checkout reads
// (ident, filter=…) is named, with its line; the same attributes on
// attachments or other files, unset again by a later line, or in a folder
// that holds no record, pass.
func TestVerifyHidingAttributes(t *testing.T) {
	tr := newTestRepo(t)
	tr.people(defaultPolicy)
	tr.write(expensePath("EXP-2026-0003"), expense("EXP-2026-0003", "draft", "sun.li", "10.00"))
	imp := tr.commit("wang.fang", "import")

	tr.write(".gitattributes", "* text=auto eol=lf\n*.pdf binary\nattachments/** -diff linguist-generated\n")
	tr.commit("sun.li", "attachments only")
	tr.write("docs/.gitattributes", "*.yaml -diff ident\n")
	tr.commit("sun.li", "docs only")
	tr.write("records/.gitattributes", "*.yaml -diff\n*.yaml diff\n")
	tr.commit("sun.li", "unset, then set again")
	tr.write("records/.gitattributes", "[attr]quiet -diff\n*.yaml quiet\n")
	tr.commit("sun.li", "a macro below the top, which git ignores")
	tr.write("records/.gitattributes", "*.yaml linguist-generated=false\n")
	tr.commit("sun.li", "not generated")
	tr.git("rm", "-q", "records/.gitattributes")
	tr.commit("sun.li", "none")

	want := map[string]int{}
	for _, c := range []struct {
		file, text string
		line       int
	}{
		{".gitattributes", "* text=auto\n*.yaml -diff\n", 2},
		{"records/expenses/.gitattributes", "# claims\n2026/*.yaml binary\n", 2},
		{"records/.gitattributes", "**/*.yaml linguist-generated=true\n", 1},
		{".gitattributes", ".opsbook.yaml ident\n", 1},
		{"records/people/.gitattributes", "*.yaml filter=lfs\n", 1},
		{".gitattributes", "[attr]quiet -diff\nrecords/** quiet\n", 2}, // through a macro: the line using it
		{"records/.gitattributes", "tasks/** diff=word\n", 1},
	} {
		tr.write(c.file, c.text)
		h := tr.commit("sun.li", "hide "+c.file)
		want[short(h)] = c.line
		tr.git("rm", "-q", c.file)
		tr.commit("sun.li", "undo "+c.file)
	}
	var wantList []string
	for h := range want {
		wantList = append(wantList, h+" file-type ")
	}
	rep := tr.verify(imp + "..main")
	wantViolations(t, rep, wantList...)
	for _, v := range rep.Violations {
		if line := want[short(v.Commit)]; v.Line != line {
			t.Errorf("%s: line %d named, want %d: %s", short(v.Commit), v.Line, line, v.Message)
		}
	}
}
