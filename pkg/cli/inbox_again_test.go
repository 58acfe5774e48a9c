package cli

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/internal/randedit"
	"github.com/opsbook/opsbook/pkg/record"
	"github.com/opsbook/opsbook/pkg/repo"
)

// TestInboxAgainEqualsFull: after records of every kind change (claims'
// amounts, states, days, copies and removals; customers visited;
// randedit's states, references, dates, copies and removals), the inbox
// of each person made again from their last one (inboxAgain) prints
// exactly what a full pass (--no-cache) prints, as JSON and as the page,
// and most were made again so.
func TestInboxAgainEqualsFull(t *testing.T) {
	dirs, directors := gitDepts(t)
	time.Sleep(2100 * time.Millisecond) // the files older than the racy window
	for name, dir := range dirs {
		t.Run(name, func(t *testing.T) {
			t.Setenv("GIT_AUTHOR_EMAIL", directors[name])
			r, err := repo.Load(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			var people []string
			for _, p := range r.Set.OfKind(record.Person) {
				people = append(people, p.ID)
			}
			rng := rand.New(rand.NewPCG(uint64(len(name)), 29))
			claims := unnamedClaims(t, dir)
			others, err := randedit.Records(dir)
			if err != nil {
				t.Fatal(err)
			}
			others = slices.DeleteFunc(others, func(rel string) bool { return strings.Contains(rel, "/expenses/") })
			zone := time.FixedZone("CST", 8*3600)
			now := time.Date(2026, 11, 26, 15, 0, 0, 0, zone)
			// each person's inbox kept: the bases
			for _, p := range people {
				inboxAt(dir, now, "-o", "json", "--for", p)
			}
			inboxAt(dir, now, "-o", "json")
			made, asked := inboxesAgain, 0
			const steps = 30
			for step := range steps {
				var did []string
				switch step % 3 {
				case 0:
					did = append(did, changeAClaim(t, rng, dir, &claims))
				case 1:
					did = append(did, visitACustomer(t, rng, dir))
				}
				for range 1 + rng.IntN(2) {
					what, err := randedit.Any(rng, dir, &others)
					if err != nil {
						t.Fatal(err)
					}
					did = append(did, what)
				}
				now = now.Add(time.Duration(rng.IntN(300)) * time.Second)
				for k := 0; k < 3; k++ {
					args := []string{"-o", "json"}
					if k == 2 {
						args = nil // the page
					}
					if j := rng.IntN(len(people) + 1); j < len(people) {
						args = append(args, "--for", people[j])
					}
					got := inboxAt(dir, now, args...)
					want := inboxAt(dir, now, append(args, "--no-cache")...)
					asked++
					if got != want {
						t.Fatalf("step %d (%s), %v: inbox made again and full inbox differ:\n%s", step, strings.Join(did, "; "), args, lineDiff(got, want))
					}
				}
			}
			t.Logf("%d of %d inboxes made again", inboxesAgain-made, asked)
			if inboxesAgain-made < asked/2 {
				t.Errorf("%d of %d inboxes made again: the test tests too little", inboxesAgain-made, asked)
			}
		})
	}
}
