package cli

// Human messages of pkg/cli built in one place so a
// language catalog can take them over.
const (
	msgEditInvalid     = "opsbook: the record is not valid. Fix it below, or quit without changes to give up."
	msgEditBannerLines = "Line numbers are those of this file as shown; lines starting with #| are removed when you save."
	// msgEditDiagAt: line, column, severity, message, rule.
	msgEditDiagAt = "line %d, column %d: %s: %s [%s]"
	// msgEditKept: the file that keeps what the user typed when an edit
	// ends without a commit.
	msgEditKept = "your edited text is kept in %s (nothing else was changed; copy from it, then delete it)"
	// msgEditGaveUp: an edit without a terminal stops reopening an
	// editor that keeps giving an invalid record.
	msgEditGaveUp = "the editor gave an invalid record %d times and no one is at a terminal: giving up, nothing was changed"
)

const (
	// msgVersionCommit: the commit's first 12 hex digits.
	msgVersionCommit   = " (commit %s"
	msgVersionModified = ", with uncommitted changes"
)

// msgInitIdentity: email, name.
const msgInitIdentity = "set this repository's git identity to %s (%s): opsbook knows you by it (change it with `git config user.email`)"

// msgKindCount: a count and the kind's name (English: plural).
const msgKindCount = "%d %s"

// msgListNarrow and msgReportNarrow: the terminal's width. list and report
// say the same when they leave columns out to fit a narrow terminal.
const (
	msgListNarrow   = " (fewer columns to fit %d: --wide shows them all)"
	msgReportNarrow = "(fewer columns to fit %d: --wide shows them all)"
)

const (
	msgNewRequiredHead = "Fields each kind must be given (the template fills id, status, you and today):"
	msgNewRequiredTail = "  (`opsbook schema KIND` describes every field)"
	// msgNewEither: two field keys, either of which is enough.
	msgNewEither = "either %s or %s"
	// msgNewFillIn: the kind.
	msgNewFillIn = "opsbook: a new %s needs these fields; fill them in below, save and quit (quit without changes to create nothing):"
	// msgInitBusy: the folder, how long init waited.
	msgInitBusy = "another opsbook init is making a department in %s and was still at it after %s; nothing was changed here: once it is done, the department is there (or run opsbook init again)"
	// msgInitJustMade: the folder.
	msgInitJustMade = "refused: another opsbook init has just made the department in %s (it is a records repository now); nothing was changed by this one"
	// msgNewGiveMissing: "--set title=... --set amount=...".
	msgNewGiveMissing = "with no terminal to fill them in, give each with --set: %s (or run opsbook new at a terminal to fill them in the editor)"
)

const (
	// msgEncryptedHidden: field, id, the marker, why.
	msgEncryptedHidden = "opsbook: %s of %s is shown as %s: %s"
	msgNotReader       = "you are not among its readers (or your key is not at hand: OPSBOOK_IDENTITY, ~/.ssh/id_ed25519)"
	// msgInboxWho: git's error.
	msgInboxWho = "who are you? %v (set user.email in git config to an address in your people record)"
	// msgInboxUnknown: the records folder, the email.
	msgInboxUnknown  = "unknown person: no one in %s/people has the email %s (your git author email: GIT_AUTHOR_EMAIL or user.email)"
	msgInboxNoPerson = "no person %q"
)

const (
	// msgLogNoPerson: the handle given to --actor.
	msgLogNoPerson = "--actor %s: no such person in the people records"
	// msgLogNoneBy: the handle of a person who made no change.
	msgLogNoneBy    = "no entries: %s has changed no record"
	msgLogNoneMatch = "no entries: no change matches the filters given (--actor, --since, --kind)"
	msgLogNone      = "no entries: no record has been changed yet"
)
