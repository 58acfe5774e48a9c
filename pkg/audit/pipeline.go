package audit

import (
	"runtime"
	"sync"
)

// ordered runs work on every job produce emits, on as many goroutines as
// there are processors, and returns the results in the order the jobs were
// emitted. produce runs on the calling goroutine, which is where every git
// read happens (go-git's storage is not safe for concurrent reads); work
// must not touch git.
func ordered[J, R any](produce func(emit func(J)) error, work func(J) R) ([]R, error) {
	type item struct {
		i int
		j J
	}
	jobs := make(chan item, 256)
	var mu sync.Mutex
	results := map[int]R{}
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range jobs {
				res := work(it.j)
				mu.Lock()
				results[it.i] = res
				mu.Unlock()
			}
		}()
	}
	n := 0
	err := produce(func(j J) {
		jobs <- item{n, j}
		n++
	})
	close(jobs)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	out := make([]R, n)
	for i := range out {
		out[i] = results[i]
	}
	return out, nil
}
