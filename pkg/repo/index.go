package repo

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/diag"
	"github.com/opsbook/opsbook/pkg/index"
	"github.com/opsbook/opsbook/pkg/monitor"
	"github.com/opsbook/opsbook/pkg/record"
)

// saveAtLeast is how many new or stale entries make a refresh write the
// index, in a department of up to 32,000 files (beyond, one in 500).
const saveAtLeast = 64

// FullListingEvery is how long the monitor's word is taken before every
// file is listed and statted again: a file given a second name (a hard
// link) from outside the records folder since it was last statted can be
// written through that name unseen by the monitor, for that long at most.
var FullListingEvery = 10 * time.Minute

// monitorSaveAtLeast is how many files the monitor must name since the
// stored index's token for the refreshed index to be saved with a new
// token (a folder listed again counts as 16 files); a variable for tests.
// Until then each command takes those files' stat data and reads again
// the ones changed since the stored entries (about 60 µs a file), where
// a save costs about 2.5 µs an entry of the whole index (0.25 to 0.5 s at
// 100,000 records): the first command after a pull of 100 files paid
// that save when this was 32. The stale entries' own limit (saveAtLeast,
// one in 500) and the full listing every FullListingEvery save it too.
var monitorSaveAtLeast = 1024

// StartMonitor, when set, is called by a command that finds no monitor
// answering for the department at root whose cache folder is cacheDir
// (none runs, or a dead one left its socket) and none starting: the CLI
// starts one in the background there when git config opsbook.monitor
// asks for it. The command itself lists every file, as without a monitor.
var StartMonitor func(root, cacheDir string)

func startMonitorFor(root, cacheDir string) {
	if StartMonitor != nil && monitor.Supported && !monitor.Held(cacheDir) {
		StartMonitor(root, cacheDir)
	}
}

// ErrNoIndex: the repository has no git directory to keep an index in (or
// the caller asked for none); the command takes the full path.
var ErrNoIndex = errors.New("no index")

// IndexStats says what a refresh did.
type IndexStats struct {
	Files   int
	Reused  int    // entries taken by their stat data
	Hashed  int    // files read, found unchanged by content, with new stat data
	Parsed  int    // files read and parsed again
	Rebuilt string // why the stored index was not used ("" when it was)
	Saved   bool
	// Stored says the index file holds the entries returned, as read or
	// as saved: a copy of it is a copy of them.
	Stored bool
	// Monitor says how the file-system monitor was used: "" (none runs),
	// "used" (only the files it named were statted), or why every file
	// was listed and statted even so.
	Monitor string
	// Statted counts the files whose stat data were taken (every file
	// listed, unless the monitor's word was used); Relisted the folders
	// listed again on the monitor's word (0 when every folder was walked).
	Statted, Relisted int
	// Token is the file-system monitor's token the refreshed entries hold
	// as of ("" when the monitor was not asked, did not answer, or the
	// listing had hazards), and Listed when every file was last listed
	// (Unix seconds): a memo made from these entries stays true while the
	// monitor names no change since Token (see package cli's memos).
	Token  string
	Listed int64
	// Hazards counts the errors of listing the folders (symbolic links,
	// folders that cannot be read, names differing in case): files the
	// index has no entry for, which a full read warns of.
	Hazards int
	// Strays are the files of the records folder that are no record (a
	// note, a receipt put there), sorted: the full read warns of each and
	// the index holds none, so the fingerprint names them beside the
	// entries (Indexed.Fingerprint). Only a full listing finds them: with
	// any, the index is saved without the monitor's token.
	Strays []string
}

// Index returns the department's index (package index), refreshed from the
// files: every record file is listed and its stat data taken; an entry is
// kept when its stat data match and are trusted, or when the file's content
// hash matches; any other file is read and parsed again. The refreshed
// index is saved when anything changed. The files always win: a missing,
// damaged or foreign index is rebuilt from them.
func Index(ctx context.Context, root string, pol *config.Policy) (*index.Index, IndexStats, error) {
	return indexKinds(ctx, root, pol, nil)
}

// IndexKinds is Index refreshing only the folders of these kinds: the
// entries of other folders are kept as they were, unchecked, and must not
// be used (the next refresh of their folders checks them). With a monitor
// whose word is taken, every folder is refreshed.
func IndexKinds(ctx context.Context, root string, pol *config.Policy, kinds ...record.Kind) (*index.Index, IndexStats, error) {
	return indexKinds(ctx, root, pol, kinds)
}

func indexKinds(ctx context.Context, root string, pol *config.Policy, kinds []record.Kind) (*index.Index, IndexStats, error) {
	var st IndexStats
	d := cache.Dir(root)
	if d == "" {
		return nil, st, ErrNoIndex
	}
	path := filepath.Join(d, "index")
	key := index.NewKey(cache.NewKey(pol.Records, pol.ExpenseCategories, pol.ComplaintCategories))
	start := clock()
	tr := trace(time.Now())
	rd := newReader(root)
	defer rd.close()
	var o opened
	var token string       // the monitor's, as of before the files were listed
	unanswered := false    // a monitor runs but gave no answer it could vouch for
	named := 0             // the files (and folders) the monitor named
	listed := start.Unix() // when every file was listed (now, unless the monitor's word was taken)
	var units []statBlock
	var files []string
	var wds []diag.Diagnostic
	running := monitor.Running(d)
	if !running {
		startMonitorFor(root, d)
	}
	if running {
		// The stored index's token is asked about before anything is
		// listed: what the monitor does not name is as the index holds it.
		o.x, o.err = index.Open(path, key)
		tr("index: opened")
		stored := ""
		if o.x != nil {
			stored = o.x.Mark.Token
		}
		ans, err := monitor.Ask(d, root, pol.Records, stored)
		tr("index: the monitor answered")
		defer func() { Trace("index: monitor: %s", st.Monitor) }()
		switch {
		case err != nil:
			st.Monitor, unanswered = "no answer: "+err.Error(), true
			if errors.Is(err, monitor.ErrNotRunning) {
				startMonitorFor(root, d) // a dead one's socket
			}
		case ans.Reset:
			token, st.Monitor = ans.Token, "reset: "+ans.Why
		case stored == "":
			token, st.Monitor = ans.Token, "reset: the index has no token"
		case start.Sub(time.Unix(o.x.Mark.Listed, 0)) > FullListingEvery || time.Unix(o.x.Mark.Listed, 0).After(start.Add(time.Minute)):
			token, st.Monitor = ans.Token, "reset: the files were last listed long ago"
		case len(ans.Files) == 0 && len(ans.Dirs) == 0 && stored == ans.Token && allTrusted(o.x.Entries):
			// Nothing changed since the index was saved, and it holds
			// no entry its stat data could not vouch for.
			st.Monitor, st.Files, st.Reused = "used", len(o.x.Entries), len(o.x.Entries)
			st.Token, st.Listed = stored, o.x.Mark.Listed
			st.Stored = true
			return o.x, st, nil
		default:
			token, st.Monitor = ans.Token, "used"
			listed = o.x.Mark.Listed
			if y, removed, ok := refreshFew(rd, o.x, ans, start, pol, &st); ok {
				tr("index: the files named refreshed")
				mark := index.Mark{Token: token, Listed: listed}
				st.Token, st.Listed = token, listed
				stale := st.Parsed + st.Hashed + removed
				if stale >= max(saveAtLeast, st.Files/500) || mark != o.x.Mark && len(ans.Files) >= monitorSaveAtLeast {
					st.Saved = index.Save(path, key, mark, y.Entries) == nil
					st.Stored = st.Saved
					tr("index: saved")
				}
				return y, st, nil
			}
			var ok bool
			files, units, st.Statted, st.Relisted, ok = listChanged(root, rd, o.x.Entries, ans)
			named = len(ans.Files) + 16*st.Relisted // a folder listed again costs more
			if !ok {
				st.Monitor = "reset: a folder listed again has a file that cannot be indexed"
				files, units = nil, nil
			} else {
				kinds = nil // every folder is refreshed, at less cost than some listed
			}
		}
	}
	if units == nil && token != "" {
		// The monitor answered but its word cannot be taken: every
		// folder is listed once, and its word is taken from then on.
		kinds = nil
	}
	if units == nil {
		var err error
		files, units, wds, err = listAll(ctx, root, pol, kinds, rd, path, key, &o)
		if err != nil {
			return nil, st, err
		}
		st.Statted = len(files)
	}
	tr("index: listed and statted")
	if err := ctx.Err(); err != nil {
		return nil, st, err
	}
	for _, d := range wds {
		if d.Severity == diag.Error {
			st.Hazards++
		} else {
			st.Strays = append(st.Strays, d.Path)
		}
	}
	var stored []*index.Entry // by path, as the listing is
	if o.x != nil {
		stored = o.x.Entries
	}
	// each file's stored entry, found by walking both lists at once
	prevs := make([]*index.Entry, len(files))
	for i, j := 0, 0; j < len(files); j++ {
		for i < len(stored) && stored[i].Path < files[j] {
			i++
		}
		if i < len(stored) && stored[i].Path == files[j] {
			prevs[j] = stored[i]
		}
	}
	if o.err != nil {
		st.Rebuilt = o.err.Error()
	}
	st.Files = len(files)
	out := make([]*index.Entry, len(files))
	// linked counts the entries found with a second name their stored
	// entry did not have: the index must be saved, with a monitor, or a
	// change through that name stays unseen until the next full listing.
	var next, reused, hashed, parsed, linked atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0)+2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := rd.cursor()
			defer c.close()
			var buf []byte
			for ctx.Err() == nil {
				u := int(next.Add(1)) - 1
				if u >= len(units) {
					return
				}
				for i, rel := range units[u].files {
					j := units[u].at + i
					prev := prevs[j]
					e, how := refreshEntry(c, rel, units[u].stats[i], prev, start, pol, &buf)
					out[j] = e
					switch how {
					case entryReused:
						reused.Add(1)
						continue
					case entryHashed:
						hashed.Add(1)
					case entryParsed:
						parsed.Add(1)
					}
					if e.Linked && (prev == nil || !prev.Linked) {
						linked.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	tr("index: compared")
	if err := ctx.Err(); err != nil {
		return nil, st, err
	}
	st.Reused, st.Hashed, st.Parsed = int(reused.Load()), int(hashed.Load()), int(parsed.Load())
	had := len(stored) // the stored entries of the folders listed
	if kinds != nil {
		// the other folders' entries, kept as they were
		prefixes := kindPrefixes(pol.Records, kinds)
		inside := func(p string) bool {
			for _, pre := range prefixes {
				if strings.HasPrefix(p, pre) {
					return true
				}
			}
			return false
		}
		had = 0
		for _, e := range stored {
			if inside(e.Path) {
				had++
			} else {
				out = append(out, e)
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	}
	// Rewriting the whole index costs more than reading a few changed files
	// again (every write leaves its files for the next command to read):
	// it is written when a fair share of it is new or stale, and always
	// when it was missing or unusable. A file not saved is read again next
	// time, as it was this time: never trusted on stale stat data.
	stale := st.Parsed + st.Hashed + max(had-len(files), len(files)-had)
	if st.Hazards > 0 || len(st.Strays) > 0 {
		// Files the index has no entry for: the monitor's word on what
		// changed is not enough to find them again.
		token = ""
	} else if kinds != nil && o.x != nil && !unanswered {
		// The other folders' entries are as of the stored mark. (Not
		// when a monitor did not answer: this may be another folder
		// sharing the git directory, whose entries the monitor's own
		// department must not take on its word.)
		token, listed = o.x.Mark.Token, o.x.Mark.Listed
	}
	mark := index.Mark{Token: token, Listed: listed}
	st.Token, st.Listed = token, listed
	// With a monitor, the index is saved with the new token when every
	// file was listed, or when the files named since the stored token
	// are enough that checking them again costs more than the saving.
	// And always when a file was found with a second name while the
	// stored index has a token: the monitor cannot see a change through
	// that name, so the entry saying to stat it must replace the stored
	// one (saved with no token when the listing had hazards: the next
	// command then lists every file).
	moved := token != "" && (o.x == nil || mark != o.x.Mark) &&
		(st.Monitor != "used" || named >= monitorSaveAtLeast) ||
		linked.Load() > 0 && (token != "" || o.x != nil && o.x.Mark.Token != "")
	if o.err != nil || len(stored) == 0 && len(files) > 0 || stale >= max(saveAtLeast, len(files)/500) || moved {
		// A cache that cannot be written costs time, not correctness.
		st.Saved = index.Save(path, key, mark, out) == nil
		st.Stored = st.Saved
		tr("index: saved")
	}
	x := o.x.Update(out)
	tr("index: updated")
	return x, st, nil
}

// How refreshEntry came by an entry.
const (
	entryReused = iota // the stored entry, by its stat data
	entryHashed        // the stored entry with new stat data: same content
	entrySame          // the stored entry with the same stat data, read again
	entryParsed        // made from the file read and parsed again
	entryUnread        // no record: not a regular file, or unreadable
)

// refreshEntry returns the entry of file rel, whose stat data fs were
// just taken (or vouched for), given its stored entry prev (nil for
// none): prev itself when its stat data match and are trusted or
// vouched for; else the file is read, and prev with the new stat data
// when the content hash is the same, or a new entry parsed from it. buf
// is a buffer reused between calls of one goroutine.
func refreshEntry(c *cursor, rel string, fs fileStat, prev *index.Entry, start time.Time, pol *config.Policy, buf *[]byte) (*index.Entry, int) {
	s := fs.stat
	if !fs.regular {
		return &index.Entry{Path: rel}, entryUnread // not a record: never trusted
	}
	if prev != nil && (prev.Trusted || fs.vouched) && prev.Stat == s {
		return prev, entryReused
	}
	var data []byte
	var err error
	if s.Size > record.MaxFileSize {
		data = make([]byte, record.MaxFileSize+1)
	} else if data, err = c.read(rel, s.Size, *buf); err != nil {
		return &index.Entry{Path: rel}, entryUnread
	} else if cap(data) <= 1<<16 {
		*buf = data
	}
	h := cache.Hash(sha256.Sum256(data))
	trusted := cache.Trust(s, start)
	if prev != nil && prev.Hash == h && prev.Kind != "" {
		e := *prev
		e.Stat, e.Trusted, e.Linked = s, trusted, fs.linked
		if e.Stat != prev.Stat || e.Trusted != prev.Trusted {
			return &e, entryHashed // worth saving: next time its stat data may do
		}
		return &e, entrySame
	}
	rec, _ := record.ParseLean(rel, data)
	if rec != nil {
		// The folder decides the kind, as in a full read: a claim filed
		// among complaints is listed as one.
		record.CheckPlace(rec, pol.Records)
	}
	e := index.EntryOf(rel, s, trusted, h, rec)
	e.Linked = fs.linked
	return e, entryParsed
}

// refreshFew refreshes the stored index x on the monitor's word, when the
// files it names are all files x holds, or gone, and every stored entry
// is one the monitor vouches for (none with a second name, none
// unreadable): the named files' stat data are taken, the changed ones read
// again, and x is patched in their places (index.Patch), with no pass
// comparing every entry's path. At 100,000 records that pass (listing the
// entries, matching them to the stored ones, comparing their stat data,
// updating the look-ups) took about 30 ms of every command. ok is false
// when it cannot say (a name x does not hold is there: a new record, a
// stray, a second name; or a file is no regular file): the caller lists
// as listChanged does.
func refreshFew(rd *reader, x *index.Index, ans monitor.Answer, start time.Time, pol *config.Policy, st *IndexStats) (y *index.Index, removed int, ok bool) {
	if x == nil || !allTrusted(x.Entries) {
		return nil, 0, false
	}
	c := rd.cursor()
	defer c.close()
	es := x.Entries
	var changes []index.Change
	var buf []byte
	hashed, parsed := 0, 0
	for _, f := range ans.Files {
		i := sort.Search(len(es), func(i int) bool { return es[i].Path >= f })
		held := i < len(es) && es[i].Path == f
		s, regular, linked, err := c.lstatLinks(f)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if held {
				changes = append(changes, index.Change{At: i})
				removed++
			}
			continue
		case !held || err != nil || !regular || linked:
			return nil, 0, false
		}
		e, how := refreshEntry(c, f, fileStat{s, true, false, false}, es[i], start, pol, &buf)
		switch how {
		case entryReused:
			continue
		case entryUnread:
			return nil, 0, false
		case entryHashed:
			hashed++
		case entryParsed:
			parsed++
		}
		changes = append(changes, index.Change{At: i, Entry: e})
	}
	slices.SortFunc(changes, func(a, b index.Change) int { return a.At - b.At })
	if y = x.Patch(changes); y == nil {
		return nil, 0, false
	}
	st.Files, st.Statted = len(y.Entries), len(ans.Files)
	st.Hashed, st.Parsed = hashed, parsed
	st.Reused = len(y.Entries) - hashed - parsed
	return y, removed, true
}

type opened struct {
	x   *index.Index
	err error
}

// listAll lists every record file (of kinds, when not nil) and takes their
// stat data while the walk goes on, opening the stored index at the same
// time into o unless it is open already.
func listAll(ctx context.Context, root string, pol *config.Policy, kinds []record.Kind, rd *reader, path string, key index.Key, o *opened) ([]string, []statBlock, []diag.Diagnostic, error) {
	tr := trace(time.Now())
	ch := make(chan opened, 1)
	if o.x == nil && o.err == nil {
		go func() { x, err := index.Open(path, key); ch <- opened{x, err} }()
	} else {
		ch <- *o
	}
	// The files' stat data are taken while the walk goes on: each folder's
	// files, as soon as it is listed, in blocks shared by the workers.
	blocks := make(chan statBlock, 64)
	var mu sync.Mutex
	var statted []statBlock
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0)+2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := rd.cursor()
			defer c.close()
			for b := range blocks {
				for i, rel := range b.files {
					if ctx.Err() != nil {
						break
					}
					s, regular, linked, err := c.lstatLinks(rel)
					b.stats[i] = fileStat{s, err == nil && regular, linked, false}
				}
				mu.Lock()
				statted = append(statted, b)
				mu.Unlock()
			}
		}()
	}
	walked := 0
	each := func(files []string) {
		for len(files) > 0 {
			n := min(256, len(files))
			blocks <- statBlock{walked, files[:n], make([]fileStat, n)}
			walked, files = walked+n, files[n:]
		}
	}
	var files []string
	var wds []diag.Diagnostic
	var err error
	if kinds != nil {
		files, wds, err = record.WalkKindsEach(root, pol.Records, kinds, each)
	} else {
		files, wds, err = record.WalkEach(root, pol.Records, each)
	}
	close(blocks)
	tr("index: listed")
	*o = <-ch
	tr("index: opened")
	wg.Wait()
	if err != nil {
		return nil, nil, nil, err
	}
	return files, inListingOrder(files, statted, walked), wds, nil
}

// listChanged lists the record files from the stored entries and the
// monitor's answer, without walking the folders: the stored paths, less
// the files the monitor names that are gone, and for a folder where a
// name was added, the folder listed again. The stat data are taken of the
// files the monitor names, of the files listed anew, of the files with
// more than one name (a change through another name escapes the monitor)
// and of those the index could not read; the others keep their stored
// stat data, in a folder listed again too.
//
// A folder whose names changed is listed again only when one of the names
// the monitor gives in it is there now and is not a file the index holds
// (a record made, a file renamed in from elsewhere, a second name): an
// atomic write (a temporary file renamed over the record) and a file
// removed or rewritten by git leave every name either gone or held, and
// then the folder's listing is the stored one less the names gone. (Every
// name added to or taken from a watched folder is an event the monitor
// names, so a name it does not give is as the index holds it.)
//
// It returns false when a folder listed again has a file the index cannot
// hold (a symbolic link, a folder that cannot be read, names differing in
// case) or one that is no record (IndexStats.Strays): the full listing
// reports it.
func listChanged(root string, rd *reader, stored []*index.Entry, ans monitor.Answer) (files []string, units []statBlock, statted, relistedN int, ok bool) {
	c := rd.cursor()
	defer c.close()
	// the stat data of every file named, taken once
	named := make(map[string]fileStat, len(ans.Files))
	gone := map[string]bool{}
	for _, f := range ans.Files {
		s, regular, linked, err := c.lstatLinks(f)
		if errors.Is(err, fs.ErrNotExist) {
			gone[f] = true
			continue
		}
		named[f] = fileStat{s, err == nil && regular, linked, false}
	}
	held := func(p string) *index.Entry {
		i := sort.Search(len(stored), func(i int) bool { return stored[i].Path >= p })
		if i < len(stored) && stored[i].Path == p {
			return stored[i]
		}
		return nil
	}
	dirs := make(map[string]bool, len(ans.Dirs))
	for _, d := range ans.Dirs {
		dirs[d] = true
	}
	relist := map[string]bool{}
	for f, s := range named {
		if d := parentOf(f); dirs[d] && (held(f) == nil || !s.regular || s.linked) {
			relist[d] = true
		}
	}
	relisted := map[string][]string{}
	for dir := range relist {
		names, ds := record.ListFolder(root, dir)
		if len(ds) > 0 {
			// a hazard, or a file that is no record (Strays): the
			// full listing counts them
			return nil, nil, 0, 0, false
		}
		relisted[dir] = names
	}
	files = make([]string, 0, len(stored)+len(ans.Files))
	stats := make([]fileStat, 0, cap(files))
	var need []int
	keep := func(e *index.Entry) {
		if s, ok := named[e.Path]; ok {
			files, stats = append(files, e.Path), append(stats, s)
			return
		}
		if e.Linked || e.Kind == "" {
			need = append(need, len(files))
		}
		files = append(files, e.Path)
		stats = append(stats, fileStat{e.Stat, true, e.Linked, true})
	}
	var again []*index.Entry // the stored entries of the folders listed again, by path
	for _, e := range stored {
		switch {
		case len(relisted) > 0 && relisted[parentOf(e.Path)] != nil:
			again = append(again, e)
		case len(gone) == 0 || !gone[e.Path]:
			keep(e)
		}
	}
	sortedAlready := len(relisted) == 0
	if !sortedAlready {
		for _, names := range relisted {
			for _, f := range names {
				i := sort.Search(len(again), func(i int) bool { return again[i].Path >= f })
				switch {
				case i < len(again) && again[i].Path == f:
					keep(again[i])
				default: // a name the index does not hold
					if s, ok := named[f]; ok {
						files, stats = append(files, f), append(stats, s)
					} else {
						need = append(need, len(files))
						files, stats = append(files, f), append(stats, fileStat{})
					}
				}
			}
		}
	}
	for _, i := range need {
		s, regular, linked, err := c.lstatLinks(files[i])
		stats[i] = fileStat{s, err == nil && regular, linked, false}
	}
	if !sortedAlready {
		order := make([]int, len(files))
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return files[order[a]] < files[order[b]] })
		f2, s2 := make([]string, len(files)), make([]fileStat, len(files))
		for j, i := range order {
			f2[j], s2[j] = files[i], stats[i]
		}
		files, stats = f2, s2
	}
	for at := 0; at < len(files); at += 256 {
		end := min(at+256, len(files))
		units = append(units, statBlock{at, files[at:end], stats[at:end]})
	}
	if units == nil {
		units = []statBlock{} // an empty department, listed
	}
	return files, units, len(ans.Files) + len(need), len(relisted), true
}

// allTrusted tells whether every entry was made from a readable record
// with no other name. (Whether its stat data were racy does not matter:
// an index saved with a token holds every file as it was at the token's
// moment or later, and the monitor names any file changed since.)
func allTrusted(es []*index.Entry) bool {
	for _, e := range es {
		if e.Linked || e.Kind == "" {
			return false
		}
	}
	return true
}

// parentOf is the folder of a slash path ("." for none).
func parentOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return "."
}

// statBlock is files listed by the walk, from its at-th on, and their
// stat data.
type statBlock struct {
	at    int
	files []string
	stats []fileStat
}

// fileStat is what the stat of a listed file found: its stat data, and
// whether it is a regular file (false also when it could not be taken).
type fileStat struct {
	stat    cache.Stat
	regular bool
	linked  bool // the file has more than one name
	// vouched: the stat data are the stored entry's, which the monitor
	// says is unchanged since the index was saved (see listChanged)
	vouched bool
}

// inListingOrder returns the blocks of files the walk listed (n in all),
// with their stat data, as blocks of the sorted listing files: the same
// blocks when the walk's order is the sorted one (no folder holds both a
// file and a folder whose names share a beginning, which the walk lists at
// the folder's name), else blocks of the stat data put in files' order.
func inListingOrder(files []string, blocks []statBlock, n int) []statBlock {
	slices.SortFunc(blocks, func(a, b statBlock) int { return a.at - b.at })
	same := n == len(files)
	for _, b := range blocks {
		if !same {
			break
		}
		for i, f := range b.files {
			if files[b.at+i] != f {
				same = false
				break
			}
		}
	}
	if same {
		return blocks
	}
	walk := make([]string, n)
	stats := make([]fileStat, n)
	for _, b := range blocks {
		copy(walk[b.at:], b.files)
		copy(stats[b.at:], b.stats)
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool { return walk[order[i]] < walk[order[j]] })
	sorted := make([]fileStat, len(files)) // n: the walk passes on every file it lists
	for j, i := range order[:min(n, len(files))] {
		sorted[j] = stats[i]
	}
	var out []statBlock
	for at := 0; at < len(files); at += 256 {
		end := min(at+256, len(files))
		out = append(out, statBlock{at, files[at:end], sorted[at:end]})
	}
	return out
}
