package record

import (
	"path/filepath"
	"strings"

	"github.com/coursectl/coursectl/course"
)

// An editor session is written as an editor step (docs/spec.md §7): the command,
// then a fence with the file's content as the author saved it, which check
// writes instead of opening an editor.

// editorTarget reports whether line opens an editor on one file, by
// course's own rule (so what is written is read back as an editor step);
// file is unquoted.
func editorTarget(line string) (file string, ok bool) {
	_, word, ok := course.EditorTarget(line)
	if !ok {
		return "", false
	}
	return course.Unquote(word), true
}

// resolve is the path the editor opened: file as the shell expanded it
// (~ and $HOME are home), relative to dir.
func resolve(file, dir, home string) string {
	switch {
	case file == "~" || file == "$HOME":
		return home
	case strings.HasPrefix(file, "~/"):
		file = filepath.Join(home, file[2:])
	case strings.HasPrefix(file, "$HOME/"):
		file = filepath.Join(home, file[6:])
	case strings.HasPrefix(file, "${HOME}/"):
		file = filepath.Join(home, file[8:])
	}
	if filepath.IsAbs(file) {
		return file
	}
	return filepath.Join(dir, file)
}

// contentLang is the content fence's language: the file's own where
// course reads that as the file's content (bash for a .sh, so GitHub
// highlights it), else text.
func contentLang(file string) string {
	lang := "text"
	base := filepath.Base(file)
	switch base {
	case ".bashrc", ".bash_profile", ".profile", ".bash_aliases":
		lang = "bash"
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".sh", ".bash":
		lang = "bash"
	case ".py":
		lang = "python"
	case ".yml", ".yaml":
		lang = "yaml"
	case ".json":
		lang = "json"
	}
	if !course.IsContentFence(lang, file) {
		return "text"
	}
	return lang
}
