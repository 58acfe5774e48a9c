// Package gitstore keeps opsbook's records in git through go-git: it commits
// exactly the files a command changed (leaving the rest of the index and the
// work tree alone), reads blobs at a revision, tells which paths have
// uncommitted changes, and guards the repository with a lock file.
//
// Paths given to and returned by this package are relative to the work tree
// root and use forward slashes ("records/expenses/2026/EXP-2026-0193.yaml").
// File contents are committed byte for byte: clean/smudge filters, eol
// conversion (core.autocrlf, .gitattributes) and Git LFS are not applied,
// git hooks are not run, and GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE are
// not consulted: the repository is the one whose work tree is the root.
//
// A writing command goes:
//
//	repo, err := gitstore.Open(root)
//	unlock, err := repo.LockWait(ctx, wait, note) // ErrBusy while a live opsbook holds it
//	defer unlock()
//	findings, err := repo.Recover(nil, true)      // finish or undo an interrupted change
//	err = repo.CheckState()                       // before touching any file
//	dirty, err := repo.Dirty(paths)               // refuse to overwrite uncommitted edits
//	name, email, err := repo.Identity()
//	hash, err := repo.Commit(ctx, gitstore.CommitRequest{Files: ...})
//
// Commit writes CommitRequest.Files to the work tree itself, journaled, so
// that a crash at any moment leaves a state Recover finishes or undoes
// (journal.go describes the order of the steps); WriteFiles does the same
// without a commit.
//
// # git's bytes
//
// go-git resolves references, reads the configuration's files and encodes
// the commit object; the rest of a commit works on git's own bytes. A path
// is looked up by walking the bytes of the trees along it; a commit
// splices each tree on the changed paths (treesplice.go: the changed
// entries taken out, the new ones written at git's place, a folder's name
// sorting as if it ended in "/") and the git index (splice.go: read for
// the committed paths, the other entries written back as runs of the
// bytes read); objects are written as loose objects at git's zlib level
// for them (loose.go). Trees are read loose, from the packs through
// gitobj.PackReader, or, failing both, through go-git, and must hash to
// their id and parse as trees.
//
// # Signing
//
// Commit signs the way `git commit -S` does, by running the program git would
// run and storing its output in the commit's gpgsig header. It reads from
// git's configuration:
//
//   - commit.gpgsign: sign every commit (CommitRequest.Sign can force it or
//     turn it off).
//   - gpg.format: "openpgp" (the default), "ssh" or "x509".
//   - openpgp: runs `gpg --status-fd=2 -bsau <key>` (or gpg.openpgp.program,
//     or gpg.program), where <key> is user.signingkey or, when that is unset,
//     the committer's "Name <email>". gpg-agent and pinentry work as for git.
//   - x509: the same with gpgsm (or gpg.x509.program).
//   - ssh: runs `ssh-keygen -Y sign -n git -f <key> <file>` (or
//     gpg.ssh.program). user.signingkey is required and may be the path of a
//     private key; the path of a public key (.pub) whose private key lies
//     beside it without the suffix or is held by ssh-agent; or a literal
//     public key, "key::ssh-ed25519 AAAA..." (or "ssh-ed25519 AAAA..."), whose
//     private key ssh-agent holds. "~/" is expanded and a relative path is
//     taken from the work tree root. gpg.ssh.defaultKeyCommand is not
//     supported.
//
// A missing program or a failed signature is an error; the commit is then
// not made at all, never made unsigned instead.
package gitstore
