package repo

import (
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/opsbook/opsbook/pkg/attach"
)

// Each path is tested once however many records name it, and the answers
// are the test's, from any number of goroutines.
func TestSeenFiles(t *testing.T) {
	s := newSeenFiles()
	var calls atomic.Int64
	test := func(rel string) (attach.State, fs.FileInfo) {
		calls.Add(1)
		if len(rel)%2 == 0 {
			return attach.Regular, nil
		}
		return attach.Link, nil
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				rel := fmt.Sprintf("attachments/%d.pdf", i%100)
				if got := s.stat(rel, test); (got == attach.Regular) != (len(rel)%2 == 0) {
					t.Errorf("%s: %v", rel, got)
				}
			}
		}()
	}
	wg.Wait()
	// Two goroutines may both test a path not yet remembered; never more
	// than one per goroutine.
	if n := calls.Load(); n < 100 || n > 400 {
		t.Errorf("%d tests for 100 paths", n)
	}
}

// Once a path is summed, what was looked at besides its state is let go
// (the rules sum a path once a run); its state stays, and no second look.
func TestSeenFilesSummed(t *testing.T) {
	s := newSeenFiles()
	calls := 0
	test := func(rel string) (attach.State, fs.FileInfo) {
		calls++
		fi, _ := os.Stat(".")
		return attach.Regular, fi
	}
	if st, fi := s.look("attachments/a.pdf", test); st != attach.Regular || fi == nil {
		t.Fatalf("look = %v, %v", st, fi)
	}
	s.summed("attachments/a.pdf")
	if st, fi := s.look("attachments/a.pdf", test); st != attach.Regular || fi != nil || calls != 1 {
		t.Fatalf("after summed: %v, %v, %d looks", st, fi, calls)
	}
}
