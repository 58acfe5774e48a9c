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
// # Reading git fast
//
// go-git's path-filtered Log diffs whole trees and is two orders of
// magnitude slower than git. This package reads tree objects itself, compares
// entries by hash and descends only into subtrees that differ, and keeps an
// index of every commit's changes (paths with their blob hashes before and
// after, against the first parent) in .git/opsbook/commits.idx. A commit's
// changes never change, so the index only ever grows: a later run reads it,
// adds the commits that are new since, and answers history and log without
// opening a single tree. A corrupt or unreadable index is rebuilt.
package audit
