//go:build linux

package monitor

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/opsbook/opsbook/pkg/i18n"
	"github.com/opsbook/opsbook/pkg/internal/heap"
)

// Supported tells whether this system has a monitor.
const Supported = true

// watchMask is what each watched folder reports: every change of a file's
// bytes, attributes or name, and of the folder itself.
const watchMask = unix.IN_MODIFY | unix.IN_ATTRIB | unix.IN_CLOSE_WRITE |
	unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
	unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_ONLYDIR | unix.IN_DONT_FOLLOW

// nameMask is the events that add a name to a folder or take one from it.
const nameMask = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO

// keepEvents is how many events a monitor keeps; beyond, it forgets the
// older half, and a token from before them is answered with Reset.
var keepEvents = 1 << 18

// maxPaths is the most paths an answer lists; more is answered with
// Reset (listing every file costs less than checking them one by one).
var maxPaths = 50000

type event struct {
	seq  uint64
	path string // relative to the root, with slashes
	name bool   // a name was added or taken (nameMask)
}

// fileID is a file's device and inode.
type fileID struct{ dev, ino uint64 }

type server struct {
	mu       sync.Mutex
	root     string // the department's root, absolute
	records  string // the records folder, relative to the root (slashes)
	instance string
	fd       int
	wds      map[int32]string  // watch → folder (relative to the root)
	dev, ino uint64            // the records folder watched
	baseWD   int32             // its watch (-1: none)
	folders  map[string]fileID // each folder watched (relative to the root) → its file
	seq      uint64            // events read (and resets) so far
	floor    uint64            // tokens below it are answered with Reset
	why      string            // why the last reset was made
	blind    string            // why a folder is not watched ("" when every one is)
	events   []event
	buf      []byte
	status   Status
	stop     chan struct{}
	stopped  bool
}

// Run is the monitor of the department at root (its records folder is
// records, relative to root), with its socket and lock in cacheDir: it
// serves until asked to stop or until its socket is gone, and returns nil
// then. Another monitor of cacheDir running is an error.
func Run(root, records, cacheDir string, logf func(format string, args ...any)) error {
	// A command's heap floor (package heap) is for a command that exits:
	// the monitor runs on with a live heap of a few megabytes, and under
	// the floor would keep all the garbage it makes, up to the floor.
	heap.Lift()
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(filepath.Join(cacheDir, LockName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return i18n.NewError("a monitor is already running for this department")
	}
	defer beforeUnlock()
	root, err = filepath.Abs(root)
	if err != nil {
		return err
	}
	if fs := remoteFS(filepath.Join(root, filepath.FromSlash(records))); fs != "" {
		return i18n.Errorf("the records folder is on a network file system (%s): the kernel does not report changes made from other machines, so a monitor cannot vouch for the files", fs)
	}
	sock := filepath.Join(cacheDir, SocketName)
	addr, release, err := socketAddr(sock)
	if err != nil {
		return err
	}
	// the folder's handle an address through it needs, held until the
	// listener is closed (and the socket removed through it)
	defer release()
	// The lock is ours: a socket left there is a dead monitor's.
	_ = os.Remove(sock)
	l, err := net.Listen("unix", addr)
	if err != nil {
		return err
	}
	ul := l.(*net.UnixListener)
	ul.SetUnlinkOnClose(true)
	defer l.Close()
	sockInfo, err := os.Lstat(sock)
	if err != nil {
		return err
	}

	var id [8]byte
	_, _ = rand.Read(id[:])
	s := &server{
		root:     root,
		records:  strings.Trim(path.Clean(filepath.ToSlash(records)), "/"),
		instance: hex.EncodeToString(id[:]),
		fd:       -1,
		buf:      make([]byte, 64<<10),
		stop:     make(chan struct{}),
	}
	s.status = Status{PID: os.Getpid(), Root: root, Records: s.records, Since: time.Now()}
	s.mu.Lock()
	s.reset("the monitor started")
	s.status.Resets = 0
	s.mu.Unlock()
	logf("monitor %s: watching %d folders under %s", s.instance, len(s.wds), s.records)
	if s.blind != "" {
		logf("monitor %s: %s; every question is answered with a reset until it is watched", s.instance, s.blind)
	}

	// Read the events as they come, so the kernel's queue rarely fills;
	// and leave when the socket is gone or is another's.
	go s.pump()
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				if fi, err := os.Lstat(sock); err != nil || !os.SameFile(fi, sockInfo) {
					logf("monitor %s: the socket is gone; stopping", s.instance)
					s.halt()
					ul.SetUnlinkOnClose(false) // not ours any more
					l.Close()
					return
				}
			}
		}
	}()
	for {
		c, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			stopped := s.stopped
			s.mu.Unlock()
			if stopped || errors.Is(err, net.ErrClosed) {
				return nil
			}
			logf("monitor %s: %v", s.instance, err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		// Each question on its own: one that is slow to ask holds up
		// no other.
		go func() {
			if s.serve(c) {
				logf("monitor %s: stopped on request", s.instance)
				s.halt()
				l.Close()
			}
		}()
	}
}

// beforeUnlock runs as a monitor stops, after its socket is gone and
// before its lock is released (a test widens that moment).
var beforeUnlock = func() {}

// halt stops the pump and closes the kernel's queue.
func (s *server) halt() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stopped {
		s.stopped = true
		close(s.stop)
		if s.fd >= 0 {
			unix.Close(s.fd)
			s.fd = -1
		}
	}
}

// pump reads the events as the kernel queues them.
func (s *server) pump() {
	for {
		s.mu.Lock()
		fd, stopped := s.fd, s.stopped
		s.mu.Unlock()
		if stopped {
			return
		}
		if fd >= 0 {
			fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			_, _ = unix.Poll(fds, 500)
		} else {
			time.Sleep(500 * time.Millisecond)
		}
		s.mu.Lock()
		if !s.stopped {
			s.drain()
		}
		s.mu.Unlock()
	}
}

// serve answers one question on c; it returns true when asked to stop.
func (s *server) serve(c net.Conn) (stop bool) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	var req request
	if err := json.NewDecoder(c).Decode(&req); err != nil {
		return false
	}
	var body any
	var fail string
	s.mu.Lock()
	switch req.Op {
	case "since":
		if !s.sameRoot(req.Root) {
			// The department was moved (the monitor's paths name a
			// folder that is gone) or is another that shares the git
			// directory (a copied worktree): the monitor cannot vouch.
			fail = fmt.Sprintf("the monitor watches the department at %s, not at %s", s.root, req.Root)
			break
		}
		if req.Records != s.records {
			fail = fmt.Sprintf("the monitor watches %q, not %q", s.records, req.Records)
			break
		}
		s.drain()
		s.check()
		body = s.since(req.Token)
	case "status":
		s.drain()
		st := s.status
		st.Folders = len(s.wds)
		body = st
	case "stop":
		body, stop = true, true
	default:
		fail = "unknown question " + strconv.Quote(req.Op)
	}
	s.mu.Unlock()
	reply := map[string]any{"body": body}
	if fail != "" {
		reply = map[string]any{"error": fail}
	}
	_ = json.NewEncoder(c).Encode(reply)
	return stop
}

// sameRoot tells whether root is the folder the monitor watches, by its
// device and inode: a department moved since the monitor started, or
// another folder that shares the git directory, is not.
func (s *server) sameRoot(root string) bool {
	if root == "" {
		return false
	}
	a, err := os.Stat(root)
	if err != nil {
		return false
	}
	b, err := os.Stat(s.root)
	return err == nil && os.SameFile(a, b)
}

// token returns the token of the present moment.
func (s *server) token() string { return s.instance + "." + strconv.FormatUint(s.seq, 10) }

// since answers a question with token t (the caller holds mu and has
// drained the queue).
func (s *server) since(t string) Answer {
	a := Answer{Token: s.token()}
	inst, n, ok := strings.Cut(t, ".")
	seq, err := strconv.ParseUint(n, 10, 64)
	switch {
	case t == "":
		a.Reset, a.Why = true, "no token"
	case !ok || err != nil || inst != s.instance:
		a.Reset, a.Why = true, "a token of another monitor"
	case seq > s.seq:
		a.Reset, a.Why = true, "a token from the future"
	case seq < s.floor:
		a.Reset, a.Why = true, s.why
	}
	if a.Reset {
		return a
	}
	i := sort.Search(len(s.events), func(i int) bool { return s.events[i].seq > seq })
	files := map[string]bool{}
	dirs := map[string]bool{}
	for _, e := range s.events[i:] {
		files[e.path] = true
		if e.name {
			dirs[path.Dir(e.path)] = true
		}
		if len(files) > maxPaths {
			a.Reset, a.Why = true, "too many files changed"
			return a
		}
	}
	a.Files = sortedKeys(files)
	a.Dirs = sortedKeys(dirs)
	return a
}

func sortedKeys(m map[string]bool) []string {
	if len(m) == 0 {
		return nil
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// abs is the absolute path of a path relative to the root.
func (s *server) abs(rel string) string { return filepath.Join(s.root, filepath.FromSlash(rel)) }

// addWatch is the kernel's call to watch a folder (a test makes it fail).
var addWatch = unix.InotifyAddWatch

// statfs is the kernel's call that names a folder's file system (a test
// makes it say a network one).
var statfs = unix.Statfs

// remoteFS names the network file system the folder at p is on, or says
// "" for a local one. The kernel reports to a watch only the changes made
// on this machine: a change made from another machine through a network
// file system (or a FUSE file system, whose server may change files on
// its own) is out of the monitor's sight, as git's own monitor refuses
// such file systems.
func remoteFS(p string) string {
	var st unix.Statfs_t
	if statfs(p, &st) != nil {
		return ""
	}
	switch uint32(st.Type) {
	case unix.NFS_SUPER_MAGIC:
		return "NFS"
	case unix.SMB_SUPER_MAGIC, 0xFE534D42, 0xFF534D42:
		return "SMB/CIFS"
	case unix.V9FS_MAGIC:
		return "9P"
	case unix.CEPH_SUPER_MAGIC:
		return "Ceph"
	case unix.AFS_SUPER_MAGIC:
		return "AFS"
	case unix.CODA_SUPER_MAGIC:
		return "Coda"
	case unix.FUSE_SUPER_MAGIC:
		return "FUSE"
	}
	return ""
}

// check makes sure the records folder is still the folder watched (it
// may have been made since, or replaced under another name's move), and
// that every folder is watched: a folder the kernel would not watch (too
// many watches, say) is tried again at every question, and every token
// is answered with Reset until it is watched.
func (s *server) check() {
	if s.blind != "" {
		s.reset(s.blind)
		return
	}
	var st unix.Stat_t
	err := unix.Lstat(s.abs(s.records), &st)
	switch {
	case err != nil && s.ino != 0:
		s.reset("the records folder is gone")
	case err == nil && (st.Mode&unix.S_IFMT != unix.S_IFDIR || st.Ino != s.ino || uint64(st.Dev) != s.dev):
		s.reset("the records folder was replaced")
	case err == nil && s.wds[s.baseWD] != s.records:
		// it was removed between its look and its watch, and made again
		// (with the freed inode number: the check above cannot tell)
		s.reset("the records folder is not watched")
	default:
		// A file system mounted over a folder makes no event: the
		// folder's path then names another folder than the one watched.
		for rel, id := range s.folders {
			if lstat(s.abs(rel), &st) != nil || (fileID{uint64(st.Dev), st.Ino}) != id {
				s.reset("the folder " + rel + " was replaced or mounted over")
				return
			}
		}
	}
}

// lstat is the kernel's call (a test makes a folder seem mounted over).
var lstat = unix.Lstat

// reset forgets every event, makes tokens until now answer Reset, and
// watches every folder again (the caller holds mu).
func (s *server) reset(why string) {
	s.seq++
	s.floor, s.why, s.events = s.seq, why, nil
	s.status.Resets++
	if s.fd >= 0 {
		unix.Close(s.fd)
	}
	s.wds = map[int32]string{}
	s.folders = map[string]fileID{}
	s.dev, s.ino, s.baseWD = 0, 0, -1
	s.blind = ""
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		s.fd = -1
		s.blind = "the kernel would not watch: " + err.Error()
		return
	}
	s.fd = fd
	var st unix.Stat_t
	base := s.abs(s.records)
	if unix.Lstat(base, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return
	}
	s.dev, s.ino = uint64(st.Dev), st.Ino
	// A folder is watched before it is listed: a folder made in it after
	// the watch is an event (and a reset), one made before is listed.
	_ = filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable: the command's own listing reports it
		}
		if !d.IsDir() {
			return nil
		}
		if p != base && strings.HasPrefix(d.Name(), ".") {
			// The commands never list a hidden folder (.git, .trash):
			// its files are no records, and naming them would add them.
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(s.root, p)
		if fs := remoteFS(p); fs != "" {
			if s.blind == "" {
				s.blind = "the folder " + filepath.ToSlash(rel) + " is on a network file system (" + fs + "): changes made from other machines are not reported"
			}
			return nil
		}
		wd, err := addWatch(fd, p, watchMask)
		if err != nil {
			if s.blind == "" && !errors.Is(err, unix.ENOENT) {
				// (a folder gone since it was listed is an event of
				// its parent's watch)
				s.blind = "the folder " + filepath.ToSlash(rel) + " is not watched: " + err.Error()
			}
			return nil
		}
		s.wds[int32(wd)] = filepath.ToSlash(rel)
		if p == base {
			s.baseWD = int32(wd)
		}
		var st unix.Stat_t
		if unix.Lstat(p, &st) == nil {
			s.folders[filepath.ToSlash(rel)] = fileID{uint64(st.Dev), st.Ino}
		}
		return nil
	})
}

// drain reads every queued event (the caller holds mu).
func (s *server) drain() {
	for s.fd >= 0 {
		n, err := unix.Read(s.fd, s.buf)
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN || n <= 0 {
			return
		}
		if err != nil {
			s.reset("reading the events failed: " + err.Error())
			return
		}
		if !s.take(s.buf[:n]) {
			return // reset: the queue was made anew
		}
	}
}

// take records the events in b; false when one made a reset.
func (s *server) take(b []byte) bool {
	for len(b) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&b[0]))
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(b) {
			s.reset("a garbled event")
			return false
		}
		name := string(bytes.TrimRight(b[unix.SizeofInotifyEvent:end], "\x00"))
		b = b[end:]
		mask := ev.Mask
		if mask&unix.IN_Q_OVERFLOW != 0 {
			s.reset("the kernel's queue of events overflowed")
			return false
		}
		dir, ok := s.wds[ev.Wd]
		if !ok {
			continue
		}
		switch {
		case mask&(unix.IN_IGNORED|unix.IN_DELETE_SELF|unix.IN_MOVE_SELF|unix.IN_UNMOUNT) != 0:
			s.reset("the folder " + dir + " was removed or moved")
			return false
		case name == "":
			s.reset("the folder " + dir + " changed")
			return false
		case mask&unix.IN_ISDIR != 0:
			s.reset("a folder in " + dir + " was made, removed or renamed")
			return false
		}
		s.seq++
		s.events = append(s.events, event{s.seq, path.Join(dir, name), mask&nameMask != 0})
		s.status.Events++
	}
	if len(s.events) > keepEvents {
		half := len(s.events) / 2
		s.floor = s.events[half-1].seq
		s.why = "more changes than the monitor keeps"
		s.events = append([]event(nil), s.events[half:]...)
	}
	return true
}

// Held tells whether a monitor holds the lock of cacheDir: one runs, or
// is starting and has no socket yet (a command that would start one
// leaves it be).
func Held(cacheDir string) bool {
	// non-blocking: a named pipe put in its place must not hang the
	// command that asks
	f, err := os.OpenFile(filepath.Join(cacheDir, LockName), os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB); err != nil {
		return errors.Is(err, unix.EWOULDBLOCK)
	}
	_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}
