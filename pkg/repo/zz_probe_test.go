package repo

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/opsbook/opsbook/pkg/diag"
)

func TestZZProbe(t *testing.T) {
	dir := os.Getenv("PROBE_DIR")
	if dir == "" {
		t.Skip()
	}
	now, _ := time.Parse(time.RFC3339, "2026-11-26T15:00:00+08:00")
	r, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	ds, _ := r.validate(now, nil, true, true, nil, nil)
	groups := map[diag.Diagnostic][]diag.Diagnostic{}
	for _, d := range ds {
		k := d
		if k.Line == 0 && k.Field != "" {
			k.Field = ""
		}
		k.Line, k.Column = 0, 0
		groups[k] = append(groups[k], d)
	}
	rulesSeen := map[string]int{}
	for k, g := range groups {
		if len(g) > 1 {
			rulesSeen[k.Rule]++
			if rulesSeen[k.Rule] < 3 {
				fmt.Println(k.Rule, k.Path, k.Record, k.Message, len(g), g[0].Field, g[1].Field)
			}
		}
	}
	fmt.Println(rulesSeen)
	e, w, _ := r.CountSeen(now, nil)
	v := r.Validate(now)
	ve, vw := diag.Count(v)
	fmt.Println("count", e, w, "validate", ve, vw)
}
