package main

// check --update: after the modules ran, rewrite each module's expected
// output with what really printed (expect.UpdateSource), or with --diff
// print the change and write nothing.

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/expect"
	"github.com/coursectl/coursectl/iostreams"
	"github.com/coursectl/coursectl/result"
)

// runUpdate is check's --update: the report has been printed; now the
// modules' expected output is rewritten (or shown, with --diff). The exit
// status stays the report's: the steps did fail against the file as it was.
func runUpdate(streams *iostreams.IOStreams, mods []*course.Module, results []*result.Module, diffOnly bool) error {
	n, err := updateModules(streams, mods, results, diffOnly)
	if err != nil {
		return err
	}
	switch {
	case n == 0:
		fmt.Fprintln(streams.Err, "check --update: every expected output that ran already matches; nothing to change")
	case diffOnly:
		fmt.Fprintf(streams.Err, "check --update --diff: %s would change; nothing written\n", plural(n, "file"))
	}
	return nil
}

// updateModules rewrites (or, diffOnly, shows) the expected output of every
// module in results (results[i] is the run of mods[i]). It returns how many files changed (or would change).
func updateModules(streams *iostreams.IOStreams, mods []*course.Module, results []*result.Module, diffOnly bool) (int, error) {
	changed := 0
	for i, res := range results {
		if res == nil {
			continue
		}
		mod := mods[i]
		var actuals []result.Actual
		for _, sr := range res.Steps {
			actuals = append(actuals, sr.Actuals...)
		}
		if len(actuals) == 0 {
			continue
		}
		path := mod.Path
		old, err := course.ReadFile(path)
		if err != nil {
			return changed, pathError(path, err)
		}
		// The line numbers are those of the file as it was checked: an
		// edit since would put the output in the wrong place.
		// A file with lone CRs as line ends is written back with LFs: the
		// lines the parser numbered (course.LineFeeds).
		old = course.LineFeeds(old)
		if !bytes.Equal(bytes.TrimPrefix(old, []byte("\xef\xbb\xbf")), mod.Source) {
			return changed, inputError(&course.PosError{File: path, Err: errors.New("changed while it was being checked — run check --update again")})
		}
		updated, err := expect.UpdateSource(path, old, mod, actuals)
		if err != nil {
			return changed, inputError(err)
		}
		if bytes.Equal(old, updated) {
			continue
		}
		changed++
		if diffOnly {
			fmt.Fprint(streams.Out, expect.UpdateDiff(path, old, updated))
			continue
		}
		if err := replaceFile(path, updated); err != nil {
			return changed, &course.PosError{File: path, Err: err}
		}
		fmt.Fprintf(streams.Err, "updated %s\n", path)
	}
	return changed, nil
}
