package audit

import (
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gitobj"
	"github.com/opsbook/opsbook/pkg/record"
)

// Repo is a git repository opened for judging its history: the objects
// and the commit index are gitobj's; what is kept here is what the rules
// read from them (policies, people, parsed records). Its methods are not
// safe for concurrent use; the package's own pipelines keep every git read
// on one goroutine.
type Repo struct {
	*gitobj.Repo

	rules map[rulesKey]*Rules
	// commitRules memoizes rulesOf by commit.
	commitRules map[plumbing.Hash]*Rules
	policies    map[plumbing.Hash]*config.Policy
	// rejected holds the forbidden changes to people and the policy that
	// a verify over all history has met, by path.
	rejected map[string]rejections
	// root is the root commit of the verified head's first parents: the
	// only root judged by its own registry (see rulesFor).
	root plumbing.Hash
	// chain holds the commits on the first parents down to root (see
	// judgedBy); nil where no commit founds the department (a range).
	chain   map[plumbing.Hash]bool
	persons map[plumbing.Hash]*record.Record
	// latest is the latest commit date verify takes for true (Unix
	// seconds: the moment of the check and the clock skew); believed
	// memoizes believedTime.
	latest   int64
	believed map[plumbing.Hash]int64
	mu       sync.Mutex // guards blobs and orderRecs
	blobs    map[blobKey]parsed
	// orderRecs are the files orderRecords read, by blob and path (nil:
	// no record): a commit's projects, plans and people are nearly all
	// its parent's, so each is parsed once for the whole range rather
	// than once for every commit that moves a plan or a project (17,000
	// files at 100,000 records, 15 s of CPU for 50 commits). Held without
	// their YAML trees (record.ParseLean), a few KB each.
	orderRecs map[blobKey]*record.Record
}

// ShallowError says the clone holds only part of the history.
type ShallowError = gitobj.ShallowError

// PartialCloneError says a partial clone (git clone --filter) lacks an
// object the history needs.
type PartialCloneError = gitobj.PartialCloneError

// ErrNoRepository says the folder is not in a git repository.
var ErrNoRepository = gitobj.ErrNoRepository

// Open opens the git repository whose work tree holds root (root itself or
// a folder above it holding .git). A shallow clone is refused with a
// *ShallowError: a partial history cannot be audited.
func Open(root string) (*Repo, error) {
	g, err := gitobj.Open(root)
	if err != nil {
		return nil, err
	}
	return &Repo{
		Repo:        g,
		rules:       map[rulesKey]*Rules{},
		commitRules: map[plumbing.Hash]*Rules{},
		policies:    map[plumbing.Hash]*config.Policy{},
		rejected:    map[string]rejections{},
		persons:     map[plumbing.Hash]*record.Record{},
		blobs:       map[blobKey]parsed{},
	}, nil
}
