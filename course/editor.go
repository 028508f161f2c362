package course

import (
	"path"
	"strings"
)

// Editor steps (SPEC §7): a command that opens an editor on a file, and
// the fence after it that shows the file's new content.

// editors are the programs (and variables) that open a file for a person
// to edit.
var editors = map[string]bool{
	"nano": true, "pico": true, "vi": true, "vim": true, "nvim": true,
	"emacs": true, "code": true, "gedit": true,
	"$EDITOR": true, "${EDITOR}": true, "$VISUAL": true, "${VISUAL}": true,
}

// EditorTarget reports whether command opens an editor on one file, with
// the editor as written and the file as a shell word (quotes kept). Only a
// plain command qualifies: `nano notes.txt`, `vim +3 notes.txt`,
// `$EDITOR "my file"`, `EDITOR=x nano f`; a list, pipeline, redirection or
// substitution is not an edit (its other parts would have to run too).
//
// It reads shell words itself, for now, with quotes and nothing more; the
// one bash scanner replaces it.
func EditorTarget(command string) (editor, file string, ok bool) {
	words, ok := plainWords(command)
	if !ok {
		return "", "", false
	}
	i := 0
	for i < len(words) && isAssignment(words[i]) {
		i++
	}
	if i >= len(words) {
		return "", "", false
	}
	ed := strings.Trim(words[i], `"`)
	if !editors[ed] {
		return "", "", false
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
		return "", "", false
	}
	return ed, files[0], true
}

// plainWords splits a one-line simple command into words, quotes kept; ok
// is false when it holds anything but words (operators, redirections,
// substitutions, comments after words are allowed and dropped).
func plainWords(command string) (words []string, ok bool) {
	if strings.ContainsAny(command, "\n`") || strings.Contains(command, "$(") {
		return nil, false
	}
	var cur strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(command); i++ {
		c := command[i]
		if quote != 0 {
			cur.WriteByte(c)
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' && i+1 < len(command) {
				i++
				cur.WriteByte(command[i])
			}
			continue
		}
		switch c {
		case ' ', '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case '\'', '"':
			quote = c
			inWord = true
			cur.WriteByte(c)
		case '\\':
			inWord = true
			cur.WriteByte(c)
			if i+1 < len(command) {
				i++
				cur.WriteByte(command[i])
			}
		case ';', '|', '&', '<', '>', '(', ')':
			return nil, false
		case '#':
			if !inWord {
				i = len(command)
				continue
			}
			cur.WriteByte(c)
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if quote != 0 {
		return nil, false
	}
	if inWord {
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

// Unquote is a shell word without its quotes and backslashes, for showing
// a file name (`"my notes.txt"` → `my notes.txt`); variables stay as written.
func Unquote(word string) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(word); i++ {
		c := word[i]
		switch {
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote != 0 && c == quote:
			quote = 0
		case c == '\\' && quote != '\'' && i+1 < len(word):
			i++
			b.WriteByte(word[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// contentLangs are the fence languages that show a file's content
// whatever the file: untagged, text, output, source.
var contentLangs = map[string]bool{"": true, "text": true, "txt": true, "plain": true, "plaintext": true, "output": true, "source": true}

// fileLangs are the fence languages of a file's own kind, by extension.
var fileLangs = map[string][]string{
	".sh":   {"bash", "sh", "shell", "zsh"},
	".bash": {"bash", "sh", "shell"},
	".py":   {"python", "py", "python3"},
	".r":    {"r"},
	".md":   {"markdown", "md"},
	".js":   {"javascript", "js"},
	".ts":   {"typescript", "ts"},
	".yml":  {"yaml", "yml"},
	".yaml": {"yaml", "yml"},
	".json": {"json"},
	".toml": {"toml"},
	".html": {"html"},
	".css":  {"css"},
	".c":    {"c"},
	".go":   {"go"},
	".rb":   {"ruby", "rb"},
	".txt":  {"text", "txt"},
	".csv":  {"csv"},
	".ini":  {"ini"},
	".cfg":  {"ini", "cfg"},
	".conf": {"conf", "ini", "nginx", "apache"},
}

// IsContentFence reports whether a fence tagged lang can show the content
// of file (a shell word): untagged, text, output, source, or the file's
// own language (`bash` for do-stats.sh). Dotfiles such as .bashrc take
// bash too.
func IsContentFence(lang, file string) bool {
	lang = strings.ToLower(lang)
	if contentLangs[lang] {
		return true
	}
	base := path.Base(Unquote(file))
	ext := strings.ToLower(path.Ext(base))
	if ext == "" || ext == base {
		switch base {
		case ".bashrc", ".bash_profile", ".profile", ".bash_aliases", ".zshrc":
			ext = ".sh"
		}
	}
	if ext != "" && lang == ext[1:] {
		return true
	}
	for _, l := range fileLangs[ext] {
		if l == lang {
			return true
		}
	}
	return false
}
