package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// manCmd writes the man pages, for packagers: it is hidden from the list of
// commands a learner reads.
func (c *cli) manCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "write coursectl's man pages (coursectl.1, coursectl-run.1, ...) into DIR",
		Hidden: true,
		Long: `Writes a man page for coursectl and one for each command into DIR (made
if missing), from the same text as 'coursectl help'.`,
		Example: `  coursectl man /usr/local/share/man/man1
  coursectl man docs/man && man -l docs/man/coursectl-check.1`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError("man: want one DIR (see 'coursectl help man')")
			}
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return usageError("man: %v", err)
			}
			if err := writeManTree(cmd.Root(), args[0]); err != nil {
				return usageError("man: %v", err)
			}
			return nil
		},
	}
}

// writeManTree writes cmd's page and its subcommands' into dir. The pages
// are roff written here rather than by cobra/doc, whose markdown-to-roff
// converter (blackfriday) is an initialiser every run of coursectl paid
// for before main (docs/benchmarks.md, "Start-up"). Help texts here are
// plain text, so a page is the help in man's sections.
func writeManTree(cmd *cobra.Command, dir string) error {
	for _, sub := range cmd.Commands() {
		if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
			continue
		}
		if err := writeManTree(sub, dir); err != nil {
			return err
		}
	}
	name := strings.ReplaceAll(cmd.CommandPath(), " ", "-") + ".1"
	return os.WriteFile(filepath.Join(dir, name), []byte(manPage(cmd)), 0o644)
}

// manPage is one command's page: NAME, SYNOPSIS, DESCRIPTION, OPTIONS,
// the options every command takes, EXAMPLE and SEE ALSO.
func manPage(cmd *cobra.Command) string {
	var b strings.Builder
	path := cmd.CommandPath()
	fmt.Fprintf(&b, ".nh\n.TH \"COURSECTL\" \"1\" \"\" %s \"\"\n", roffQuote("coursectl "+strings.SplitN(versionString(), "\n", 2)[0]))
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", roffText(strings.ReplaceAll(path, " ", "-")), roffText(cmd.Short))
	fmt.Fprintf(&b, ".SH SYNOPSIS\n\\fB%s\\fP\n", roffText(cmd.UseLine()))
	desc := cmd.Long
	if desc == "" {
		desc = cmd.Short
	}
	b.WriteString(".SH DESCRIPTION\n" + roffParagraphs(desc))
	if fs := cmd.NonInheritedFlags(); fs.HasAvailableFlags() {
		b.WriteString(".SH OPTIONS\n" + manFlags(fs))
	}
	if fs := cmd.InheritedFlags(); fs.HasAvailableFlags() {
		b.WriteString(".SH OPTIONS INHERITED FROM PARENT COMMANDS\n" + manFlags(fs))
	}
	if cmd.Example != "" {
		b.WriteString(".SH EXAMPLE\n.PP\n.nf\n.RS\n" + roffText(cmd.Example) + "\n.RE\n.fi\n")
	}
	var see []string
	if cmd.HasParent() {
		see = append(see, strings.ReplaceAll(cmd.Parent().CommandPath(), " ", "-")+"(1)")
	}
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() && !sub.IsAdditionalHelpTopicCommand() {
			see = append(see, strings.ReplaceAll(sub.CommandPath(), " ", "-")+"(1)")
		}
	}
	if len(see) > 0 {
		b.WriteString(".SH SEE ALSO\n\\fB" + strings.Join(see, "\\fP, \\fB") + "\\fP\n")
	}
	return b.String()
}

// manFlags lists flags as man pages do: the names in bold, the default,
// the usage indented below.
func manFlags(fs *pflag.FlagSet) string {
	var b strings.Builder
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		b.WriteString(".TP\n")
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			fmt.Fprintf(&b, "\\fB\\-%s\\fP, ", f.Shorthand)
		}
		fmt.Fprintf(&b, "\\fB\\-\\-%s\\fP", roffText(f.Name))
		varname, usage := pflag.UnquoteUsage(f)
		if varname != "" {
			fmt.Fprintf(&b, " \\fI%s\\fP", roffText(varname))
		}
		b.WriteString("\n" + roffText(usage))
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && f.DefValue != "0" {
			fmt.Fprintf(&b, " (default %s)", roffText(f.DefValue))
		}
		b.WriteString("\n")
	})
	return b.String()
}

// roffParagraphs turns blank-line separated text into .PP paragraphs. An
// indented one (run's table of keys, lint's line format) is laid out by
// hand: it is kept as written, where filling would run its columns
// together, as 'coursectl help' shows it.
func roffParagraphs(s string) string {
	var b strings.Builder
	for _, p := range strings.Split(strings.Trim(s, "\n"), "\n\n") {
		if strings.HasPrefix(p, " ") {
			b.WriteString(".PP\n.nf\n" + roffText(strings.TrimRight(p, " \n")) + "\n.fi\n")
			continue
		}
		b.WriteString(".PP\n" + roffText(strings.TrimSpace(p)) + "\n")
	}
	return b.String()
}

// roffText escapes text for roff: a backslash is \e, and a line starting
// with a dot or an apostrophe would be read as a request.
func roffText(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}

func roffQuote(s string) string { return `"` + strings.ReplaceAll(roffText(s), `"`, `\(dq`) + `"` }
