// Package gitobj reads git objects for the audit: commits, trees and blobs
// from the pack files and loose objects of a repository, and an index of
// every commit's changed files.
//
// # Reading git fast
//
// go-git's path-filtered Log diffs whole trees and is two orders of
// magnitude slower than git. This package reads pack files itself (object
// headers, zlib, delta code), reads tree objects itself, compares entries
// by hash and descends only into subtrees that differ, and keeps an index
// of every commit's changes (paths with their blob hashes before and after,
// against the first parent) in .git/opsbook/commits.idx. A commit's changes
// never change, so the index only ever grows: a later run reads it, adds
// the commits that are new since, and answers history and log without
// opening a single tree. A corrupt or unreadable index is rebuilt.
//
// PackReader is the same pack reading for a writer's few trees: each pack
// index searched in place rather than decoded, and only small objects
// kept once resolved.
package gitobj
