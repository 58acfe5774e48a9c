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
