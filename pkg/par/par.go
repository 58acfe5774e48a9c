// Package par runs a loop over an index range on all cores.
package par

import (
	"runtime"
	"sync"
)

// For calls f over [0, n) in contiguous parts, one per core, and returns
// when all are done; a range shorter than min runs on the calling
// goroutine. f must be safe to run on several parts at once.
func For(n, min int, f func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	if n < min || n < 2 || w == 1 {
		f(0, n)
		return
	}
	w = minInt(w, n)
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		lo, hi := n*k/w, n*(k+1)/w
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(lo, hi)
		}()
	}
	wg.Wait()
}

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}
