// Command coursectl runs a course's markdown: see README.md.
package main

import (
	"os"

	"github.com/coursectl/coursectl/iostreams"
)

func main() { os.Exit(Main(os.Args[1:], iostreams.System())) }
