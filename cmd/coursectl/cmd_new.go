package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/coursectl/coursectl/scaffold"
)

func (c *cli) newCmd() *cobra.Command {
	var f newFlags
	cmd := &cobra.Command{
		Use:   "new FILE.md | new --course DIR",
		Short: "start a module, or a course with its CI workflow",
		Long: `Writes the skeleton of a new module: a title and a first step. With --course,
a course in DIR: two modules that continue each other, a coursectl.yaml with
the course's keys as commented examples, and .github/workflows/coursectl.yml,
a GitHub Actions workflow that runs 'coursectl check' with JUnit reports,
annotations on pull requests and a --shard matrix. Both pass 'coursectl check'
as written. Nothing is overwritten: if a file is there, nothing is written.`,
		Example: `  coursectl new intro.md
  coursectl new --course my-course
  coursectl new intro.md --title "The shell in ten minutes"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.newFiles(f, args)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.BoolVar(&f.course, "course", false, "write a course in DIR instead of one module")
	fl.StringVar(&f.title, "title", "", "the module's or course's `TITLE` (default: from the name)")
	return cmd
}

type newFlags struct {
	course bool
	title  string
}

func (c *cli) newFiles(f newFlags, args []string) error {
	if len(args) != 1 {
		if f.course {
			return usageError("new: want one DIR for the course (see 'coursectl help new')")
		}
		return usageError("new: want one FILE.md, or --course DIR (see 'coursectl help new')")
	}
	target := args[0]
	title := f.title
	if title == "" {
		title = scaffold.Title(target)
	}
	var files []scaffold.File
	var check string
	if f.course {
		files, check = scaffold.Course(title), target
	} else {
		if err := newFileCheck(target, "coursectl record "+target+" --append adds to it"); err != nil {
			return err
		}
		files, check = scaffold.Module(title, filepath.Base(target)), target
	}
	err := scaffold.Write(target, files)
	var exists *scaffold.ExistsError
	if errors.As(err, &exists) {
		return usageError("%s exists: not overwriting it — choose another name, or move it away", exists.Path)
	}
	if err != nil {
		return inputError(err)
	}
	for _, file := range files {
		fmt.Fprintf(c.streams.Out, "wrote %s\n", filepath.Join(target, file.Path))
	}
	fmt.Fprintf(c.streams.Out, "Check it: coursectl check %s\n", check)
	return nil
}
