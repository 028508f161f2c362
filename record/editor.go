package record

import (
	"path/filepath"
	"strings"
)

// An editor session is written as an editor step (SPEC §7): the command,
// then a fence with the file's content as the author saved it, which check
// writes instead of opening an editor.

// editors are the programs course reads as opening a file for a person to
// edit (SPEC §7's list).
var editors = map[string]bool{
	"nano": true, "pico": true, "vi": true, "vim": true, "nvim": true,
	"emacs": true, "code": true, "gedit": true,
	"$EDITOR": true, "${EDITOR}": true, "$VISUAL": true, "${VISUAL}": true,
}

// editorTarget reports whether line opens an editor on one file: a plain
// command (`vim notes.txt`, `nano +3 "my notes.txt"`, `$EDITOR ~/.bashrc`),
// no list, pipeline, redirection or substitution. file is unquoted.
func editorTarget(line string) (file string, ok bool) {
	words, ok := plainWords(line)
	if !ok {
		return "", false
	}
	i := 0
	for i < len(words) && isAssignment(words[i]) {
		i++
	}
	if i >= len(words) || !editors[words[i]] {
		return "", false
	}
	var files []string
	opts := true
	for _, w := range words[i+1:] {
		switch {
		case opts && w == "--":
			opts = false
		case opts && (strings.HasPrefix(w, "-") || strings.HasPrefix(w, "+")):
		default:
			files = append(files, w)
		}
	}
	if len(files) != 1 {
		return "", false
	}
	return files[0], true
}

// plainWords splits a one-line simple command into words, quotes removed;
// ok is false for anything but words.
func plainWords(line string) ([]string, bool) {
	if strings.ContainsAny(line, "\n`;|&<>()") || strings.Contains(line, "$(") {
		return nil, false
	}
	var words []string
	var cur strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, in = c, true
		case c == '\\' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			in = true
		case c == ' ' || c == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		case c == '#' && !in:
			i = len(line)
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if quote != 0 {
		return nil, false
	}
	if in {
		words = append(words, cur.String())
	}
	return words, len(words) > 0
}

func isAssignment(w string) bool {
	eq := strings.IndexByte(w, '=')
	if eq <= 0 {
		return false
	}
	for i, r := range w[:eq] {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
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
// course reads that as the file's content (bash for a .sh), else text.
func contentLang(file string) string {
	base := filepath.Base(file)
	switch base {
	case ".bashrc", ".bash_profile", ".profile", ".bash_aliases":
		return "bash"
	}
	switch strings.ToLower(filepath.Ext(base)) {
	case ".sh", ".bash":
		return "bash"
	case ".py":
		return "python"
	case ".yml", ".yaml":
		return "yaml"
	case ".json":
		return "json"
	}
	return "text"
}
