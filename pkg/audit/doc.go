// Package audit reads opsbook's approval record from git: the life of one
// record (History), the department's activity feed (Log), and the replay of
// a range of commits against the rules (Verify).
//
// Nothing a commit says about itself is trusted: trailers and messages are
// ignored, and every move is derived from the record files at the commit and
// at its parent. The actor of a commit is the person whose registered emails
// hold the author's email or, when the policy requires signatures, whose
// registered key signed it, both read from the people registry as it stood
// before the commit (see Verify for ranges).
//
// Reading git (packs, trees, commit headers, the commit index) is package
// gitobj's; this package holds what history means.
package audit
