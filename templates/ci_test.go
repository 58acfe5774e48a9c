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
		"ci/github-workflow.yml": {"fetch-depth: 0", "opsbook validate -o github", `opsbook verify -o github "origin/${GITHUB_BASE_REF}..HEAD"`},
		"ci/gitlab-ci.yml":       {`GIT_DEPTH: "0"`, "opsbook validate", `opsbook verify "origin/${CI_MERGE_REQUEST_TARGET_BRANCH_NAME}..HEAD"`},
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
