package change

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/opsbook/opsbook/pkg/cache"
	"github.com/opsbook/opsbook/pkg/config"
	"github.com/opsbook/opsbook/pkg/gitstore"
	"github.com/opsbook/opsbook/pkg/i18n"
)

// Pause lets go of the lock while a person decides (a terminal's "[y/N]"
// before a change of many records), so that nobody else's write waits on
// a question left open over lunch. It remembers what the session judged:
// HEAD and the state of every file a change reads (the records folder,
// attachments, the policy). Resume takes the lock again and goes on only
// when none of that changed meanwhile.
func (s *Session) Pause() error {
	if s.preview || s.unlock == nil {
		return nil
	}
	seen, err := s.worldState()
	if err != nil {
		return err
	}
	s.paused = seen
	s.Close()
	return nil
}

// Resume takes the lock again after Pause (waiting as Open does) and
// refuses, nothing changed, when HEAD or any file moved meanwhile: what
// was shown and judged is no longer the repository.
func (s *Session) Resume(ctx context.Context, wait time.Duration) error {
	if s.paused == nil {
		return nil
	}
	unlock, err := lockAndRecover(ctx, s.Git, wait, nil)
	if err != nil {
		return err
	}
	now, err := s.worldState()
	if err != nil {
		unlock()
		return err
	}
	if string(now) != string(s.paused) {
		unlock()
		return refused("changed-meanwhile", "refused: the repository changed while you were deciding (another change was written); nothing was changed: run the command again")
	}
	s.unlock, s.paused = unlock, nil
	return nil
}

// worldState sums up HEAD and the name, size, modification and change
// time of every file below the records folder, attachments/ and the
// policy: any write by opsbook or by hand changes one of them.
func (s *Session) worldState() ([]byte, error) {
	h := sha256.New()
	head, err := s.Git.Head()
	if err != nil && !errors.Is(err, gitstore.ErrNoCommits) {
		return nil, err
	}
	h.Write([]byte(head + "\x00"))
	root := s.Repo.Root
	var buf [8]byte
	stamp := func(rel string, fi fs.FileInfo) {
		h.Write([]byte(rel + "\x00"))
		st := cache.StatOf(fi)
		for _, v := range []uint64{uint64(st.Size), uint64(st.Mtime), uint64(st.Ctime), st.Ino} {
			binary.LittleEndian.PutUint64(buf[:], v)
			h.Write(buf[:])
		}
	}
	if fi, err := os.Lstat(filepath.Join(root, config.FileName)); err == nil {
		stamp(config.FileName, fi)
	}
	for _, dir := range []string{s.Repo.Policy.Records, "attachments"} {
		err := filepath.WalkDir(filepath.Join(root, filepath.FromSlash(dir)), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return nil // gone meanwhile: its absence is the state
			}
			rel, _ := filepath.Rel(root, p)
			stamp(filepath.ToSlash(rel), fi)
			return nil
		})
		if err != nil {
			return nil, i18n.Errorf("reading %s: %v", dir, err)
		}
	}
	return h.Sum(nil), nil
}
