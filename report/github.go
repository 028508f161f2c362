package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/coursectl/coursectl/result"
)

// annotationLines is how much output an annotation carries: it shows on the
// pull request's diff, where a long log is out of place.
const annotationLines = 10

// GitHub writes a workflow command `::error file=F,line=L,title=T::MSG` for
// every failed step, so GitHub Actions marks the line in the pull request.
// workspace is $GITHUB_WORKSPACE: file paths are made relative to it, as
// GitHub resolves them against the repository root, not the directory the
// check ran in.
func GitHub(w io.Writer, results []*result.Module, workspace string) {
	for _, mr := range results {
		for _, sr := range mr.Steps {
			if !failed(sr) {
				continue
			}
			file := workspacePath(failFile(mr.File, sr), workspace)
			var msg strings.Builder
			msg.WriteString(message(sr))
			if cmd := failCommand(sr); cmd != "" {
				fmt.Fprintf(&msg, "\n$ %s", strings.TrimRight(cmd, "\n"))
			}
			if d := strings.TrimRight(Plain(sr.Diff), "\n"); d != "" {
				// A transcript mismatch is told best by its diff.
				msg.WriteString("\n" + d)
			} else if lines, _ := tail(sr.Output, annotationLines); len(lines) > 0 {
				msg.WriteString("\n" + strings.Join(lines, "\n"))
			}
			fmt.Fprintf(w, "::error file=%s,line=%d,title=%s::%s\n",
				escapeProperty(file), failLine(sr),
				escapeProperty("coursectl: step "+sr.ID+" failed"),
				escapeData(msg.String()))
		}
	}
}

// workspacePath makes file relative to the workspace when it lies inside
// it; otherwise it is left as given.
func workspacePath(file, workspace string) string {
	if workspace == "" {
		return filepath.ToSlash(file)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return filepath.ToSlash(file)
	}
	rel, err := filepath.Rel(workspace, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(file)
	}
	return filepath.ToSlash(rel)
}

// escapeData and escapeProperty follow the runner's rules for workflow
// commands (actions/toolkit's command.ts): a message may not hold raw
// newlines; a property may not hold ':' or ',' either.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
