package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// version may be set at build time (go build -ldflags "-X
// main.version=v1.2.3"); otherwise the module version and the VCS revision
// the go command stamped into the binary say which build this is.
var version = ""

func (c *cli) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print coursectl's version",
		Long: `Prints which coursectl this is: its module version (v1.2.3 when installed with
go install ...@v1.2.3), the VCS revision it was built from, with "dirty"
when the checkout had uncommitted changes, and the Go that built it. A
build with none of these (go run, go test) says "dev".`,
		Example: `  coursectl version`,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprint(c.streams.Out, "coursectl ", versionString())
			return nil
		},
	}
}

// versionString is what `coursectl version` and --version print after
// "coursectl ".
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return versionText(bi, version)
}

// versionText is the version of the build bi describes: the -X version,
// else the module version, else "dev"; then the revision and the Go.
func versionText(bi *debug.BuildInfo, stamped string) string {
	v := stamped
	if v == "" && bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	if v == "" {
		v = "dev"
	}
	var b strings.Builder
	b.WriteString(v + "\n")
	settings := map[string]string{}
	goVersion := runtime.Version()
	if bi != nil {
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		goVersion = bi.GoVersion
	}
	if rev := settings["vcs.revision"]; rev != "" {
		b.WriteString("  revision " + rev[:min(12, len(rev))])
		if settings["vcs.modified"] == "true" {
			b.WriteString(" (dirty: built with uncommitted changes)")
		}
		if t, err := time.Parse(time.RFC3339, settings["vcs.time"]); err == nil {
			b.WriteString(", committed " + t.UTC().Format("2006-01-02 15:04 UTC"))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "  %s %s/%s\n", goVersion, runtime.GOOS, runtime.GOARCH)
	return b.String()
}
