// Command opsbook runs an operations department on plain YAML files in git.
package main

import (
	"os"

	"github.com/opsbook/opsbook/pkg/cli"
)

func main() { os.Exit(cli.Main()) }
