package templates

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The shipped CI files are YAML and run what the README says they run, with
// the full history verify needs.
func TestCIFiles(t *testing.T) {
	for name, want := range map[string][]string{
		"ci/github-workflow.yml": {"fetch-depth: 0", "github.event.pull_request.head.sha", "branches: [main]",
			`opsbook validate --no-cache -o github --base "$BASE_SHA"`, `opsbook verify -o github "$BASE_SHA..$HEAD_SHA"`},
		"ci/gitlab-ci.yml": {`GIT_DEPTH: "0"`, "CI_DEFAULT_BRANCH", "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA",
			`opsbook validate --no-cache --base "$BASE_SHA"`, `opsbook verify "$BASE_SHA..$HEAD_SHA"`},
	} {
		b, err := FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, s := range want {
			if !strings.Contains(string(b), s) {
				t.Errorf("%s does not contain %q", name, s)
			}
		}
	}
}
